package cn.govgate.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;

/**
 * One sampling decision per request, taken at the gateway's server span ({@code
 * tracing.samplerRatio} of trace ids) and followed by every span below it; the probes ({@code
 * /health/*}, {@code /metrics}) are never recorded.
 */
final class GatewaySampler implements Sampler {
  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");

  private final Sampler delegate;
  private final double ratio;

  GatewaySampler(double ratio) {
    this.ratio = ratio;
    this.delegate = Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
  }

  @Override
  public SamplingResult shouldSample(
      Context parentContext,
      String traceId,
      String name,
      SpanKind spanKind,
      Attributes attributes,
      List<LinkData> parentLinks) {
    if (spanKind == SpanKind.SERVER) {
      String path = attributes.get(URL_PATH);
      if (path != null && (path.startsWith("/health/") || path.equals("/metrics"))) {
        return SamplingResult.drop();
      }
    }
    return delegate.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
  }

  @Override
  public String getDescription() {
    return "GatewaySampler{ratio=" + ratio + ", probes dropped}";
  }
}
