package cn.govgate.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The keyed hashes govgate uses for integrity and lookups: HMAC-SHA256 (RFC 2104, JDK) and HMAC-SM3
 * (RFC 2104 over SM3 of GB/T 32905, as GM/T 0042 specifies it; Bouncy Castle's {@code
 * HMac(SM3Digest)}). Both give 32 bytes.
 */
public enum MacAlgorithm {
  HMAC_SHA256("HMAC-SHA256", ""),
  HMAC_SM3("HMAC-SM3", "sm3:");

  private final String configName;
  private final String tag;

  MacAlgorithm(String configName, String tag) {
    this.configName = configName;
    this.tag = tag;
  }

  /** The name in configuration and on the wire ({@code HMAC-SHA256}, {@code HMAC-SM3}). */
  public String configName() {
    return configName;
  }

  /**
   * The prefix of a stored value made with this algorithm: none for HMAC-SHA256 (every value stored
   * before SM3 existed), {@code sm3:} for HMAC-SM3.
   */
  public String tag() {
    return tag;
  }

  /** The other algorithm (what a lookup also tries while values are being rebuilt). */
  public MacAlgorithm other() {
    return this == HMAC_SHA256 ? HMAC_SM3 : HMAC_SHA256;
  }

  /** The algorithm named {@code name} in configuration, or null. */
  public static MacAlgorithm ofConfigName(String name) {
    for (MacAlgorithm a : values()) {
      if (a.configName.equalsIgnoreCase(name)) return a;
    }
    return null;
  }

  /** The algorithm whose tag starts {@code stored}. */
  public static MacAlgorithm ofStored(String stored) {
    return stored != null && stored.startsWith(HMAC_SM3.tag) ? HMAC_SM3 : HMAC_SHA256;
  }

  /**
   * One JCA {@code Mac} per thread, keyed anew on every use ({@code doFinal} resets it): the
   * provider look-up of {@code Mac.getInstance} ran on every department request, audit record and
   * blind index.
   */
  private static final ThreadLocal<Mac> HMAC_SHA256_MAC =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Mac.getInstance("HmacSHA256");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("HMAC-SHA256 unavailable", e);
            }
          });

  /** The MAC of the concatenated {@code parts} under {@code key}. */
  public byte[] mac(byte[] key, byte[]... parts) {
    if (this == HMAC_SM3) {
      HMac mac = new HMac(new SM3Digest());
      mac.init(new KeyParameter(key));
      for (byte[] p : parts) mac.update(p, 0, p.length);
      byte[] out = new byte[mac.getMacSize()];
      mac.doFinal(out, 0);
      return out;
    }
    try {
      Mac mac = HMAC_SHA256_MAC.get();
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      for (byte[] p : parts) mac.update(p);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }
}
