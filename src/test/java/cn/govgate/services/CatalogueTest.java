package cn.govgate.services;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Http;
import cn.govgate.testing.ServiceSeams;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CatalogueTest {
  private static final ApiContract CONTRACT = ApiContract.of("gateway-api.yaml");
  private static Gateway gateway;

  @BeforeAll
  static void start() {
    gateway = ServiceSeams.start(TestGateways.settings(), ServiceSeams.seams(Clock.systemUTC(), null));
  }

  @AfterAll
  static void stop() {
    TestGateways.stop(gateway);
  }

  private static HttpResponse<String> catalog(String region, String q) {
    String url = gateway.baseUrl() + "/v1/catalog?region=" + region
        + (q == null ? "" : "&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
    HttpResponse<String> response = Http.get(url);
    CONTRACT.assertValid("getCatalog", response);
    return response;
  }

  private static List<String> serviceTypes(HttpResponse<String> response) {
    return Http.json(response).getJsonArray("services").stream()
        .map(o -> ((JsonObject) o).getString("serviceType")).toList();
  }

  @Test
  void listsEveryServiceTypeOfTheDepartmentContractWhereARegionOffersAll() {
    HttpResponse<String> response = catalog(ServiceSeams.HANGZHOU, null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(serviceTypes(response)).containsExactlyInAnyOrder(
        "social-security.account", "social-security.contributions", "housing-fund.account",
        "housing-fund.contributions", "housing-fund.proof-data", "traffic.vehicles", "traffic.fines",
        "traffic.fine-payment", "utilities.bill", "utilities.bill-payment");
    JsonObject fund = Http.json(response).getJsonArray("services").stream().map(JsonObject.class::cast)
        .filter(s -> s.getString("serviceType").equals("housing-fund.account")).findFirst().orElseThrow();
    assertThat(fund.getString("theme")).isEqualTo("公积金");
    assertThat(fund.getString("minLevel")).isEqualTo("L3");
    assertThat(fund.getJsonObject("department").getString("id")).isEqualTo(ServiceSeams.HZ_FUND);
    assertThat(fund.getJsonObject("guide").getJsonArray("legalBasis").encode()).contains("住房公积金管理条例");
  }

  @Test
  void showsOnlyWhatTheRegionOffers() {
    assertThat(serviceTypes(catalog(ServiceSeams.CHENGDU, null))).containsExactlyInAnyOrder(
        "social-security.account", "social-security.contributions", "traffic.vehicles", "traffic.fines");
  }

  @Test
  void findsServicesByChineseKeywords() {
    assertThat(serviceTypes(catalog(ServiceSeams.HANGZHOU, "公积金"))).containsExactlyInAnyOrder(
        "housing-fund.account", "housing-fund.contributions", "housing-fund.proof-data");
    assertThat(serviceTypes(catalog(ServiceSeams.HANGZHOU, "罚单")))
        .containsExactlyInAnyOrder("traffic.fines", "traffic.fine-payment");
    assertThat(serviceTypes(catalog(ServiceSeams.HANGZHOU, "水费")))
        .containsExactlyInAnyOrder("utilities.bill", "utilities.bill-payment");
    assertThat(serviceTypes(catalog(ServiceSeams.HANGZHOU, "公积金 证明"))).containsExactly("housing-fund.proof-data");
    assertThat(serviceTypes(catalog(ServiceSeams.CHENGDU, "公积金"))).isEmpty();
  }

  @Test
  void unknownRegionIsRefusedWithTheKnownRegions() {
    HttpResponse<String> response = catalog("440300", null);
    assertThat(response.statusCode()).isEqualTo(404);
    JsonObject error = Http.json(response);
    assertThat(error.getString("code")).isEqualTo("region.unknown");
    assertThat(error.getJsonObject("details").getJsonArray("knownRegions"))
        .isEqualTo(new JsonArray().add(ServiceSeams.HANGZHOU).add(ServiceSeams.CHENGDU));
  }

  @Test
  void malformedRegionIsAFieldError() {
    HttpResponse<String> response = catalog("hz", null);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Http.json(response).getString("code")).isEqualTo("request.invalid");
  }
}
