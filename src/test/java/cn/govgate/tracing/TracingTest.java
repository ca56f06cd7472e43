package cn.govgate.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import cn.govgate.app.Gateway;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.registry.RegistryFixture;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * Tracing end to end with the SDK's in-memory exporter: a real gateway (embedded PostgreSQL, the
 * WeChat simulator for the login, a social-security department simulator) traced at ratio 1. One
 * citizen request is one trace — server, session check, department call with its attributes, the
 * HTTP client span under it, SQL — the department receives a {@code traceparent} of that trace (and
 * still verifies the request signature), no attribute of any span carries the citizen's personal
 * data or credentials, a client's {@code traceparent} is linked and not joined, and the request's
 * log lines carry its trace id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingTest {
  private static final String HZ = SyntheticCitizens.HANGZHOU;
  private static final String ACCOUNT = "/v1/social-security/account";
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private GatewayTestBed bed;
  private DepartmentSimulator social;
  private SyntheticCitizen person;
  private String openid;
  private String token;

  @BeforeAll
  void start() throws Exception {
    bed = new GatewayTestBed(20, 1307L, TestClock.running());
    // The same settings and database, now with tracing exporting to memory at ratio 1.
    bed.stopGateway();
    bed.gateway =
        Gateway.start(
                GovgateConfig.from(ConfigValues.of(bed.settings)),
                bed.clock,
                Map.of(),
                Tracing.exportingTo(exporter, 1.0))
            .await(2, TimeUnit.MINUTES);
    social =
        bed.department("hz-rsj", DepartmentFamily.SOCIAL_SECURITY, HZ, "social-security.account");
    person =
        bed.identity.people.stream()
            .filter(p -> p.homeRegion().equals(HZ))
            .findFirst()
            .orElseThrow();
    openid = bed.identity.wechatUser(person);
    token = bed.identity.wechatToL3(bed.gateway, openid, person);
  }

  @AfterAll
  void stop() throws Exception {
    if (bed != null) bed.close();
  }

  @Test
  void oneCitizenRequestIsOneTraceThatReachesTheDepartment() {
    flush();
    Set<String> before =
        exporter.getFinishedSpanItems().stream()
            .map(SpanData::getSpanId)
            .collect(Collectors.toSet());
    HttpResponse<String> answer = bed.get(ACCOUNT + "?region=" + HZ, token);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

    SpanData server = serverSpan(ACCOUNT, s -> !before.contains(s.getSpanId()));
    String traceId = server.getTraceId();
    List<SpanData> trace = spansOf(traceId);
    assertThat(server.getName()).isEqualTo("GET " + ACCOUNT);
    assertThat(server.getParentSpanContext().isValid()).isFalse();
    assertThat(server.getLinks()).isEmpty();
    assertThat(server.getAttributes().get(AttributeKey.stringKey("http.response.status_code")))
        .isEqualTo("200");

    SpanData session = named(trace, "session.check");
    assertThat(session.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(session.getAttributes().get(AttributeKey.stringKey("govgate.session.outcome")))
        .isEqualTo("valid");
    assertThat(session.getAttributes().get(AttributeKey.stringKey("govgate.session.level")))
        .isEqualTo("L3");

    SpanData department = named(trace, "department.call");
    Attributes a = department.getAttributes();
    assertThat(a.get(AttributeKey.stringKey("govgate.department.id"))).isEqualTo("hz-rsj");
    assertThat(a.get(AttributeKey.stringKey("govgate.service.type")))
        .isEqualTo("social-security.account");
    assertThat(a.get(AttributeKey.stringKey("govgate.region"))).isEqualTo(HZ);
    assertThat(a.get(AttributeKey.stringKey("govgate.backend.id"))).isNotBlank();
    assertThat(a.get(AttributeKey.booleanKey("govgate.department.stale"))).isFalse();
    assertThat(isBelow(trace, department, server)).isTrue();

    // Vert.x's HTTP client span of the signed POST, under the department call.
    SpanData http =
        trace.stream()
            .filter(s -> s.getKind() == SpanKind.CLIENT && s.getName().startsWith("department "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no department client span in " + names(trace)));
    assertThat(http.getParentSpanId()).isEqualTo(department.getSpanId());
    assertThat(http.getAttributes().get(AttributeKey.stringKey("url.full")))
        .startsWith("http://")
        .doesNotContain("?");

    // Database work inside the request (the citizen's record, the interaction, the audit record).
    List<SpanData> sql =
        trace.stream()
            .filter(s -> s.getAttributes().get(AttributeKey.stringKey("db.system")) != null)
            .toList();
    assertThat(sql).as("%s", names(trace)).isNotEmpty();
    assertThat(sql)
        .allSatisfy(
            s ->
                assertThat(s.getAttributes().get(AttributeKey.stringKey("db.query.text")))
                    .isNotBlank());

    // The department got the gateway's traceparent, naming the client span as its parent; its
    // signature check passed (the answer is 200), so the signed header set is unaffected.
    // (flags: sampled, and in OpenTelemetry 1.68 the W3C level 2 "random trace id" bit).
    assertThat(social.traceparentsSeen())
        .anySatisfy(
            tp -> assertThat(tp).matches("00-" + traceId + "-" + http.getSpanId() + "-0[13]"));
  }

  @Test
  void noSpanCarriesPersonalDataOrCredentials() {
    // Login (WeChat code exchange, real name, face) ran in @BeforeAll; add a query and a refusal.
    assertThat(bed.get(ACCOUNT + "?region=" + HZ, token).statusCode()).isEqualTo(200);
    assertThat(
            bed.get(ACCOUNT + "?region=" + HZ + "&idNumber=" + person.idNumber(), token)
                .statusCode())
        .isLessThan(500);
    assertThat(bed.get(ACCOUNT + "?region=" + HZ, token + "x").statusCode()).isEqualTo(401);
    flush();
    List<SpanData> all = exporter.getFinishedSpanItems();
    assertThat(all).hasSizeGreaterThan(10);
    assertThat(all.stream().anyMatch(s -> s.getName().startsWith("wechat "))).isTrue();
    List<String> secrets =
        List.of(person.idNumber(), person.name(), person.phone(), token, openid, signature(token));
    for (SpanData span : all) {
      List<String> values = new ArrayList<>();
      values.add(span.getName());
      collect(span.getAttributes(), values);
      for (EventData e : span.getEvents()) collect(e.getAttributes(), values);
      for (LinkData l : span.getLinks()) collect(l.getAttributes(), values);
      values.add(span.getStatus().getDescription());
      for (String value : values) {
        for (String secret : secrets) {
          assertThat(value)
              .as("span %s carries personal data or a credential", span.getName())
              .doesNotContain(secret);
        }
      }
      assertThat(span.getAttributes().get(AttributeKey.stringKey("url.query"))).isNull();
      assertThat(span.getAttributes().get(AttributeKey.stringKey("http.url"))).isNull();
      String full = span.getAttributes().get(AttributeKey.stringKey("url.full"));
      if (full != null) assertThat(full).doesNotContain("?");
    }
    // A refused session is a failed session.check span.
    SpanData refused =
        all.stream()
            .filter(s -> s.getName().equals("session.check"))
            .filter(
                s ->
                    "invalid"
                        .equals(
                            s.getAttributes()
                                .get(AttributeKey.stringKey("govgate.session.outcome"))))
            .findFirst()
            .orElseThrow();
    assertThat(refused.getStatus().getStatusCode().name()).isEqualTo("ERROR");
  }

  @Test
  void aClientTraceparentIsLinkedNotJoined() {
    String clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String clientSpan = "00f067aa0ba902b7";
    Map<String, String> headers = new HashMap<>(Map.of("Authorization", "Bearer " + token));
    headers.put("traceparent", "00-" + clientTrace + "-" + clientSpan + "-01");
    int before = social.traceparentsSeen().size();
    assertThat(Http.get(bed.gateway.baseUrl() + ACCOUNT + "?region=" + HZ, headers).statusCode())
        .isEqualTo(200);

    SpanData server = serverSpan(ACCOUNT, s -> !s.getLinks().isEmpty());
    assertThat(server.getTraceId()).isNotEqualTo(clientTrace);
    assertThat(server.getParentSpanContext().isValid()).isFalse();
    assertThat(server.getLinks())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.getSpanContext().getTraceId()).isEqualTo(clientTrace);
              assertThat(l.getSpanContext().getSpanId()).isEqualTo(clientSpan);
            });
    // What the department sees is the gateway's trace, never the client's.
    List<String> seen = social.traceparentsSeen();
    assertThat(seen.subList(before, seen.size()))
        .singleElement()
        .satisfies(tp -> assertThat(tp).contains(server.getTraceId()).doesNotContain(clientTrace));
  }

  @Test
  void theLogLinesOfATracedRequestCarryItsTraceId() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    TraceLogAppender async = (TraceLogAppender) root.getAppender("ASYNC");
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> json =
        (OutputStreamAppender<ILoggingEvent>) async.getAppender("JSON");
    // An AsyncAppender takes one appender only: capture on the access logger instead. The event
    // object is the one the root's TraceLogAppender then preprocesses on the logging thread, so
    // by the time the log call returns it carries the ids the JSON line is written with.
    Logger access = context.getLogger("govgate.access");
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(context);
    captured.start();
    access.addAppender(captured);
    HttpResponse<String> answer;
    try {
      answer = bed.get(ACCOUNT + "?region=" + HZ, token);
      assertThat(answer.statusCode()).isEqualTo(200);
      RegistryFixture.waitFor(
          () -> accessLines(captured, json, answer).size() == 1, Duration.ofSeconds(10));
    } finally {
      access.detachAppender(captured);
    }
    String line = accessLines(captured, json, answer).get(0);
    String requestId = answer.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(line).contains("\"requestId\":\"" + requestId + "\"");
    Matcher ids =
        Pattern.compile("\"traceId\":\"([0-9a-f]{32})\",\"spanId\":\"([0-9a-f]{16})\"")
            .matcher(line);
    assertThat(ids.find()).as(line).isTrue();
    // The ids are those of this request's server span (every request is a trace of its own).
    SpanData server = serverSpan(ACCOUNT, s -> s.getTraceId().equals(ids.group(1)));
    assertThat(server.getSpanId()).isEqualTo(ids.group(2));
  }

  private static List<String> accessLines(
      ListAppender<ILoggingEvent> captured,
      OutputStreamAppender<ILoggingEvent> json,
      HttpResponse<String> answer) {
    String requestId = answer.headers().firstValue("X-Request-Id").orElseThrow();
    return List.copyOf(captured.list).stream()
        .filter(e -> e.getLoggerName().equals("govgate.access"))
        .map(e -> new String(json.getEncoder().encode(e), StandardCharsets.UTF_8))
        .filter(l -> l.contains(requestId))
        .toList();
  }

  private void flush() {
    try {
      bed.gateway.tracing().flush().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The finished server span of {@code route} that {@code which} accepts, once exported. */
  private SpanData serverSpan(String route, Predicate<SpanData> which) {
    SpanData[] found = new SpanData[1];
    RegistryFixture.waitFor(
        () -> {
          flush();
          found[0] =
              exporter.getFinishedSpanItems().stream()
                  .filter(s -> s.getKind() == SpanKind.SERVER)
                  .filter(s -> route.equals(s.getAttributes().get(ROUTE)))
                  .filter(which)
                  .findFirst()
                  .orElse(null);
          return found[0] != null;
        },
        Duration.ofSeconds(10));
    return found[0];
  }

  private List<SpanData> spansOf(String traceId) {
    flush();
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getTraceId().equals(traceId))
        .toList();
  }

  private static SpanData named(List<SpanData> trace, String name) {
    return trace.stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " span in " + names(trace)));
  }

  private static boolean isBelow(List<SpanData> trace, SpanData span, SpanData ancestor) {
    SpanData current = span;
    while (current != null && current.getParentSpanContext().isValid()) {
      if (current.getParentSpanId().equals(ancestor.getSpanId())) return true;
      String parent = current.getParentSpanId();
      current = trace.stream().filter(s -> s.getSpanId().equals(parent)).findFirst().orElse(null);
    }
    return false;
  }

  private static List<String> names(List<SpanData> trace) {
    return trace.stream().map(s -> s.getKind() + ":" + s.getName()).toList();
  }

  private static void collect(Attributes attributes, List<String> into) {
    attributes.forEach((k, v) -> into.add(k.getKey() + "=" + v));
  }

  private static String signature(String jwt) {
    return jwt.substring(jwt.lastIndexOf('.') + 1);
  }
}
