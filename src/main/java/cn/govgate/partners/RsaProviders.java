package cn.govgate.partners;

import cn.govgate.config.ConfigException;
import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.spec.X509EncodedKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JCA provider of the partner API's RSA2 operations — the gateway's answer signatures and the
 * partners' request signatures — chosen once at start-up ({@code partners.rsaProvider}): {@code
 * auto} takes Amazon Corretto Crypto Provider (AWS-LC, native; a SHA256withRSA signature costs
 * about a quarter of the JDK's CPU) when its native library loads and passes its self-tests, and
 * the JDK's {@code SunRsaSign} otherwise; {@code jdk} always takes the JDK's. The provider is
 * passed explicitly where the partner API signs and verifies, never registered with {@link
 * Security}, so nothing else in the JVM changes behaviour. PKCS#1 v1.5 signatures are
 * deterministic: both providers make the same bytes.
 */
final class RsaProviders {
  static final String SETTING = "partners.rsaProvider";
  private static final Logger log = LoggerFactory.getLogger(RsaProviders.class);

  private RsaProviders() {}

  /** The JDK's RSA provider (what {@code Signature.getInstance("SHA256withRSA")} picks). */
  static Provider jdk() {
    return Security.getProvider("SunRsaSign");
  }

  /**
   * The provider for {@code setting} ({@code auto} or {@code jdk}), logged once. Blocking: {@code
   * auto} loads the native library (extracted to a temporary file) and runs its self-tests; call at
   * start-up, off the event loop.
   */
  static Provider choose(String setting) {
    if ("jdk".equals(setting)) {
      log.info("partner RSA2 signatures: JDK SunRsaSign ({} = jdk)", SETTING);
      return jdk();
    }
    if (!"auto".equals(setting)) {
      throw new ConfigException(SETTING, "must be one of auto, jdk, got '" + setting + "'");
    }
    String problem;
    try {
      AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
      Throwable loading = accp.getLoadingError();
      if (loading == null) {
        accp.assertHealthy();
        log.info(
            "partner RSA2 signatures: Amazon Corretto Crypto Provider {} ({})",
            accp.getVersionStr(),
            accp.getAwsLcVersionStr());
        return accp;
      }
      problem = describe(loading);
    } catch (RuntimeException | LinkageError e) {
      problem = describe(e);
    }
    log.warn(
        "partner RSA2 signatures: JDK SunRsaSign; Amazon Corretto Crypto Provider unavailable: {}",
        problem);
    return jdk();
  }

  /** Whether {@code provider} is the native one (for the benchmark and tests). */
  static boolean isNative(Provider provider) {
    return provider != null
        && AmazonCorrettoCryptoProvider.PROVIDER_NAME.equals(provider.getName());
  }

  /**
   * A partner's public key as {@code provider} verifies with it fastest: ACCP translates a JDK key
   * on every {@code initVerify} (about as dear as the JDK's whole verification), so the key is
   * translated once, when the directory loads. The JDK key when the provider is the JDK's or
   * refuses the key ({@link SignatureAlgorithm#verify} then verifies it with the JDK's).
   */
  static PublicKey forVerification(Provider provider, PublicKey key) {
    if (!isNative(provider)) return key;
    try {
      return KeyFactory.getInstance("RSA", provider)
          .generatePublic(new X509EncodedKeySpec(key.getEncoded()));
    } catch (GeneralSecurityException | RuntimeException e) {
      return key;
    }
  }

  private static String describe(Throwable t) {
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
