package cn.govgate.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.Collection;

/**
 * W3C Trace Context in both directions, with the gateway's rule for what clients send: a {@code
 * traceparent} from a citizen's app or any other caller is <em>linked</em>, not joined. The
 * gateway's server span starts a trace of its own (its own trace id, its own sampling decision) and
 * carries a link to the client's span context, so an operator can still find the client's trace,
 * but an untrusted client can neither choose the trace id the gateway's spans, logs and departments
 * see, nor force sampling (and export cost) by setting the sampled flag. Outgoing requests
 * (departments, channels) carry the gateway's own {@code traceparent}.
 */
final class ClientTraceLink implements TextMapPropagator {
  /** The client's span context, kept beside (not as) the parent of the server span. */
  static final ContextKey<SpanContext> CLIENT = ContextKey.named("govgate.client-trace");

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  @Override
  public Collection<String> fields() {
    return W3C.fields();
  }

  @Override
  public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
    W3C.inject(context, carrier, setter);
  }

  @Override
  public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
    SpanContext client =
        Span.fromContext(W3C.extract(Context.root(), carrier, getter)).getSpanContext();
    return client.isValid() ? context.with(CLIENT, client) : context;
  }

  /** Adds the link to the server span, the one span started with the client's context beside it. */
  static final class Linker implements SpanProcessor {
    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
      if (span.getKind() != SpanKind.SERVER) return;
      SpanContext client = parentContext.get(CLIENT);
      if (client != null) span.addLink(client);
    }

    @Override
    public boolean isStartRequired() {
      return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }
  }
}
