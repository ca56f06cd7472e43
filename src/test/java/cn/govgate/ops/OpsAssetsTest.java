package cn.govgate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Metrics;
import cn.govgate.config.HttpConfig;
import cn.govgate.http.Readiness;
import cn.govgate.http.Routes;
import cn.govgate.http.ServerVerticle;
import cn.govgate.http.Surface;
import cn.govgate.resilience.DepartmentMetrics;
import cn.govgate.resilience.DepartmentMetrics.Outcome;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The operations assets under {@code ops/} use exactly the metric names, endpoints and
 * configuration keys the code produces. The metric list below is derived from the code by hand;
 * each entry also names the text that must appear in the main sources (the meter name literal, or
 * the binder that produces it), so renaming a meter or dropping a binder fails here rather than
 * silently emptying a dashboard or muting an alert.
 */
class OpsAssetsTest {
  private static final Path OPS = Path.of("..", "ops");
  private static final List<Path> MAIN_SOURCES =
      List.of(
          Path.of("main", "java"),
          Path.of("..", "channel-adapters", "spi", "src", "main", "java"),
          Path.of("..", "channel-adapters", "alipay", "src", "main", "java"),
          Path.of("..", "channel-adapters", "wechat", "src", "main", "java"));

  /** Prometheus name → text in the main sources that proves the code produces it. */
  private static final Map<String, String> KNOWN_METRICS = knownMetrics();

  /** Metrics Prometheus itself attaches to every target. */
  private static final Set<String> PROMETHEUS_BUILTIN = Set.of("up");

  private static final Set<String> PROMQL_WORDS =
      Set.of(
          "sum",
          "min",
          "max",
          "avg",
          "count",
          "stddev",
          "topk",
          "bottomk",
          "quantile",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "rate",
          "irate",
          "increase",
          "delta",
          "deriv",
          "histogram_quantile",
          "label_replace",
          "label_join",
          "absent",
          "abs",
          "clamp_min",
          "clamp_max",
          "max_over_time",
          "min_over_time",
          "avg_over_time",
          "vector",
          "scalar",
          "time",
          "predict_linear");

