package cn.govgate.services;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service catalogue shows what the registered backends offer in a region, with the departments
 * serving it.
 */
class CatalogueTest {
  private static final ApiContract CONTRACT = ApiContract.of("gateway-api.yaml");
  private static final String HANGZHOU = SyntheticCitizens.HANGZHOU;
  private static final String CHENGDU = SyntheticCitizens.CHENGDU;
  private static final String HZ_FUND = "hz-gjj";
  private static GatewayTestBed bed;

  @BeforeAll
  static void start() throws Exception {
    bed = new GatewayTestBed(10, 11L, TestClock.running());
    // Hangzhou offers every service type of the department contract; Chengdu only social security
    // and traffic
    // queries.
    bed.department(
        "hz-rsj",
        DepartmentFamily.SOCIAL_SECURITY,
        HANGZHOU,
        "social-security.account",
        "social-security.contributions");
    bed.department(
        HZ_FUND,
        DepartmentFamily.HOUSING_FUND,
        HANGZHOU,
        "housing-fund.account",
        "housing-fund.contributions",
        "housing-fund.proof-data");
    bed.department(
        "hz-jj",
        DepartmentFamily.TRAFFIC,
        HANGZHOU,
        "traffic.vehicles",
        "traffic.fines",
        "traffic.fine-payment");
    bed.department(
        "hz-utilities",
        DepartmentFamily.UTILITIES,
        HANGZHOU,
        "utilities.bill",
        "utilities.bill-payment");
    bed.department(
        "cd-rsj",
        DepartmentFamily.SOCIAL_SECURITY,
        CHENGDU,
        "social-security.account",
        "social-security.contributions");
    bed.department("cd-jj", DepartmentFamily.TRAFFIC, CHENGDU, "traffic.vehicles", "traffic.fines");
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  private static HttpResponse<String> catalog(String region, String q) {
    String url =
        bed.gateway.baseUrl()
            + "/v1/catalog?region="
            + region
            + (q == null ? "" : "&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
    HttpResponse<String> response = Http.get(url);
    CONTRACT.assertValid("getCatalog", response);
    return response;
  }

  private static List<String> serviceTypes(HttpResponse<String> response) {
    return Http.json(response).getJsonArray("services").stream()
        .map(o -> ((JsonObject) o).getString("serviceType"))
        .toList();
  }

  @Test
  void listsEveryServiceTypeOfTheDepartmentContractWhereARegionOffersAll() {
    HttpResponse<String> response = catalog(HANGZHOU, null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(serviceTypes(response))
        .containsExactlyInAnyOrder(
            "social-security.account",
            "social-security.contributions",
            "housing-fund.account",
            "housing-fund.contributions",
            "housing-fund.proof-data",
            "traffic.vehicles",
            "traffic.fines",
            "traffic.fine-payment",
            "utilities.bill",
            "utilities.bill-payment");
    JsonObject fund =
        Http.json(response).getJsonArray("services").stream()
            .map(JsonObject.class::cast)
            .filter(s -> s.getString("serviceType").equals("housing-fund.account"))
            .findFirst()
            .orElseThrow();
    assertThat(fund.getString("theme")).isEqualTo("公积金");
    assertThat(fund.getString("minLevel")).isEqualTo("L3");
    assertThat(fund.getJsonObject("department").getString("id")).isEqualTo(HZ_FUND);
    assertThat(fund.getJsonObject("guide").getJsonArray("legalBasis").encode())
        .contains("住房公积金管理条例");
  }

  @Test
  void showsOnlyWhatTheRegionOffers() {
    assertThat(serviceTypes(catalog(CHENGDU, null)))
        .containsExactlyInAnyOrder(
            "social-security.account",
            "social-security.contributions",
            "traffic.vehicles",
            "traffic.fines");
  }

  @Test
  void findsServicesByChineseKeywords() {
    assertThat(serviceTypes(catalog(HANGZHOU, "公积金")))
        .containsExactlyInAnyOrder(
            "housing-fund.account", "housing-fund.contributions", "housing-fund.proof-data");
    assertThat(serviceTypes(catalog(HANGZHOU, "罚单")))
        .containsExactlyInAnyOrder("traffic.fines", "traffic.fine-payment");
    assertThat(serviceTypes(catalog(HANGZHOU, "水费")))
        .containsExactlyInAnyOrder("utilities.bill", "utilities.bill-payment");
    assertThat(serviceTypes(catalog(HANGZHOU, "公积金 证明")))
        .containsExactly("housing-fund.proof-data");
    assertThat(serviceTypes(catalog(CHENGDU, "公积金"))).isEmpty();
  }

  @Test
  void unknownRegionIsRefusedWithTheKnownRegions() {
    HttpResponse<String> response = catalog("440300", null);
    assertThat(response.statusCode()).isEqualTo(404);
    JsonObject error = Http.json(response);
    assertThat(error.getString("code")).isEqualTo("region.unknown");
    assertThat(error.getJsonObject("details").getJsonArray("knownRegions"))
        .isEqualTo(new JsonArray().add(HANGZHOU).add(CHENGDU));
  }

  @Test
  void malformedRegionIsAFieldError() {
    HttpResponse<String> response = catalog("hz", null);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Http.json(response).getString("code")).isEqualTo("request.invalid");
  }
}
