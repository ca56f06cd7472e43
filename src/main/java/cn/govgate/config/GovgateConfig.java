package cn.govgate.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The whole configuration, loaded once at start-up into immutable records and validated: an invalid value
 * stops start-up with one line naming the key and the reason.
 *
 * @param dataDir where the embedded database, generated keys and the demo manifest live (default
 *     {@code ./govgate-data})
 * @param demo whether demo mode is on: the default ({@code demo=auto}) when no database and no channel
 *     endpoints are configured
 * @param http HTTP server settings
 * @param db PostgreSQL settings
 * @param audit audit log settings
 * @param identity government identity settings (sessions, personal-data keys, step-up policy)
 * @param channels channel adapter settings (Alipay, WeChat); in demo mode with none configured, the simulators
 * @param ratings 好差评 settings
 * @param certificates electronic proof settings
 * @param admin admin API settings
 * @param registry department registry settings
 * @param services citizen service settings (vehicle lookup limit)
 * @param payments payment settings (callback URL, outbox, reconciliation)
 * @param demoCitizens {@code demo.citizens}: how many synthetic citizens (seed 2024) the demo's channel and department
 *     simulators know (default 200; the benchmark uses more than 10,000); ignored outside demo mode
 */
public record GovgateConfig(
    Path dataDir, boolean demo, HttpConfig http, DatabaseConfig db, AuditConfig audit, IdentityConfig identity,
    ChannelsConfig channels, RatingsConfig ratings, CertificatesConfig certificates, AdminConfig admin,
    RegistryConfig registry, ServicesConfig services, PaymentsConfig payments, int demoCitizens) {

  /** Loads defaults → file → environment, validates, and refuses unknown keys. */
  public static GovgateConfig load(Path file, Map<String, String> env) {
    return from(ConfigValues.load(file, env));
  }

  public static GovgateConfig from(ConfigValues v) {
    Path dataDir = Path.of(v.string("dataDir", "govgate-data")).toAbsolutePath();
    DatabaseConfig db = DatabaseConfig.from(v);
    String mode = v.oneOf("demo", "auto", "auto", "true", "false");
    boolean channelsConfigured = v.isSet("alipay.gatewayUrl") || v.isSet("wechat.apiBaseUrl")
        || v.isSet("alipay.apps") || v.isSet("wechat.apps");
    boolean demo = switch (mode) {
      case "true" -> true;
      case "false" -> false;
      default -> db.embedded() && !channelsConfigured;
    };
    HttpConfig http = HttpConfig.from(v, demo);
    // Read by logback.xml from the environment; listed here so they are known keys.
    v.oneOf("log.level", "INFO", "TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    v.oneOf("log.accessLevel", "INFO", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
    GovgateConfig config = new GovgateConfig(dataDir, demo, http, db, AuditConfig.from(v, demo, dataDir),
        IdentityConfig.from(v, demo, dataDir), ChannelsConfig.from(v), RatingsConfig.from(v),
        CertificatesConfig.from(v), AdminConfig.from(v, demo, dataDir), RegistryConfig.from(v, demo, dataDir),
        ServicesConfig.from(v), PaymentsConfig.from(v), v.integer("demo.citizens", 200, 1, 1_000_000));
    v.rejectUnknown();
    return config;
  }
}