  private static Map<String, String> knownMetrics() {
    Map<String, String> m = new LinkedHashMap<>();
    // Gateway meters: Timers get _seconds_count/_sum/_max (+ _bucket with a histogram, bare
    // _seconds with
    // client-side percentiles), Counters _total, Gauges the plain name.
    timer(m, "govgate.department.calls", true, false);
    timer(m, "govgate.channel.calls", false, false);
    timer(m, "govgate.eventloop.lag", false, true);
    m.put(
        prometheusName("govgate.department.stale_serves") + "_total",
        literal("govgate.department.stale_serves"));
    m.put(
        prometheusName("govgate.breaker.transitions") + "_total",
        literal("govgate.breaker.transitions"));
    m.put(prometheusName("govgate.department.health"), literal("govgate.department.health"));
    m.put(prometheusName("govgate.audit.backlog"), literal("govgate.audit.backlog"));
    m.put(prometheusName("govgate.audit.records") + "_total", literal("govgate.audit.records"));
    m.put(
        prometheusName("govgate.audit.write_failures") + "_total",
        literal("govgate.audit.write_failures"));
    m.put(prometheusName("govgate.payments") + "_total", literal("govgate.payments"));
    m.put(
        prometheusName("govgate.payments.deliveries") + "_total",
        literal("govgate.payments.deliveries"));
    m.put(
        prometheusName("govgate.payments.outbox.backlog"),
        literal("govgate.payments.outbox.backlog"));
    m.put(
        prometheusName("govgate.payments.outbox.lag.seconds"),
        literal("govgate.payments.outbox.lag.seconds"));
    m.put(prometheusName("govgate.identity.logins") + "_total", literal("govgate.identity.logins"));
    m.put(
        prometheusName("govgate.identity.verifications") + "_total",
        literal("govgate.identity.verifications"));
    // Consultations and complaints, the holiday calendar, reminders and the published service
    // levels.
    m.put(prometheusName("govgate.complaints.overdue"), literal("govgate.complaints.overdue"));
    m.put(
        prometheusName("govgate.complaints.marked_overdue") + "_total",
        literal("govgate.complaints.marked_overdue"));
    m.put(
        prometheusName("govgate.complaints.filed") + "_total", literal("govgate.complaints.filed"));
    m.put(
        prometheusName("govgate.complaints.replies") + "_total",
        literal("govgate.complaints.replies"));
    m.put(
        prometheusName("govgate.calendar.coverage.seconds"),
        literal("govgate.calendar.coverage.seconds"));
    m.put(prometheusName("govgate.reminders") + "_total", literal("govgate.reminders"));
    m.put(prometheusName("govgate.reminders.backlog"), literal("govgate.reminders.backlog"));
    for (String g :
        List.of(
            "calls",
            "availability",
            "error_ratio",
            "stale_ratio",
            "latency_seconds",
            "on_time_reply_ratio",
            "satisfaction_ratio",
            "median_reply_seconds",
            "rectification_on_time_ratio")) {
      m.put("govgate_service_level_" + g, literal("govgate.service_level." + g));
    }
    // The gateway's request timer (route template, method, status), recorded with the access log.
    timer(m, "govgate.http.server.requests", true, false);
    // Vert.x Micrometer metrics (HTTP server by method and code, pools with type/name labels, SQL
    // client).
    for (String s :
        List.of(
            "vertx_http_server_requests_total",
            "vertx_http_server_response_time_seconds_count",
            "vertx_http_server_response_time_seconds_sum",
            "vertx_http_server_response_time_seconds_max",
            "vertx_http_server_active_requests",
            "vertx_http_server_active_connections")) {
      m.put(s, "Label.HTTP_CODE");
    }
    for (String s :
        List.of(
            "vertx_pool_in_use",
            "vertx_pool_queue_pending",
            "vertx_pool_ratio",
            "vertx_pool_queue_time_seconds_sum",
            "vertx_pool_queue_time_seconds_count",
            "vertx_pool_completed_total",
            "vertx_pool_usage_seconds_sum",
            "vertx_pool_usage_seconds_count")) {
      m.put(s, "Label.POOL_TYPE");
    }
    // resilience4j-micrometer tagged metrics, bound by DepartmentMetrics.bindRegistries.
    for (String s :
        List.of(
            "resilience4j_circuitbreaker_state",
            "resilience4j_circuitbreaker_failure_rate",
            "resilience4j_circuitbreaker_slow_call_rate",
            "resilience4j_circuitbreaker_calls_seconds_count",
            "resilience4j_circuitbreaker_calls_seconds_sum",
            "resilience4j_circuitbreaker_not_permitted_calls_total",
            "resilience4j_circuitbreaker_buffered_calls")) {
      m.put(s, "TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry");
    }
    for (String s :
        List.of(
            "resilience4j_bulkhead_available_concurrent_calls",
            "resilience4j_bulkhead_max_allowed_concurrent_calls")) {
      m.put(s, "TaggedBulkheadMetrics.ofBulkheadRegistry");
    }
    // Micrometer JVM and process binders bound in Metrics.newRegistry.
    for (String s :
        List.of(
            "jvm_memory_used_bytes",
            "jvm_memory_max_bytes",
            "jvm_memory_committed_bytes",
            "jvm_buffer_memory_used_bytes")) {
      m.put(s, "new JvmMemoryMetrics()");
    }
    for (String s :
        List.of(
            "jvm_gc_pause_seconds_sum", "jvm_gc_pause_seconds_count", "jvm_gc_pause_seconds_max")) {
      m.put(s, "new JvmGcMetrics()");
    }
    m.put("jvm_threads_live_threads", "new JvmThreadMetrics()");
    m.put("process_cpu_usage", "new ProcessorMetrics()");
    m.put("system_cpu_usage", "new ProcessorMetrics()");
    m.put("process_uptime_seconds", "new UptimeMetrics()");
    return m;
  }

  private static void timer(
      Map<String, String> m, String meter, boolean histogram, boolean percentiles) {
    String base = prometheusName(meter) + "_seconds";
    for (String suffix : List.of("_count", "_sum", "_max")) m.put(base + suffix, literal(meter));
    if (histogram) m.put(base + "_bucket", literal(meter));
    if (percentiles) m.put(base, literal(meter));
  }

  private static String prometheusName(String meter) {
    return meter.replace('.', '_');
  }

  private static String literal(String meter) {
    return "\"" + meter + "\"";
  }

  // --- parsing
  // ---------------------------------------------------------------------------------------------

