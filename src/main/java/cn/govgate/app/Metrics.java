package cn.govgate.app;

import cn.govgate.http.MethodLabel;
import cn.govgate.tracing.Tracing;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

/**
 * The meter registry and the Vert.x instance reporting to it: made once per gateway, passed to
 * every concern.
 */
public final class Metrics {
  private Metrics() {}

  /** A Prometheus registry with the JVM and process metrics bound. */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Names promtool's lint accepts: no "_count" suffix on a gauge, no counter in nanoseconds
    // (process_cpu_usage
    // stays).
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count")
                    ? id.withName("system.cpu.cores")
                    : id;
              }
            });
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /**
   * A Vert.x instance reporting to {@code registry}: HTTP server and client requests by method and
   * status (no route: Vert.x joins the routes a request passed with ">", so one endpoint would show
   * under several labels; the gateway's own {@code govgate_http_server_requests_seconds} carries
   * the route template), pool metrics. The method is not Vert.x's {@code HTTP_METHOD} label, which
   * is whatever token a client sent (one series per token): it is {@link MethodLabel}'s bounded
   * value, given per request from a precomputed tag set.
   */
  public static Vertx newVertx(PrometheusMeterRegistry registry) {
    return newVertx(registry, Tracing.OFF);
  }

  /** As {@link #newVertx(PrometheusMeterRegistry)}, with {@code tracing}'s tracer when it is on. */
  public static Vertx newVertx(PrometheusMeterRegistry registry, Tracing tracing) {
    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(false)
            .setLabels(EnumSet.of(Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME))
            .setServerRequestTagsProvider(request -> MethodLabel.tags(request.method().name()))
            .setClientRequestTagsProvider(request -> MethodLabel.tags(request.method().name()));
    VertxBuilder builder =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setMetricsOptions(metrics)
                    .setPreferNativeTransport(false)
                    // Tests lower this (surefire sets the property) so that the blocked-thread
                    // checker is loud.
                    .setMaxEventLoopExecuteTime(
                        Long.getLong("govgate.maxEventLoopExecuteTimeMs", 2000))
                    .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS))
            .withMetrics(new MicrometerMetricsFactory(registry));
    return tracing.install(builder).build();
  }
}
