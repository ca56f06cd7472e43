package cn.govgate.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The whole configuration, loaded once at start-up into immutable records and validated: an invalid
 * value stops start-up with one line naming the key and the reason.
 *
 * @param dataDir local files of this instance (default {@code ./govgate-data}): the generated SM2
 *     proof key when none is configured
 * @param http HTTP server settings
 * @param db PostgreSQL settings
 * @param audit audit log settings
 * @param identity government identity settings (sessions, personal-data keys, step-up policy)
 * @param channels channel adapter settings (Alipay, WeChat); a channel without settings is off
 * @param ratings 好差评 settings
 * @param certificates electronic proof settings
 * @param admin admin API settings
 * @param registry department registry settings
 * @param services citizen service settings (vehicle lookup limit)
 * @param payments payment settings (callback URL, outbox, reconciliation)
 * @param complaints consultations and complaints (reply deadlines, holiday calendar)
 * @param serviceLevels published service levels (flush, rollup, gauges)
 * @param reminders proactive reminders (scheduler rhythm, subscription templates per app)
 * @param crypto commercial cryptography: the profile and the algorithm of each use
 * @param partners partner platforms (the gateway's answer-signing keys)
 * @param tracing OpenTelemetry tracing (off by default)
 */
public record GovgateConfig(
    Path dataDir,
    HttpConfig http,
    DatabaseConfig db,
    AuditConfig audit,
    IdentityConfig identity,
    ChannelsConfig channels,
    RatingsConfig ratings,
    CertificatesConfig certificates,
    AdminConfig admin,
    RegistryConfig registry,
    ServicesConfig services,
    PaymentsConfig payments,
    ComplaintsConfig complaints,
    ServiceLevelsConfig serviceLevels,
    RemindersConfig reminders,
    CryptoConfig crypto,
    PartnersConfig partners,
    TracingConfig tracing) {

  /** Loads defaults → file → environment, validates, and refuses unknown keys. */
  public static GovgateConfig load(Path file, Map<String, String> env) {
    return from(ConfigValues.load(file, env));
  }

  public static GovgateConfig from(ConfigValues v) {
    Path dataDir = Path.of(v.string("dataDir", "govgate-data")).toAbsolutePath();
    HttpConfig http = HttpConfig.from(v);
    DatabaseConfig db = DatabaseConfig.from(v);
    // Read by logback.xml from the environment; listed here so they are known keys.
    v.oneOf("log.level", "INFO", "TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    v.oneOf("log.accessLevel", "INFO", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
    ChannelsConfig channels = ChannelsConfig.from(v);
    CryptoConfig crypto = CryptoConfig.from(v);
    GovgateConfig config =
        new GovgateConfig(
            dataDir,
            http,
            db,
            AuditConfig.from(v, dataDir),
            IdentityConfig.from(
                v, crypto.dataSealing() == cn.govgate.crypto.SealAlgorithm.SM4_GCM, dataDir),
            channels,
            RatingsConfig.from(v),
            CertificatesConfig.from(v, crypto),
            AdminConfig.from(v),
            RegistryConfig.from(
                v, crypto.dataSealing() == cn.govgate.crypto.SealAlgorithm.SM4_GCM, dataDir),
            ServicesConfig.from(v),
            PaymentsConfig.from(v),
            ComplaintsConfig.from(v),
            ServiceLevelsConfig.from(v),
            RemindersConfig.from(v, channels),
            crypto,
            PartnersConfig.from(v),
            TracingConfig.from(v));
    v.rejectUnknown();
    return config;
  }
}
