package cn.govgate.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.partner.client.Algorithm;
import cn.govgate.partner.client.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.junit.jupiter.api.Test;

/**
 * No tracked file holds a private key, not even a demo one: every file {@code git ls-files} lists
 * is searched for PEM private-key blocks and for Base64 strings that decode to a private key
 * (PKCS#8 of any algorithm, SM2 included; PKCS#1 RSA; SEC1 EC), and no tracked path lies in a data
 * directory or has a key-store extension. Keys are generated at run time (the demo writes its own
 * into its data directory, owner-only) or come from a vault.
 */
class NoKeysInGitTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern PEM_PRIVATE =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----\\s*[A-Za-z0-9+/=\\s:,-]{64,}?-----END");

  /** 48 characters and up: the shortest private key, a bare SEC1 P-256 or SM2 key, takes 52. */
  private static final Pattern LONG_BASE64 = Pattern.compile("[A-Za-z0-9+/]{48,}={0,2}");

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
    // Keys the JDK's key factories cannot read are private keys all the same: SM2 (the demo's
    // partner
    // key, Alipay's SM2 apps), Ed25519, and the PKCS#1 and SEC1 forms inside PKCS#8.
    byte[] sm2 = Keys.generate(Algorithm.SM2).getPrivate().getEncoded();
    assertThat(privateKeyIn("sm2=" + Base64.getEncoder().encodeToString(sm2))).isNotNull();
    byte[] ed25519 =
        KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded();
    assertThat(privateKeyIn(Base64.getEncoder().encodeToString(ed25519))).isNotNull();
    byte[] pkcs1 =
        PrivateKeyInfo.getInstance(rsa.generateKeyPair().getPrivate().getEncoded())
            .parsePrivateKey()
            .toASN1Primitive()
            .getEncoded();
    assertThat(privateKeyIn(Base64.getEncoder().encodeToString(pkcs1))).isNotNull();
    byte[] sec1 =
        PrivateKeyInfo.getInstance(pkcs8).parsePrivateKey().toASN1Primitive().getEncoded();
    assertThat(privateKeyIn(Base64.getEncoder().encodeToString(sec1))).isNotNull();
    // Code that writes PEM, and public keys, are not private keys.
    assertThat(
            privateKeyIn(
                "return \"-----BEGIN PRIVATE KEY-----\\n\" + body + \"\\n-----END PRIVATE KEY-----\";"))
        .isNull();
    assertThat(
            privateKeyIn(
                Base64.getEncoder().encodeToString(rsa.generateKeyPair().getPublic().getEncoded())))
        .isNull();
    assertThat(
            privateKeyIn(
                Base64.getEncoder()
                    .encodeToString(Keys.generate(Algorithm.SM2).getPublic().getEncoded())))
        .isNull();
  }

  /** Why {@code text} holds a private key, or null. */
  static String privateKeyIn(String text) {
    if (PEM_PRIVATE.matcher(text).find()) return "PEM private key block";
    Matcher m = LONG_BASE64.matcher(text);
    while (m.find()) {
      if (isPrivateKeyDer(m.group())) return "Base64 DER private key";
    }
    return null;
  }

  /**
   * Whether {@code base64} is the DER of a private key: PKCS#8 of any algorithm (RSA, EC, SM2 on
   * {@code sm2p256v1}, Ed25519…), PKCS#1 RSA or SEC1 EC. Read as ASN.1 structure with Bouncy
   * Castle, not with the JDK's key factories, which know neither the SM2 curve nor every algorithm.
   */
  private static boolean isPrivateKeyDer(String base64) {
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return false;
    }
    ASN1Sequence seq;
    try (ASN1InputStream in = new ASN1InputStream(der)) {
      if (!(in.readObject() instanceof ASN1Sequence s) || in.readObject() != null) return false;
      seq = s;
    } catch (IOException | RuntimeException notDer) {
      return false;
    }
    return isPkcs8(seq) || isPkcs1Rsa(seq) || isSec1Ec(seq);
  }

  private static boolean isPkcs8(ASN1Sequence seq) {
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(seq);
      return info.getPrivateKeyAlgorithm().getAlgorithm() != null
          && info.getPrivateKey().getOctets().length > 0;
    } catch (RuntimeException notPkcs8) {
      return false;
    }
  }

  private static boolean isPkcs1Rsa(ASN1Sequence seq) {
    try {
      return RSAPrivateKey.getInstance(seq).getModulus().bitLength() >= 256;
    } catch (RuntimeException notPkcs1) {
      return false;
    }
  }

  /** SEC1 (RFC 5915): {@code SEQUENCE { 1, OCTET STRING key, [0] parameters?, [1] public? }}. */
  private static boolean isSec1Ec(ASN1Sequence seq) {
    if (seq.size() < 2 || seq.size() > 4) return false;
    if (!(seq.getObjectAt(0) instanceof ASN1Integer version)
        || !version.hasValue(1)
        || !(seq.getObjectAt(1) instanceof ASN1OctetString key)) return false;
    int length = key.getOctets().length;
    return length >= 16 && length <= 66;
  }

  static List<String> trackedFiles() throws IOException, InterruptedException {
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