  @Test
  void everyYamlAndJsonFileUnderOpsParses() {
    List<Path> files = opsFiles(".yml", ".yaml", ".json");
    assertThat(files)
        .extracting(f -> f.getFileName().toString())
        .contains(
            "prometheus.yml",
            "alerts.yml",
            "govgate-overview.json",
            "govgate-departments.json",
            "govgate-channels.json",
            "deployment.yaml");
    for (Path f : files) {
      if (f.toString().endsWith(".json")) {
        assertThat(new JsonObject(read(f))).as(f.toString()).isNotEmpty();
      } else {
        List<Object> docs = yamlDocuments(f);
        assertThat(docs).as(f.toString()).isNotEmpty().doesNotContainNull();
      }
    }
  }

  // --- alerts
  // ------------------------------------------------------------------------------------------------

  @Test
  void everyAlertHasExprForSeveritySummaryAndAnExistingRunbook() {
    List<Map<String, Object>> rules = alertRules();
    assertThat(rules).hasSizeGreaterThanOrEqualTo(15);
    for (Map<String, Object> rule : rules) {
      String name = (String) rule.get("alert");
      assertThat(name).as("alert name").matches("Govgate[A-Za-z0-9]+");
      assertThat((String) rule.get("expr")).as(name + " expr").isNotBlank();
      assertThat(rule.get("for")).as(name + " for").isNotNull();
      assertThat(Duration.parse("PT" + rule.get("for").toString().toUpperCase(Locale.ROOT)))
          .isNotNull();
      Map<String, Object> labels = map(rule.get("labels"));
      assertThat(labels.get("severity")).as(name + " severity").isIn("critical", "warning");
      Map<String, Object> annotations = map(rule.get("annotations"));
      assertThat((String) annotations.get("summary")).as(name + " summary").isNotBlank();
      assertThat((String) annotations.get("description")).as(name + " description").isNotBlank();
      String runbook = (String) annotations.get("runbook_url");
      assertThat(runbook).as(name + " runbook_url").startsWith("ops/runbooks/").endsWith(".md");
      assertThat(OPS.resolve("..").resolve(runbook)).as(name + " runbook").isRegularFile();
    }
  }

  @Test
  void alertsCoverEveryOperationalConcern() {
    Set<String> names =
        alertRules().stream().map(r -> (String) r.get("alert")).collect(Collectors.toSet());
    assertThat(names)
        .contains(
            "GovgateInstanceDown",
            "GovgateNotReady",
            "GovgateHigh5xxRate",
            "GovgateDepartmentLatencySloBurn",
            "GovgateDepartmentBreakerOpen",
            "GovgateBulkheadSaturated",
            "GovgateStaleServesRising",
            "GovgateChannelErrorRate",
            "GovgateChannelBreakerOpen",
            "GovgateEventLoopLag",
            "GovgateAuditBacklogGrowing",
            "GovgateDbPoolSaturated",
            "GovgateJvmHeapPressure");
  }

  @Test
  void prometheusLoadsTheAlertRulesAndScrapesTheOpsPort() {
    Map<String, Object> config =
        map(yamlDocuments(OPS.resolve("prometheus/prometheus.yml")).get(0));
    @SuppressWarnings("unchecked")
    List<String> ruleFiles = (List<String>) config.get("rule_files");
    for (String f : ruleFiles) assertThat(OPS.resolve("prometheus").resolve(f)).isRegularFile();
    String text = read(OPS.resolve("prometheus/prometheus.yml"));
    assertThat(text)
        .contains("metrics_path: /metrics")
        .contains("regex: ops")
        .contains("kubernetes_sd_configs");
    assertThat(sources()).containsPattern("router\\s*\\.get\\(\"/metrics\"\\)");
  }

  // --- metric names
  // ------------------------------------------------------------------------------------------

  @Test
  void everyKnownMetricIsBackedByTheMainSources() {
    String sources = sources();
    KNOWN_METRICS.forEach(
        (metric, evidence) ->
            assertThat(sources)
                .as("main sources must produce %s (looked for %s)", metric, evidence)
                .contains(evidence));
  }

