package cn.govgate.channel.alipay;

/**
 * How an Alipay app signs its requests and how Alipay signs its answers to it: the wire value of
 * {@code sign_type}.
 */
public enum SignType {
  /** SHA256withRSA over the sorted parameter string, RSA-2048 keys. */
  RSA2,
  /** SM3withSM2 (GB/T 32918) over the same string, with an explicit SM2 user id. */
  SM2;

  /** Parses a {@code sign_type} value; null for anything else (including legacy {@code RSA}). */
  public static SignType fromWire(String value) {
    if (value == null) return null;
    for (SignType t : values()) {
      if (t.name().equals(value)) return t;
    }
    return null;
  }
}
