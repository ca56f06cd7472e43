package cn.govgate.partners;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The RSA2 provider of the partner API ({@code partners.rsaProvider}): {@code jdk} is honoured,
 * {@code auto} takes the native ACCP where it loads and the JDK's where it does not (a separate JVM
 * with the bundled library switched off), ACCP is never registered globally, and both providers
 * make byte-identical signatures that verify with each other.
 */
class RsaProvidersTest {
  private static final byte[] ANSWER =
      CanonicalRequest.answer(
              200, "n0nce-Rsa2-Example-0001", 1_767_225_600L, "{\"data\":{}}".getBytes())
          .getBytes(StandardCharsets.UTF_8);

  /** Where ACCP ships its native library (the classifier the build pins). */
  private static boolean nativePlatform() {
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
        && Arrays.asList("amd64", "x86_64").contains(System.getProperty("os.arch"));
  }

  @Test
  void jdkIsHonoured() throws Exception {
    Provider p = RsaProviders.choose("jdk");
    assertThat(p.getName()).isEqualTo("SunRsaSign");
    KeyPair gateway = SignatureAlgorithm.RSA2.generate();
    assertThat(SignatureAlgorithm.RSA2.signer(p, gateway.getPrivate()).provider().getName())
        .isEqualTo("SunRsaSign");
  }

  @Test
  void autoTakesTheNativeProviderWhereItLoadsWithoutRegisteringIt() throws Exception {
    Provider p = RsaProviders.choose("auto");
    if (nativePlatform()) {
      assertThat(p.getName()).isEqualTo(AmazonCorrettoCryptoProvider.PROVIDER_NAME);
      assertThat(RsaProviders.isNative(p)).isTrue();
    } else {
      assertThat(p.getName())
          .isEqualTo(
              AmazonCorrettoCryptoProvider.INSTANCE.getLoadingError() == null
                  ? AmazonCorrettoCryptoProvider.PROVIDER_NAME
                  : "SunRsaSign");
    }
    KeyPair gateway = SignatureAlgorithm.RSA2.generate();
    assertThat(SignatureAlgorithm.RSA2.signer(p, gateway.getPrivate()).provider()).isSameAs(p);
    // Passed explicitly only: the JVM's providers and its default SHA256withRSA are unchanged.
    assertThat(Security.getProvider(AmazonCorrettoCryptoProvider.PROVIDER_NAME)).isNull();
    assertThat(Signature.getInstance("SHA256withRSA").getProvider().getName())
        .isEqualTo("SunRsaSign");
  }

  @Test
  void withoutTheNativeLibraryAutoFallsBackToTheJdk() throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // ACCP's own switch: skip the bundled library and look on java.library.path, where
                // there is none — what a platform without the native build sees.
                "-Dcom.amazon.corretto.crypto.provider.useExternalLib=true",
                "-cp",
                System.getProperty("java.class.path"),
                RsaProvidersTest.class.getName())
            .redirectErrorStream(true)
            .start();
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("chosen: SunRsaSign")
        .contains("Amazon Corretto Crypto Provider unavailable")
        .contains("signature verifies with the JDK: true");
  }

  /** The child JVM of {@link #withoutTheNativeLibraryAutoFallsBackToTheJdk}. */
  public static void main(String[] args) throws Exception {
    Provider p = RsaProviders.choose("auto");
    System.out.println("chosen: " + p.getName());
    KeyPair gateway = SignatureAlgorithm.RSA2.generate();
    byte[] sig = SignatureAlgorithm.RSA2.signer(p, gateway.getPrivate()).sign(ANSWER);
    Signature jdk = Signature.getInstance("SHA256withRSA", "SunRsaSign");
    jdk.initVerify(gateway.getPublic());
    jdk.update(ANSWER);
    System.out.println("signature verifies with the JDK: " + jdk.verify(sig));
  }

  @Test
  void bothProvidersMakeTheSameSignatureAndVerifyEachOther() throws Exception {
    Provider accp = RsaProviders.choose("auto");
    if (nativePlatform()) {
      assertThat(RsaProviders.isNative(accp)).as("ACCP loads on linux-x86_64").isTrue();
    } else {
      assumeTrue(RsaProviders.isNative(accp), "no native provider on this platform");
    }
    Provider jdk = RsaProviders.choose("jdk");
    SignatureAlgorithm rsa2 = SignatureAlgorithm.RSA2;
    KeyPair gateway = rsa2.generate();
    SignatureAlgorithm.Signer nativeSigner = rsa2.signer(accp, gateway.getPrivate());
    SignatureAlgorithm.Signer jdkSigner = rsa2.signer(jdk, gateway.getPrivate());
    assertThat(nativeSigner.provider()).isSameAs(accp);
    assertThat(jdkSigner.provider().getName()).isEqualTo("SunRsaSign");

    byte[] byNative = nativeSigner.sign(ANSWER);
    byte[] byJdk = jdkSigner.sign(ANSWER);
    // PKCS#1 v1.5 is deterministic: the same bytes, whichever provider made them.
    assertThat(byNative).hasSize(256).isEqualTo(byJdk);
    // The per-thread Signature is reused: the next answer is signed alike by both, too.
    byte[] other = "another answer".getBytes(StandardCharsets.UTF_8);
    assertThat(nativeSigner.sign(other)).isEqualTo(jdkSigner.sign(other)).isNotEqualTo(byNative);
    assertThat(nativeSigner.sign(ANSWER)).isEqualTo(byJdk);

    // Each verifies the other's, the partner's way (a JDK key) and the gateway's (translated once).
    PublicKey jdkKey = gateway.getPublic();
    PublicKey nativeKey = RsaProviders.forVerification(accp, jdkKey);
    assertThat(nativeKey).isNotSameAs(jdkKey);
    assertThat(nativeKey.getEncoded()).isEqualTo(jdkKey.getEncoded());
    assertThat(rsa2.verify(jdk, jdkKey, null, ANSWER, byNative)).isTrue();
    assertThat(rsa2.verify(accp, nativeKey, null, ANSWER, byJdk)).isTrue();
    assertThat(rsa2.verify(accp, jdkKey, null, ANSWER, byJdk)).isTrue();
    // ... and neither accepts a changed answer or a changed signature.
    byte[] tampered = byJdk.clone();
    tampered[17] ^= 1;
    assertThat(rsa2.verify(accp, nativeKey, null, ANSWER, tampered)).isFalse();
    assertThat(rsa2.verify(jdk, jdkKey, null, ANSWER, tampered)).isFalse();
    assertThat(rsa2.verify(accp, nativeKey, null, other, byJdk)).isFalse();
    assertThat(rsa2.verify(jdk, jdkKey, null, other, byNative)).isFalse();
  }
}