  /**
   * The names as Prometheus really sees them: a real server verticle (separate ops port, the
   * gateway's registry with its route filter) answers a templated route and a failing readiness
   * check, department metrics and the resilience4j binders record, and the ops port's /metrics must
   * carry every known name of those producers. Channel, audit, payment and pool meters need a
   * platform or a database and are covered by the source check above (payments also by
   * PaymentsTest, which reads them from a running gateway).
   */
  @Test
  void scrapeOfARealServerCarriesTheKnownNamesWithTheLabelsTheRulesUse() throws Exception {
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    DepartmentMetrics departments = DepartmentMetrics.create(registry);
    departments.recordCall(
        "hz-social-security", "contributions", Outcome.OK, 12, TimeUnit.MILLISECONDS);
    departments.staleServed("hz-social-security", "contributions");
    departments.transition(
        "dept.hz-social-security", CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN);
    CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
    BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();
    DepartmentMetrics.bindRegistries(registry, breakers, bulkheads);
    CircuitBreaker breaker = breakers.circuitBreaker("dept.hz-social-security");
    breaker.onSuccess(5, TimeUnit.MILLISECONDS);
    breaker.transitionToOpenState();
    assertThat(breaker.tryAcquirePermission()).isFalse();
    bulkheads.bulkhead("dept.hz-social-security");

    Vertx vertx = Metrics.newVertx(registry);
    try {
      Routes routes =
          new Routes()
              .add(
                  Surface.CITIZEN,
                  (v, router) ->
                      router.get("/things/:id").handler(ctx -> ctx.response().end("ok")));
      Readiness readiness =
          new Readiness().add("database", () -> Future.failedFuture("unreachable"));
      ServerVerticle server =
          new ServerVerticle(
              new HttpConfig("127.0.0.1", 0, 0, 1, 1024 * 1024, Duration.ofSeconds(1)),
              routes,
              readiness,
              registry);
      vertx.deployVerticle(server, new DeploymentOptions()).await(30, TimeUnit.SECONDS);
      HttpClient http = HttpClient.newHttpClient();
      assertThat(
              get(http, "http://127.0.0.1:" + server.actualPort() + "/v1/things/42").statusCode())
          .isEqualTo(200);
      String ops = "http://127.0.0.1:" + server.actualOpsPort();
      assertThat(get(http, ops + "/health/ready").statusCode()).isEqualTo(503);
      assertThat(get(http, ops + "/health/live").statusCode()).isEqualTo(200);
      String scrape = get(http, ops + "/metrics").body();

      Set<String> scraped =
          scrape
              .lines()
              .filter(l -> !l.startsWith("#") && !l.isBlank())
              .map(l -> l.split("[{ ]", 2)[0])
              .collect(Collectors.toSet());
      Set<String> expected =
          KNOWN_METRICS.keySet().stream()
              .filter(
                  m ->
                      !m.startsWith("govgate_channel_")
                          && !m.startsWith("govgate_audit_")
                          && !m.startsWith("govgate_payments_")
                          && !m.startsWith("govgate_identity_")
                          && !m.startsWith("vertx_pool_")
                          && !m.startsWith("jvm_gc_pause_")
                          && !m.startsWith("govgate_complaints_")
                          && !m.startsWith("govgate_calendar_")
                          && !m.startsWith("govgate_reminders")
                          && !m.startsWith("govgate_service_level_")
                          // One gauge per registered backend, made by the registry
                          // (RegistryPropagationTest reads it from a real gateway).
                          && !m.equals("govgate_department_health"))
              .collect(Collectors.toSet());
      assertThat(scraped).containsAll(expected);
      assertThat(scrape)
          .contains(
              "govgate_http_server_requests_seconds_count{method=\"GET\",route=\"/v1/things/:id\",status=\"200\"}")
          .contains(
              "govgate_http_server_requests_seconds_count{method=\"GET\",route=\"/health/ready\",status=\"503\"}")
          .contains(
              "resilience4j_circuitbreaker_state{name=\"dept.hz-social-security\",state=\"open\"} 1.0")
          .containsPattern(
              "govgate_department_calls_seconds_bucket\\{department=\"hz-social-security\","
                  + "outcome=\"ok\",service=\"contributions\",le=\"[0-9.]+\"}")
          .containsPattern("govgate_eventloop_lag_seconds\\{loop=\"[0-9]+\",quantile=\"0.99\"}")
          .contains(
              "govgate_breaker_transitions_total{from=\"closed\",name=\"dept.hz-social-security\",to=\"open\"}");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyMetricInAlertRulesIsProducedByTheCode() {
    for (Map<String, Object> rule : alertRules()) {
      Set<String> metrics = metricNames((String) rule.get("expr"));
      assertThat(metrics).as("metrics of %s", rule.get("alert")).isNotEmpty();
      assertThat(metrics)
          .as("metrics of %s", rule.get("alert"))
          .allSatisfy(
              m ->
                  assertThat(KNOWN_METRICS.containsKey(m) || PROMETHEUS_BUILTIN.contains(m))
                      .as(
                          "%s in alert %s is not a metric the gateway produces",
                          m, rule.get("alert"))
                      .isTrue());
    }
  }

  @Test
  void everyMetricInDashboardsIsProducedByTheCode() {
    Set<String> seen = new TreeSet<>();
    for (Path f : dashboards()) {
      for (String expr : dashboardQueries(new JsonObject(read(f)))) {
        Set<String> metrics = metricNames(expr);
        assertThat(metrics).as("metrics in %s: %s", f.getFileName(), expr).isNotEmpty();
        for (String m : metrics) {
          assertThat(KNOWN_METRICS.containsKey(m) || PROMETHEUS_BUILTIN.contains(m))
              .as("%s in %s is not a metric the gateway produces", m, f.getFileName())
              .isTrue();
        }
        seen.addAll(metrics);
      }
    }
    // The dashboards show each of the gateway's own meters.
    assertThat(seen)
        .contains(
            "govgate_department_calls_seconds_bucket",
            "govgate_department_stale_serves_total",
            "govgate_breaker_transitions_total",
            "govgate_channel_calls_seconds_count",
            "govgate_eventloop_lag_seconds",
            "govgate_audit_backlog",
            "resilience4j_circuitbreaker_state",
            "resilience4j_bulkhead_available_concurrent_calls",
            "vertx_pool_in_use",
            "govgate_http_server_requests_seconds_count",
            "jvm_memory_used_bytes");
  }

  @Test
  void metricNameExtractionIgnoresFunctionsLabelsAndStrings() {
    String quantile =
        "histogram_quantile(0.99, sum by (department, le) (rate(govgate_department_calls_seconds_bucket"
            + "{instance=~\"$instance\", name=~`dept\\.x`}[$__rate_interval]))) > 3 and on (x) up == 1";
    assertThat(metricNames(quantile))
        .containsExactlyInAnyOrder("govgate_department_calls_seconds_bucket", "up");
    assertThat(
            metricNames(
                "label_values(govgate_channel_calls_seconds_count{channel=~\"$channel\"}, api)"))
        .containsExactly("govgate_channel_calls_seconds_count");
    assertThat(metricNames("sum(rate(govgate_department_calls_total[5m]))"))
        .containsExactly("govgate_department_calls_total");
    assertThat(KNOWN_METRICS).doesNotContainKey("govgate_department_calls_total");
  }

  // --- dashboards
  // --------------------------------------------------------------------------------------------

  @Test
  void dashboardsAreGrafanaDashboardsWithDatasourceAndFilterVariables() {
    Set<String> uids = new HashSet<>();
    for (Path f : dashboards()) {
      JsonObject d = new JsonObject(read(f));
      String name = f.getFileName().toString();
      assertThat(uids.add(d.getString("uid"))).as(name + " uid unique").isTrue();
      assertThat(d.getInteger("schemaVersion")).as(name).isBetween(36, 41);
      assertThat(d.getString("title")).as(name).isNotBlank();
      Map<String, JsonObject> variables = new HashMap<>();
      d.getJsonObject("templating")
          .getJsonArray("list")
          .forEach(
              v -> {
                JsonObject var = (JsonObject) v;
                variables.put(var.getString("name"), var);
              });
      assertThat(variables.get("datasource")).as(name + " datasource variable").isNotNull();
      assertThat(variables.get("datasource").getString("type")).isEqualTo("datasource");
      assertThat(variables.get("datasource").getString("query")).isEqualTo("prometheus");
      assertThat(variables).as(name).containsKey("instance");
      Set<Integer> ids = new HashSet<>();
      for (JsonObject panel : panels(d)) {
        assertThat(ids.add(panel.getInteger("id"))).as(name + " panel ids unique").isTrue();
        assertThat(panel.getJsonObject("gridPos")).as(name + " gridPos").isNotNull();
        if ("row".equals(panel.getString("type"))) continue;
        assertThat(panel.getJsonObject("datasource").getString("uid")).isEqualTo("${datasource}");
        JsonArray targets = panel.getJsonArray("targets");
        assertThat(targets).as(name + " " + panel.getString("title")).isNotEmpty();
        targets.forEach(
            t -> {
              String expr = ((JsonObject) t).getString("expr");
              assertThat(expr).as(panel.getString("title")).contains("$instance");
              // Every variable the queries use is defined.
              Matcher m = Pattern.compile("\\$([a-z_]+)").matcher(expr);
              while (m.find()) {
                if (m.group(1).startsWith("_"))
                  continue; // Grafana's built-ins such as $__rate_interval
                assertThat(variables).as(name + " uses $" + m.group(1)).containsKey(m.group(1));
              }
            });
      }
    }
    assertThat(uids)
        .containsExactlyInAnyOrder(
            "govgate-overview",
            "govgate-departments",
            "govgate-channels",
            "govgate-payments",
            "govgate-identity");
    JsonObject departments =
        new JsonObject(read(OPS.resolve("grafana/dashboards/govgate-departments.json")));
    assertThat(departments.getJsonObject("templating").encode())
        .contains("\"name\":\"department\"");
  }

  @Test
  void grafanaProvisioningPointsAtPrometheusAndTheDashboardFolder() {
    Map<String, Object> ds =
        map(yamlDocuments(OPS.resolve("grafana/provisioning/datasources/prometheus.yml")).get(0));
    assertThat(ds.toString()).contains("type=prometheus");
    Map<String, Object> dash =
        map(yamlDocuments(OPS.resolve("grafana/provisioning/dashboards/govgate.yml")).get(0));
    assertThat(dash.toString()).contains("type=file");
  }

  // --- Kubernetes
  // --------------------------------------------------------------------------------------------

  @Test
  void kubernetesEnvironmentVariablesAreKnownConfigurationKeys() {
    Set<String> keys = configKeys();
    assertThat(keys).contains("http.port", "http.opsPort", "db.host", "audit.hmacKey");
    Map<String, String> normalized =
        keys.stream().collect(Collectors.toMap(OpsAssetsTest::normalizeKey, k -> k, (a, b) -> a));
    Set<String> envNames = new TreeSet<>();
    Pattern env = Pattern.compile("\\b(GOVGATE_[A-Z0-9_]+)\\b");
    for (Path f : opsFiles(".yaml")) {
      if (!f.startsWith(OPS.resolve("kubernetes"))) continue;
      Matcher m = env.matcher(read(f));
      while (m.find()) envNames.add(m.group(1));
    }
    assertThat(envNames)
        .contains("GOVGATE_HTTP_OPS_PORT", "GOVGATE_DB_HOST", "GOVGATE_AUDIT_HMAC_KEY");
    for (String name : envNames) {
      String key = normalizeKey(name.substring("GOVGATE_".length()));
      assertThat(normalized)
          .as("%s must name a configuration key (the gateway refuses unknown keys)", name)
          .containsKey(key);
    }
  }

  @Test
  void deploymentProbesTheHealthEndpointsOnTheOpsPortAndOutlastsTheShutdownGrace() {
    Map<String, Object> deployment = kubernetesObject("deployment.yaml", "Deployment");
    Map<String, Object> podSpec = map(map(map(deployment.get("spec")).get("template")).get("spec"));
    Map<String, Object> container = map(list(podSpec.get("containers")).get(0));
    Map<String, String> config = configMapData();

    int opsPort =
        list(container.get("ports")).stream()
            .map(OpsAssetsTest::map)
            .filter(p -> "ops".equals(p.get("name")))
            .map(p -> (Integer) p.get("containerPort"))
            .findFirst()
            .orElseThrow();
    assertThat(Integer.parseInt(config.get("GOVGATE_HTTP_OPS_PORT"))).isEqualTo(opsPort);
    int httpPort =
        list(container.get("ports")).stream()
            .map(OpsAssetsTest::map)
            .filter(p -> "http".equals(p.get("name")))
            .map(p -> (Integer) p.get("containerPort"))
            .findFirst()
            .orElseThrow();
    assertThat(Integer.parseInt(config.get("GOVGATE_HTTP_PORT"))).isEqualTo(httpPort);

    Map<String, Object> readiness = map(map(container.get("readinessProbe")).get("httpGet"));
    Map<String, Object> liveness = map(map(container.get("livenessProbe")).get("httpGet"));
    assertThat(readiness).containsEntry("path", "/health/ready").containsEntry("port", "ops");
    assertThat(liveness).containsEntry("path", "/health/live").containsEntry("port", "ops");
    assertThat(sources()).contains("\"/health/ready\"", "\"/health/live\"");

    long grace =
        Duration.parse("PT" + config.get("GOVGATE_HTTP_SHUTDOWN_GRACE").toUpperCase(Locale.ROOT))
            .toSeconds();
    int preStop =
        (Integer)
            map(map(map(container.get("lifecycle")).get("preStop")).get("sleep")).get("seconds");
    int termination = (Integer) podSpec.get("terminationGracePeriodSeconds");
    assertThat(termination).isGreaterThan((int) grace + preStop);

    // Secret volumes hold key files: owner-read only (0400), or the gateway refuses to start.
    List<Map<String, Object>> secretVolumes =
        list(podSpec.get("volumes")).stream()
            .map(OpsAssetsTest::map)
            .filter(v -> v.containsKey("secret"))
            .map(v -> map(v.get("secret")))
            .toList();
    assertThat(secretVolumes)
        .isNotEmpty()
        .allSatisfy(v -> assertThat(v).as("secret volume mode").containsEntry("defaultMode", 0400));
    List<String> secretNames =
        yamlDocuments(OPS.resolve("kubernetes").resolve("secret.template.yaml")).stream()
            .map(OpsAssetsTest::map)
            .map(d -> String.valueOf(map(d.get("metadata")).get("name")))
            .toList();
    secretVolumes.forEach(
        v -> assertThat(secretNames).contains(String.valueOf(v.get("secretName"))));

    Map<String, Object> resources = map(container.get("resources"));
    assertThat(map(resources.get("requests"))).containsKeys("cpu", "memory");
    assertThat(map(resources.get("limits"))).containsKey("memory");
  }

  @Test
  void autoscalerBudgetAndMonitorTargetTheGateway() {
    Map<String, Object> hpa = kubernetesObject("hpa.yaml", "HorizontalPodAutoscaler");
    assertThat(map(map(hpa.get("spec")).get("scaleTargetRef")))
        .containsEntry("kind", "Deployment")
        .containsEntry("name", "govgate");
    assertThat(list(map(hpa.get("spec")).get("metrics")).toString()).contains("cpu");
    Map<String, Object> pdb = kubernetesObject("pdb.yaml", "PodDisruptionBudget");
    int minAvailable = (Integer) map(pdb.get("spec")).get("minAvailable");
    assertThat(minAvailable).isLessThan((Integer) map(hpa.get("spec")).get("minReplicas"));
    Map<String, Object> monitor = kubernetesObject("servicemonitor.yaml", "ServiceMonitor");
    assertThat(list(map(monitor.get("spec")).get("endpoints")).toString())
        .contains("port=ops", "path=/metrics");
    for (Object secret : yamlDocuments(OPS.resolve("kubernetes").resolve("secret.template.yaml"))) {
      map(map(secret).get("stringData"))
          .values()
          .forEach(v -> assertThat(v.toString()).startsWith("REPLACE_ME"));
    }
  }

  // --- runbooks
  // ----------------------------------------------------------------------------------------------

  @Test
  void readmeIndexesEveryRunbookAndRunbooksExplainConfirmationAndAction() {
    String readme = read(OPS.resolve("README.md"));
    List<Path> runbooks = listFiles(OPS.resolve("runbooks"), ".md");
    assertThat(runbooks).hasSizeGreaterThanOrEqualTo(15);
    for (Path r : runbooks) {
      String name = r.getFileName().toString();
      assertThat(readme).as("README links " + name).contains("runbooks/" + name);
      String text = read(r);
      assertThat(text).as(name).startsWith("# ");
      if (!name.equals("key-rotation.md") && !name.equals("audit-check.md")) {
        assertThat(text).as(name).contains("## Confirm").contains("## Act");
      }
    }
    assertThat(read(OPS.resolve("runbooks/key-rotation.md")))
        .contains("reencrypt", "audit.hmacKey");
    assertThat(read(OPS.resolve("runbooks/audit-check.md"))).contains("audit-check");
    assertThat(sources()).contains("\"audit-check\"");
  }

  // --- helpers
  // -----------------------------------------------------------------------------------------------

  private static final Pattern STRING =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  /** The metric names a PromQL expression (or a Grafana label_values query) selects. */
  static Set<String> metricNames(String promql) {
    String e = promql;
    Matcher lv =
        Pattern.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_]+\\s*\\)\\s*$", Pattern.DOTALL)
            .matcher(e);
    if (lv.matches()) e = lv.group(1);
    e = STRING.matcher(e).replaceAll(" ");
    e = e.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
    e = GROUPING.matcher(e).replaceAll(" ");
    e = e.replaceAll("\\$[a-zA-Z_]+", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(e);
    while (m.find()) {
      String word = m.group();
      int end = m.end();
      boolean call = e.substring(end).stripLeading().startsWith("(");
      if (PROMQL_WORDS.contains(word) || (call && !KNOWN_METRICS.containsKey(word))) continue;
      if (m.start() > 0 && Character.isDigit(e.charAt(m.start() - 1))) continue; // 5m, 1e3
      names.add(word);
    }
    return names;
  }

  private static List<String> dashboardQueries(JsonObject dashboard) {
    List<String> queries = new ArrayList<>();
    for (JsonObject panel : panels(dashboard)) {
      JsonArray targets = panel.getJsonArray("targets");
      if (targets != null) targets.forEach(t -> queries.add(((JsonObject) t).getString("expr")));
    }
    dashboard
        .getJsonObject("templating")
        .getJsonArray("list")
        .forEach(
            v -> {
              JsonObject var = (JsonObject) v;
              if ("query".equals(var.getString("type"))) queries.add(var.getString("definition"));
            });
    return queries;
  }

  private static List<JsonObject> panels(JsonObject dashboard) {
    List<JsonObject> out = new ArrayList<>();
    dashboard
        .getJsonArray("panels")
        .forEach(
            p -> {
              JsonObject panel = (JsonObject) p;
              out.add(panel);
              JsonArray nested = panel.getJsonArray("panels");
              if (nested != null) nested.forEach(n -> out.add((JsonObject) n));
            });
    return out;
  }

  private static List<Map<String, Object>> alertRules() {
    Map<String, Object> doc = map(yamlDocuments(OPS.resolve("prometheus/alerts.yml")).get(0));
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Object g : list(doc.get("groups"))) {
      for (Object r : list(map(g).get("rules"))) rules.add(map(r));
    }
    return rules;
  }

