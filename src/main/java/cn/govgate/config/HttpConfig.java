package cn.govgate.config;

import java.time.Duration;

/**
 * HTTP server settings.
 *
 * @param host interface to bind (default {@code 0.0.0.0})
 * @param port public port (default 8080; 0 picks a free one)
 * @param opsPort port for the ops endpoints ({@code /health/*}, {@code /metrics}); -1 (default)
 *     serves them on the public port
 * @param instances server verticle instances; default one per event loop (2 × cores)
 * @param bodyLimitBytes largest accepted request body (default 1 MiB); larger → 413
 * @param shutdownGrace how long in-flight requests may take to finish on SIGTERM (default 20 s)
 */
public record HttpConfig(
    String host,
    int port,
    int opsPort,
    int instances,
    long bodyLimitBytes,
    Duration shutdownGrace) {

  static HttpConfig from(ConfigValues v) {
    int defaultInstances = 2 * Runtime.getRuntime().availableProcessors();
    return new HttpConfig(
        v.string("http.host", "0.0.0.0"),
        v.integer("http.port", 8080, 0, 65535),
        v.integer("http.opsPort", -1, -1, 65535),
        v.integer("http.instances", defaultInstances, 1, 256),
        v.longValue("http.bodyLimitBytes", 1024 * 1024, 1024, 64L * 1024 * 1024),
        v.duration(
            "http.shutdownGrace", Duration.ofSeconds(20), Duration.ZERO, Duration.ofMinutes(10)));
  }

  /** Whether the ops endpoints have a port of their own. */
  public boolean separateOpsPort() {
    return opsPort >= 0;
  }
}
