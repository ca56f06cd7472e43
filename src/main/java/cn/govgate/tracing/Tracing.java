package cn.govgate.tracing;

import cn.govgate.config.TracingConfig;
import cn.govgate.error.ApiException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VertxBuilder;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.spi.context.storage.ContextLocal;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import io.vertx.tracing.opentelemetry.VertxContextStorageProvider.VertxContextStorage;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The gateway's tracing: off (no tracer in Vert.x, every method here a branch on a final field) or
 * an OpenTelemetry SDK exporting over OTLP, made once per gateway and never installed globally.
 *
 * <p>When on, Vert.x makes the server span of every request (the public server with {@code
 * TracingPolicy.ALWAYS}), a client span for every department and channel call and every SQL
 * statement made inside a request ({@code PROPAGATE}: background jobs start no trace), and injects
 * W3C {@code traceparent} into outgoing requests. The gateway adds its own spans with {@link
 * #span(String)} (synchronous work) and {@link #around(String, Function)} (asynchronous work whose
 * Vert.x client spans must be its children). An incoming {@code traceparent} is only linked, never
 * joined ({@link ClientTraceLink}); what is exported is redacted ({@link RedactingExporter}).
 */
public final class Tracing {
  /** No tracing: Vert.x gets no tracer, {@link #span} and {@link #around} cost a field read. */
  public static final Tracing OFF = new Tracing(null);

  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  /**
   * Whether any gateway of this JVM traces; read by {@link TraceLogAppender} before it looks for a
   * span, so logging costs nothing more while tracing is off.
   */
  static volatile boolean anyOn;

  /**
   * The server span's context of the request a (duplicated) Vert.x context serves. Vert.x detaches
   * the server span from the context when the response is sent, before the access log and the end
   * handlers run; this keeps the ids for their log lines. Registered before any gateway's Vert.x
   * exists (this class is loaded first), so every gateway's contexts have the slot.
   */
  static final ContextLocal<SpanContext> REQUEST = ContextLocal.registerLocal(SpanContext.class);

  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
    this.tracer = sdk == null ? null : sdk.getTracer("cn.govgate");
    if (sdk != null) anyOn = true;
  }

  /** Tracing as configured: {@link #OFF} unless {@code tracing.enabled}, else OTLP export. */
  public static Tracing create(TracingConfig config) {
    if (!config.enabled()) return OFF;
    SpanExporter exporter =
        TracingConfig.GRPC.equals(config.protocol())
            ? OtlpGrpcSpanExporter.builder().setEndpoint(config.endpoint()).build()
            : OtlpHttpSpanExporter.builder().setEndpoint(config.endpoint()).build();
    return exportingTo(exporter, config.samplerRatio());
  }

  /**
   * Tracing on, exporting (batched, redacted) to {@code exporter}: an embedding program's own
   * exporter, e.g. the SDK's in-memory one in tests.
   */
  public static Tracing exportingTo(SpanExporter exporter, double samplerRatio) {
    SpanProcessor batch =
        BatchSpanProcessor.builder(new RedactingExporter(exporter))
            .setScheduleDelay(200, TimeUnit.MILLISECONDS)
            .build();
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.of(
                        AttributeKey.stringKey("service.name"),
                        "govgate",
                        AttributeKey.stringKey("service.instance.id"),
                        UUID.randomUUID().toString())));
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(resource)
            .setSampler(new GatewaySampler(samplerRatio))
            .addSpanProcessor(new ClientTraceLink.Linker())
            .addSpanProcessor(batch)
            .build();
    return new Tracing(
        OpenTelemetrySdk.builder()
            .setTracerProvider(provider)
            .setPropagators(ContextPropagators.create(new ClientTraceLink()))
            .build());
  }

  public boolean on() {
    return sdk != null;
  }

  /** Installs the tracer in the Vert.x being built (nothing when off). */
  public VertxBuilder install(VertxBuilder builder) {
    return sdk == null ? builder : builder.withTracer(new OpenTelemetryTracingFactory(sdk));
  }

  /**
   * Starts a child of the current span for synchronous work; the caller ends it. The invalid span
   * (a no-op, nothing allocated) when tracing is off or the current request is not traced.
   */
  public Span span(String name) {
    if (tracer == null) return Span.getInvalid();
    io.opentelemetry.context.Context parent = io.opentelemetry.context.Context.current();
    if (!Span.fromContext(parent).getSpanContext().isValid()) return Span.getInvalid();
    return tracer.spanBuilder(name).setParent(parent).startSpan();
  }

  /**
   * Runs asynchronous {@code work} inside a child span of the current one, on a duplicate of the
   * calling Vert.x context that carries the span, so the Vert.x client spans the work makes (HTTP,
   * SQL) are its children however late their connection comes; the result is delivered back on the
   * caller's context. The span ends when the work's Future completes, with {@code error.type} (the
   * catalogue code of an {@link ApiException}, else the exception's class) on failure. When off or
   * outside a traced request: {@code work} with the invalid span, nothing else.
   */
  public <T> Future<T> around(String name, Function<Span, Future<T>> work) {
    if (tracer == null) return work.apply(Span.getInvalid());
    ContextInternal caller = ContextInternal.current();
    io.opentelemetry.context.Context parent = io.opentelemetry.context.Context.current();
    if (caller == null || !Span.fromContext(parent).getSpanContext().isValid()) {
      return work.apply(Span.getInvalid());
    }
    Span span = tracer.spanBuilder(name).setParent(parent).startSpan();
    ContextInternal inner = caller.duplicate(true);
    VertxContextStorage.INSTANCE.attach(inner, parent.with(span));
    PromiseInternal<T> back = caller.promise();
    inner.dispatch(
        span,
        s -> {
          Future<T> f;
          try {
            f = work.apply(s);
          } catch (RuntimeException e) {
            f = Future.failedFuture(e);
          }
          f.onComplete(
              ar -> {
                if (ar.failed()) failed(s, ar.cause());
                s.end();
                back.handle(ar);
              });
        });
    return back.future();
  }

  /**
   * Remembers the current server span as the request's, for the log lines written after Vert.x
   * detached it (see {@link TraceLogAppender}); called at the start of routing when tracing is on.
   */
  public static void rememberRequest(Span server) {
    ContextInternal context = ContextInternal.current();
    SpanContext span = server.getSpanContext();
    if (context != null && span.isValid()) REQUEST.put(context, span);
  }

  /** Marks {@code span} failed with a bounded, non-personal error type. */
  public static void failed(Span span, Throwable cause) {
    span.setStatus(StatusCode.ERROR);
    span.setAttribute(
        ERROR_TYPE,
        cause instanceof ApiException api ? api.code() : cause.getClass().getSimpleName());
  }

  /** Exports what is buffered and stops the SDK (nothing when off). */
  public Future<Void> close() {
    if (sdk == null) return Future.succeededFuture();
    return done(sdk.shutdown());
  }

  /** Exports what is buffered now; tests use it instead of waiting for the batch delay. */
  public Future<Void> flush() {
    if (sdk == null) return Future.succeededFuture();
    return done(sdk.getSdkTracerProvider().forceFlush());
  }

  /** Completes when the SDK's operation has, whatever its outcome (export is best effort). */
  private static Future<Void> done(CompletableResultCode code) {
    Promise<Void> done = Promise.promise();
    code.whenComplete(done::tryComplete);
    return done.future();
  }
}