  private static Map<String, Object> kubernetesObject(String file, String kind) {
    return yamlDocuments(OPS.resolve("kubernetes").resolve(file)).stream()
        .map(OpsAssetsTest::map)
        .filter(d -> kind.equals(d.get("kind")))
        .findFirst()
        .orElseThrow(() -> new AssertionError(kind + " in " + file));
  }

  private static Map<String, String> configMapData() {
    Map<String, String> data = new HashMap<>();
    map(kubernetesObject("configmap.yaml", "ConfigMap").get("data"))
        .forEach((k, v) -> data.put(k, String.valueOf(v)));
    return data;
  }

  /** Configuration keys the gateway reads, from the typed getters in the main sources. */
  private static Set<String> configKeys() {
    Set<String> keys = new TreeSet<>();
    Matcher m =
        Pattern.compile(
                "\\b\\w+\\.(?:string|integer|longValue|bool|duration|oneOf|raw|isSet)\\(\\s*\"([A-Za-z][A-Za-z0-9.]*)\""
                    + "|(?:KeyMaterial\\.required|keyList)\\(\\s*\\w+,\\s*\"([A-Za-z][A-Za-z0-9.]*)\"")
            .matcher(sources());
    while (m.find()) keys.add(m.group(1) != null ? m.group(1) : m.group(2));
    return keys;
  }

  private static String normalizeKey(String key) {
    return key.replace(".", "").replace("_", "").toLowerCase(Locale.ROOT);
  }

  private static String sourcesCache;

  private static synchronized String sources() {
    if (sourcesCache == null) {
      StringBuilder all = new StringBuilder();
      for (Path root : MAIN_SOURCES) {
        assertThat(root).as("main source root").isDirectory();
        for (Path f : listFiles(root, ".java")) all.append(read(f)).append('\n');
      }
      sourcesCache = all.toString();
    }
    return sourcesCache;
  }

  private static List<Path> dashboards() {
    return listFiles(OPS.resolve("grafana/dashboards"), ".json");
  }

  private static List<Path> opsFiles(String... suffixes) {
    return listFiles(OPS, suffixes);
  }

  private static List<Path> listFiles(Path root, String... suffixes) {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> Stream.of(suffixes).anyMatch(x -> p.getFileName().toString().endsWith(x)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Object> yamlDocuments(Path f) {
    List<Object> docs = new ArrayList<>();
    new Yaml().loadAll(read(f)).forEach(docs::add);
    return docs;
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<Object>) o;
  }
}
