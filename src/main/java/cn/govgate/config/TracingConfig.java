package cn.govgate.config;

/**
 * OpenTelemetry tracing (off by default; off means no tracer in Vert.x at all).
 *
 * @param enabled whether spans are made and exported ({@code tracing.enabled}, default false)
 * @param protocol OTLP transport: {@code http/protobuf} (default) or {@code grpc} ({@code
 *     tracing.otlpProtocol})
 * @param endpoint where spans are sent ({@code tracing.otlpEndpoint}; default {@code
 *     http://localhost:4318/v1/traces} for http/protobuf, {@code http://localhost:4317} for grpc)
 * @param samplerRatio share of requests traced, 0 to 1 ({@code tracing.samplerRatio}, default 0.1);
 *     the decision is taken once per request at the gateway and followed by every span below it
 */
public record TracingConfig(
    boolean enabled, String protocol, String endpoint, double samplerRatio) {

  public static final String HTTP_PROTOBUF = "http/protobuf";
  public static final String GRPC = "grpc";

  static TracingConfig from(ConfigValues v) {
    boolean enabled = v.bool("tracing.enabled", false);
    String protocol = v.oneOf("tracing.otlpProtocol", HTTP_PROTOBUF, HTTP_PROTOBUF, GRPC);
    String endpoint =
        v.string(
            "tracing.otlpEndpoint",
            GRPC.equals(protocol) ? "http://localhost:4317" : "http://localhost:4318/v1/traces");
    if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
      throw new ConfigException(
          "tracing.otlpEndpoint", "must be an http:// or https:// URL, got '" + endpoint + "'");
    }
    return new TracingConfig(enabled, protocol, endpoint, ratio(v));
  }

  private static double ratio(ConfigValues v) {
    String raw = v.raw("tracing.samplerRatio");
    if (raw == null) return 0.1;
    try {
      double d = Double.parseDouble(raw);
      if (d >= 0 && d <= 1) return d;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(
        "tracing.samplerRatio", "must be a number from 0 to 1, got '" + raw + "'");
  }
}
