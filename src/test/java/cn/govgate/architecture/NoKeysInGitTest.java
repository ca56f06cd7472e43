package cn.govgate.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No tracked file holds a private key, not even a demo one: every file {@code git ls-files} lists
 * is searched for PEM private-key blocks and for Base64 strings that decode to a PKCS#8 private key
 * (RSA, EC), and no tracked path lies in a data directory or has a key-store extension. Keys are
 * generated at run time (the demo writes its own into its data directory, owner-only) or come from
 * a vault.
 */
class NoKeysInGitTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern PEM_PRIVATE =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----\\s*[A-Za-z0-9+/=\\s:,-]{64,}?-----END");
  private static final Pattern LONG_BASE64 = Pattern.compile("[A-Za-z0-9+/]{60,}={0,2}");
  private static final List<String> KEY_STORE_EXTENSIONS =
      List.of(".key", ".p12", ".pfx", ".jks", ".keystore");

  @Test
  void noTrackedFileHoldsAPrivateKey() throws Exception {
    List<String> findings = new ArrayList<>();
    for (String path : trackedFiles()) {
      String lower = path.toLowerCase(Locale.ROOT);
      if (lower.contains("govgate-data/")
          || KEY_STORE_EXTENSIONS.stream().anyMatch(lower::endsWith)) {
        findings.add(path + ": a key file or data directory is tracked");
        continue;
      }
      Path file = ROOT.resolve(path);
      if (!Files.isRegularFile(file)) continue;
      String reason =
          privateKeyIn(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
      if (reason != null) findings.add(path + ": " + reason);
    }
    assertThat(findings).as("tracked files holding private keys").isEmpty();
  }

  @Test
  void theSearchFindsPemAndBase64PrivateKeys() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    byte[] pkcs8 = gen.generateKeyPair().getPrivate().getEncoded();
    String base64 = Base64.getEncoder().encodeToString(pkcs8);
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
            + "\n-----END PRIVATE KEY-----\n";
    assertThat(privateKeyIn("key: |\n" + pem)).isNotNull();
    assertThat(privateKeyIn("{\"privateKey\": \"" + base64 + "\"}")).isNotNull();
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    assertThat(
            privateKeyIn(
                "GOVGATE_KEY="
                    + Base64.getEncoder()
                        .encodeToString(rsa.generateKeyPair().getPrivate().getEncoded())))
        .isNotNull();
    // Code that writes PEM, and public keys, are not private keys.
    assertThat(
            privateKeyIn(
                "return \"-----BEGIN PRIVATE KEY-----\\n\" + body + \"\\n-----END PRIVATE KEY-----\";"))
        .isNull();
    assertThat(
            privateKeyIn(
                Base64.getEncoder().encodeToString(rsa.generateKeyPair().getPublic().getEncoded())))
        .isNull();
  }

  /** Why {@code text} holds a private key, or null. */
  static String privateKeyIn(String text) {
    if (PEM_PRIVATE.matcher(text).find()) return "PEM private key block";
    Matcher m = LONG_BASE64.matcher(text);
    while (m.find()) {
      if (isPkcs8PrivateKey(m.group())) return "Base64 PKCS#8 private key";
    }
    return null;
  }

  private static boolean isPkcs8PrivateKey(String base64) {
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return false;
    }
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        return true;
      } catch (GeneralSecurityException | IllegalArgumentException notThisKind) {
        // try the next algorithm
      }
    }
    return false;
  }

  private static List<String> trackedFiles() throws IOException, InterruptedException {
    Process git =
        new ProcessBuilder("git", "ls-files", "-z")
            .directory(ROOT.toFile())
            .redirectErrorStream(false)
            .start();
    byte[] out = git.getInputStream().readAllBytes();
    assertThat(git.waitFor(60, TimeUnit.SECONDS)).as("git ls-files finished").isTrue();
    assertThat(git.exitValue())
        .as("git ls-files in " + ROOT + " (the check needs the git checkout)")
        .isZero();
    List<String> files = new ArrayList<>();
    for (String f : new String(out, StandardCharsets.UTF_8).split("\0"))
      if (!f.isEmpty()) files.add(f);
    assertThat(files).as("tracked files").contains("pom.xml");
    return files;
  }
}
