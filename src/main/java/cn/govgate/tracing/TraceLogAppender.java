package cn.govgate.tracing;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.internal.ContextInternal;
import org.slf4j.event.KeyValuePair;

/**
 * The asynchronous appender of {@code logback.xml}, which also writes the request's {@code traceId}
 * and {@code spanId} into each line logged while a traced request is current. The span is read on
 * the logging thread, before the event is queued, from the OpenTelemetry context Vert.x keeps in
 * the request's (duplicated) Vert.x context — not from a thread-local, since one request hops
 * between handlers and a thread serves many requests. The ids go in as key-value pairs, which the
 * Logstash encoder writes as fields. While no gateway traces, this is one volatile read per line.
 */
public class TraceLogAppender extends AsyncAppender {
  public static final String TRACE_ID = "traceId";
  public static final String SPAN_ID = "spanId";

  @Override
  protected void preprocess(ILoggingEvent event) {
    if (Tracing.anyOn && event instanceof LoggingEvent e) {
      SpanContext span = current();
      if (span != null) {
        e.addKeyValuePair(new KeyValuePair(TRACE_ID, span.getTraceId()));
        e.addKeyValuePair(new KeyValuePair(SPAN_ID, span.getSpanId()));
      }
    }
    super.preprocess(event);
  }

  /**
   * The current span (session check, department call, server span), else the request's server span
   * once Vert.x has detached it (access log, end handlers); null off a Vert.x context.
   */
  private static SpanContext current() {
    ContextInternal context = ContextInternal.current();
    if (context == null) return null;
    try {
      SpanContext span = Span.current().getSpanContext();
      if (span.isValid()) return span;
      return Tracing.REQUEST.get(context);
    } catch (IllegalArgumentException e) {
      // A Vert.x instance made before tracing was loaded (another program in the same JVM, e.g.
      // the demo's simulators) has no slot for either local: nothing to correlate there.
      return null;
    }
  }
}
