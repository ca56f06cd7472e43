package cn.govgate.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What leaves the process carries no personal data. Vert.x records the raw request target on server
 * spans ({@code http.url}, {@code url.path}, {@code url.query}) and the full URL on client spans
 * ({@code url.full}), and a failure's message on exception events; query strings carry a vehicle
 * plate, a consent id, a channel's {@code access_token} or {@code js_code}, paths a client's junk.
 * So, on the exporter's thread (never the request's): the server span keeps its route template
 * ({@code http.route}, set by the gateway) instead of its path and query; a client span's URL loses
 * its query; an exception event keeps its type only. SQL spans carry the statement text, which is
 * parameterised ({@code $1}…): Vert.x's SQL tracing records no bind value.
 */
final class RedactingExporter implements SpanExporter {
  private static final Set<String> DROPPED = Set.of("http.url", "url.path", "url.query");
  private static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  private static final Set<String> EXCEPTION_KEPT = Set.of("exception.type");

  private final SpanExporter delegate;

  RedactingExporter(SpanExporter delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    List<SpanData> redacted = new ArrayList<>(spans.size());
    for (SpanData span : spans) redacted.add(new Redacted(span));
    return delegate.export(redacted);
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }

  static Attributes redact(Attributes attributes) {
    AttributesBuilder out = Attributes.builder();
    attributes.forEach(
        (key, value) -> {
          if (DROPPED.contains(key.getKey())) return;
          if (key.getKey().equals(URL_FULL.getKey())) {
            out.put(URL_FULL, withoutQuery(String.valueOf(value)));
            return;
          }
          @SuppressWarnings("unchecked")
          AttributeKey<Object> k = (AttributeKey<Object>) key;
          out.put(k, value);
        });
    return out.build();
  }

  static String withoutQuery(String url) {
    int cut = url.length();
    int q = url.indexOf('?');
    if (q >= 0) cut = q;
    int f = url.indexOf('#');
    if (f >= 0 && f < cut) cut = f;
    return url.substring(0, cut);
  }

  private static EventData redact(EventData event) {
    if (!event.getName().equals("exception")) return event;
    AttributesBuilder kept = Attributes.builder();
    event
        .getAttributes()
        .forEach(
            (key, value) -> {
              if (EXCEPTION_KEPT.contains(key.getKey())) {
                @SuppressWarnings("unchecked")
                AttributeKey<Object> k = (AttributeKey<Object>) key;
                kept.put(k, value);
              }
            });
    Attributes attributes = kept.build();
    return EventData.create(event.getEpochNanos(), event.getName(), attributes);
  }

  private static final class Redacted extends DelegatingSpanData {
    private final Attributes attributes;
    private final List<EventData> events;

    Redacted(SpanData span) {
      super(span);
      this.attributes = redact(span.getAttributes());
      List<EventData> ev = new ArrayList<>(span.getEvents().size());
      for (EventData e : span.getEvents()) ev.add(redact(e));
      this.events = ev;
    }

    @Override
    public Attributes getAttributes() {
      return attributes;
    }

    @Override
    public List<EventData> getEvents() {
      return events;
    }

    @Override
    public int getTotalAttributeCount() {
      return attributes.size();
    }
  }
}
