package cn.govgate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentFaults;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.Contracts;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

/**
 * A live scrape, as Prometheus would take it: a gateway with departments gets traffic on every
 * surface (citizen queries answered, refused and failing inside the {@code /v1} sub-router, admin,
 * callbacks, proofs, ops), then {@code /metrics} must pass {@code promtool check metrics}, name
 * every request by its route template (never with {@code >}, never a raw path), and keep every
 * label set bounded: histograms only with the deliberate buckets.
 *
 * <p>promtool comes from Debian's {@code prometheus} package; {@code .ci/run} installs it when
 * missing. Without it this test fails rather than skips.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsScrapeTest {
  private static final String HZ = SyntheticCitizens.HANGZHOU;
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (.+)$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /**
   * The deliberate bucket bounds (seconds) of the gateway's histograms, as Prometheus shows them.
   */
  private static final Set<String> BUCKET_BOUNDS =
      Set.of("0.05", "0.1", "0.25", "0.5", "1.0", "2.0", "2.5", "3.0", "5.0", "10.0", "+Inf");

  /** A method token nobody serves; its label must be "other". */
  private static final String ODD_METHOD = "GOVGATEODDMETHOD";

  private GatewayTestBed bed;
  private String scrape;

  @BeforeAll
  void driveTrafficAndScrape() throws Exception {
    bed = new GatewayTestBed(40, 1313L, TestClock.running());
    DepartmentSimulator social =
        bed.department(
            "hz-rsj",
            DepartmentFamily.SOCIAL_SECURITY,
            HZ,
            "social-security.account",
            "social-security.contributions");
    bed.department("hz-jj", DepartmentFamily.TRAFFIC, HZ, "traffic.vehicles", "traffic.fines");
    SyntheticCitizen person =
        bed.identity.people.stream()
            .filter(p -> p.homeRegion().equals(HZ))
            .findFirst()
            .orElseThrow();
    String l3 = bed.l3("alipay", person);

    // Citizen surface: answers, refusals, and failures raised inside the /v1 sub-router.
    assertThat(bed.get("/v1/social-security/account?region=" + HZ, l3).statusCode()).isEqualTo(200);
    assertThat(
            bed.get(
                    "/v1/social-security/contributions?region=" + HZ + "&from=2025-01&to=2025-06",
                    l3)
                .statusCode())
        .isEqualTo(200);
    assertThat(bed.get("/v1/traffic/vehicles?region=" + HZ, l3).statusCode()).isEqualTo(200);
    assertThat(bed.get("/v1/social-security/account?region=999999", l3).statusCode())
        .isEqualTo(404);
    assertThat(bed.get("/v1/social-security/account?region=" + HZ, null).statusCode())
        .isEqualTo(401);
    social.faults(DepartmentFaults.none().withUnderMaintenance(true));
    assertThat(
            bed.get(
                    "/v1/social-security/contributions?region=" + HZ + "&from=2024-01&to=2024-03",
                    l3)
                .statusCode())
        .isEqualTo(503);
    social.faults(DepartmentFaults.none());
    assertThat(bed.get("/v1/payments/ORDER0000000001", l3).statusCode()).isEqualTo(404);
    assertThat(bed.post("/v1/payments", new JsonObject(), l3).statusCode()).isEqualTo(400);
    assertThat(bed.post("/v1/ratings", new JsonObject().put("interactionId", "x"), l3).statusCode())
        .isGreaterThanOrEqualTo(400);
    assertThat(bed.get("/v1/catalog?region=" + HZ, null).statusCode()).isEqualTo(200);
    assertThat(bed.get("/v1/complaints/C0000000000000000000000001", l3).statusCode())
        .isEqualTo(404);
    assertThat(bed.get("/v1/no/such/route/42", null).statusCode()).isEqualTo(404);
    // Proofs and keys for third parties.
    assertThat(bed.get("/.well-known/jwks.json", null).statusCode()).isEqualTo(200);
    assertThat(
            bed.post("/v1/proofs/verify", new JsonObject().put("proof", "a.b.c"), null)
                .statusCode())
        .isLessThan(500);
    // Admin surface.
    String base = bed.gateway.baseUrl();
    assertThat(
            Http.get(base + "/admin/v1/departments", Map.of("Authorization", bed.operator))
                .statusCode())
        .isEqualTo(200);
    assertThat(Http.get(base + "/admin/v1/departments/hz-rsj/backends", Map.of()).statusCode())
        .isEqualTo(401);
    // Channel callbacks with nothing a channel would sign.
    Http.post(
        base + "/callbacks/alipay",
        "{}",
        Map.of("Content-Type", "application/x-www-form-urlencoded"));
    Http.post(base + "/callbacks/wechat", "{}");
    // Methods no client should send: any token is a method, so each would be a series.
    for (String odd : List.of(ODD_METHOD, "get", ODD_METHOD + "2")) {
      assertThat(Http.send(odd, base + "/v1/catalog?region=" + HZ, null, Map.of()).statusCode())
          .isLessThan(500);
    }
    // Ops.
    assertThat(Http.get(base + "/health/live").statusCode()).isEqualTo(200);
    assertThat(Http.get(base + "/health/ready").statusCode()).isEqualTo(200);
    Http.get(base + "/metrics");

    HttpResponse<String> metrics = Http.get(base + "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    scrape = metrics.body();
  }

  @AfterAll
  void stop() throws Exception {
    if (bed != null) bed.close();
  }

  @Test
  void promtoolChecksTheLiveScrapeClean() throws Exception {
    Process promtool;
    try {
      promtool =
          new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "promtool is not on PATH: install Debian's prometheus package "
              + "(apt-get install prometheus), as .ci/run does",
          e);
    }
    try (OutputStream in = promtool.getOutputStream()) {
      in.write(scrape.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(promtool.exitValue()).as("promtool check metrics:\n" + out).isZero();
  }

  @Test
  void everyRouteLabelIsATemplateOfTheContracts() {
    Set<String> routes = new TreeSet<>();
    for (Map<String, String> labels : samples().values()) {
      if (labels.containsKey("route")) routes.add(labels.get("route"));
    }
    assertThat(routes).as("route labels seen").isNotEmpty().noneMatch(r -> r.contains(">"));
    Set<String> templates = contractTemplates();
    templates.add("unmatched");
    // Parameter names are the routers' own (":id" where the contract says "{complaintId}").
    assertThat(routes)
        .allSatisfy(r -> assertThat(templates).as("route %s", r).contains(anyParam(r)));
    assertThat(routes)
        .contains(
            "/v1/social-security/contributions",
            "/v1/payments/:orderId",
            "/admin/v1/departments",
            "/callbacks/alipay",
            "/health/live",
            "unmatched");
  }

  @Test
  void aFailureInsideTheSubRouterIsCountedUnderItsOwnTemplate() {
    Set<String> statuses = new HashSet<>();
    samples()
        .forEach(
            (series, labels) -> {
              if (series.startsWith("govgate_http_server_requests_seconds_count")
                  && "/v1/social-security/contributions".equals(labels.get("route"))) {
                statuses.add(labels.get("status"));
              }
            });
    assertThat(statuses).contains("200", "503");
  }

  @Test
  void histogramsHaveOnlyTheDeliberateBucketsAndLabelSetsAreBounded() {
    Map<String, Integer> seriesPerName = new HashMap<>();
    samples()
        .forEach(
            (series, labels) -> {
              String name =
                  series.substring(
                      0, series.indexOf('{') < 0 ? series.length() : series.indexOf('{'));
              seriesPerName.merge(name, 1, Integer::sum);
              if (name.endsWith("_bucket")) {
                assertThat(BUCKET_BOUNDS)
                    .as("bucket bound of " + series)
                    .contains(labels.get("le"));
              }
              labels
                  .values()
                  .forEach(
                      v -> assertThat(v.length()).as("label value in " + series).isLessThan(120));
            });
    assertThat(seriesPerName.values().stream().mapToInt(Integer::intValue).sum())
        .as("series in one scrape")
        .isLessThan(2500);
    assertThat(seriesPerName).allSatisfy((name, n) -> assertThat(n).as(name).isLessThan(400));
  }

  @Test
  void anUnknownMethodIsCountedAsOtherNeverAsItsOwnSeries() {
    Map<String, Set<String>> methodsPerName = new TreeMap<>();
    samples()
        .forEach(
            (series, labels) -> {
              if (labels.containsKey("method")
                  && (series.startsWith("vertx_http_") || series.startsWith("govgate_http_"))) {
                methodsPerName
                    .computeIfAbsent(series.substring(0, series.indexOf('{')), n -> new TreeSet<>())
                    .add(labels.get("method"));
              }
            });
    assertThat(methodsPerName)
        .containsKeys(
            "vertx_http_server_requests_total",
            "vertx_http_server_response_time_seconds_count",
            "govgate_http_server_requests_seconds_count");
    assertThat(methodsPerName)
        .allSatisfy(
            (name, methods) ->
                assertThat(methods)
                    .as(name)
                    .isSubsetOf(
                        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"));
    assertThat(methodsPerName.get("vertx_http_server_requests_total")).contains("GET", "other");
    assertThat(methodsPerName.get("govgate_http_server_requests_seconds_count"))
        .contains("GET", "other");
    assertThat(scrape).doesNotContain(ODD_METHOD).doesNotContain("method=\"get\"");
  }

  @Test
  void everyGovgateMetricHasHelpText() {
    Set<String> names = new TreeSet<>();
    Set<String> helped = new HashSet<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("# HELP govgate_")) {
        String[] parts = line.split(" ", 4);
        if (parts.length == 4 && !parts[3].isBlank()) helped.add(parts[2]);
      } else if (line.startsWith("# TYPE govgate_")) {
        names.add(line.split(" ")[2]);
      }
    }
    assertThat(names).isNotEmpty();
    assertThat(names).allSatisfy(n -> assertThat(helped).as("HELP of " + n).contains(n));
  }

  /** Every sample of the scrape: the series (name and labels as written) → its labels. */
  private Map<String, Map<String, String>> samples() {
    Map<String, Map<String, String>> out = new HashMap<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as(line).isTrue();
      Map<String, String> labels = new HashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) labels.put(l.group(1), l.group(2));
      }
      out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), labels);
    }
    return out;
  }

  /**
   * The paths of the citizen and admin contracts as Vert.x route templates ({@code {id}} → {@code
   * :id}).
   */
  @SuppressWarnings("unchecked")
  private static Set<String> contractTemplates() {
    Set<String> out = new HashSet<>();
    Map<String, Object> gateway = new Yaml().load(Contracts.read("gateway-api.yaml"));
    Map<String, Object> admin = new Yaml().load(Contracts.read("admin-api.yaml"));
    ((Map<String, Object>) gateway.get("paths")).keySet().forEach(p -> out.add(template(p)));
    ((Map<String, Object>) admin.get("paths"))
        .keySet()
        .forEach(p -> out.add("/admin/v1" + template(p)));
    out.addAll(List.of("/callbacks/alipay", "/callbacks/wechat"));
    return out;
  }

  private static String template(String openApiPath) {
    return openApiPath.replaceAll("\\{[^}]+}", ":");
  }

  private static String anyParam(String route) {
    return route.replaceAll(":[A-Za-z0-9_]+", ":");
  }
}
