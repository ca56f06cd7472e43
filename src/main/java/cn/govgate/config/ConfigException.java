package cn.govgate.config;

/** An invalid or missing configuration value. Its message is the one line printed at start-up. */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String reason) {
    super(key + ": " + reason, null, false, false);
    this.key = key;
  }

  /** The configuration key at fault, in its canonical dotted form (e.g. {@code http.port}). */
  public String key() {
    return key;
  }
}
