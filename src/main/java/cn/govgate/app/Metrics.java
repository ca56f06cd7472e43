package cn.govgate.app;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

/** The meter registry and the Vert.x instance reporting to it: made once per gateway, passed to every concern. */
public final class Metrics {
  private Metrics() {}

  /** A Prometheus registry with the JVM and process metrics bound. */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Vert.x joins a sub-router's template to its mount point with ">" ("/v1/>/proofs/:serial"); show the
    // template as clients see it. The value stays a template, never a raw path.
    registry.config().meterFilter(MeterFilter.replaceTagValues("route", r -> r.replace("/>/", "/")));
    // Latency buckets for HTTP server requests, so dashboards and alerts can read p99 per route.
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().equals("vertx.http.server.response.time")) return config;
        return DistributionStatisticConfig.builder()
            .percentilesHistogram(true)
            .minimumExpectedValue(Duration.ofMillis(1).toNanos() * 1.0)
            .maximumExpectedValue(Duration.ofSeconds(30).toNanos() * 1.0)
            .build()
            .merge(config);
      }
    });
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /**
   * A Vert.x instance reporting to {@code registry}: HTTP server requests by route template (never the raw
   * path), method and status; client, pool and event-bus metrics.
   */
  public static Vertx newVertx(PrometheusMeterRegistry registry) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(false)
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE,
            Label.POOL_NAME));
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metrics).setPreferNativeTransport(false)
            // Tests lower this (surefire sets the property) so that the blocked-thread checker is loud.
            .setMaxEventLoopExecuteTime(Long.getLong("govgate.maxEventLoopExecuteTimeMs", 2000))
            .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }
}
