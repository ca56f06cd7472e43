package cn.govgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The department answer check against the real {@code contracts/department-backend.yaml}: the
 * compiled lean check refuses what the gateway reads wrongly, the golden examples pass it, and the
 * sampled full validation catches and counts a breach the lean check leaves to it.
 */
class AnswerCheckTest {
  private static final String JSON = "application/json";
  private static Vertx vertx;
  private static OpenAPIContract contract;

  @BeforeAll
  static void loadContract() throws Exception {
    vertx = Vertx.vertx();
    contract =
        OpenAPIContract.from(vertx, "contracts/department-backend.yaml").await(1, TimeUnit.MINUTES);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject example(String name) throws Exception {
    try (InputStream in =
        AnswerCheckTest.class
            .getClassLoader()
            .getResourceAsStream("contracts/examples/department/" + name + ".json")) {
      return new JsonObject(Buffer.buffer(in.readAllBytes()));
    }
  }

  private static JsonObject account() throws Exception {
    return example("socialSecurityAccount").getJsonObject("response").getJsonObject("body");
  }

  @Test
  void everyGoldenExampleAnswerPassesTheLeanAndTheFullCheck() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AnswerCheck check = AnswerCheck.create(contract, 1.0, meters);
    for (String name :
        new String[] {
          "housingFundAccount",
          "housingFundContributions",
          "housingFundProofData",
          "socialSecurityAccount",
          "socialSecurityContributions",
          "trafficDueFines",
          "trafficFinePayment",
          "trafficFines",
          "trafficVehicles",
          "utilitiesBill",
          "utilitiesBillPayment-already-paid",
          "utilitiesBillPayment",
          "utilitiesDueBills"
        }) {
      JsonObject e = example(name);
      JsonObject response = e.getJsonObject("response");
      // Round-tripped through text, as an answer arrives.
      JsonObject body = Buffer.buffer(response.getJsonObject("body").encode()).toJsonObject();
      assertThat(
              check.accepts(e.getString("operationId"), response.getInteger("status"), JSON, body))
          .as(name)
          .isTrue();
    }
    assertThat(meters.find(AnswerCheck.BREACHES).counters()).isEmpty();
  }

  @Test
  void theLeanCheckAloneRefusesWhatTheGatewayWouldReadWrongly() throws Exception {
    AnswerCheck check = AnswerCheck.create(contract, 0.0, new SimpleMeterRegistry());
    assertThat(check.accepts("socialSecurityAccount", 200, JSON, account())).isTrue();
    assertThat(
            check.accepts(
                "socialSecurityAccount", 200, JSON, account().put("insuredStatus", "unknown")))
        .as("outside the enum")
        .isFalse();
    JsonObject missing = account();
    missing.remove("employer");
    assertThat(check.accepts("socialSecurityAccount", 200, JSON, missing))
        .as("required field missing")
        .isFalse();
    assertThat(
            check.accepts(
                "socialSecurityAccount", 200, JSON, account().put("startDate", "2024-02-30")))
        .as("not a date")
        .isFalse();
    assertThat(
            check.accepts(
                "socialSecurityAccount",
                200,
                JSON,
                account().put("pensionAccountBalanceFen", "12")))
        .as("a string for an integer")
        .isFalse();
    assertThat(
            check.accepts(
                "socialSecurityAccount", 200, JSON, account().put("pensionAccountBalanceFen", -1)))
        .as("below the minimum")
        .isFalse();
    assertThat(
            check.accepts(
                "socialSecurityAccount",
                200,
                JSON,
                account().put("city", new JsonObject().put("code", "33010").put("name", "杭州市"))))
        .as("region code against its pattern")
        .isFalse();
    assertThat(
            check.accepts(
                "socialSecurityAccount", 200, JSON, new JsonObject().put("data", account())))
        .as("the data wrapped in an envelope")
        .isFalse();
    assertThat(check.accepts("socialSecurityAccount", 200, "text/plain", account())).isFalse();
    assertThat(check.accepts("socialSecurityAccount", 299, JSON, account()))
        .as("an undocumented status")
        .isFalse();
  }

  @Test
  void theSampledFullValidationCatchesABreachTheLeanCheckLetsThroughAndCountsIt() throws Exception {
    // insuranceTypes must hold unique items: no field the gateway passes on is wrong in kind, so
    // the lean check
    // leaves this to the full validation.
    JsonObject duplicated =
        account().put("insuranceTypes", new JsonArray().add("pension").add("pension"));

    SimpleMeterRegistry unsampled = new SimpleMeterRegistry();
    assertThat(
            AnswerCheck.create(contract, 0.0, unsampled)
                .accepts("socialSecurityAccount", 200, JSON, duplicated))
        .isTrue();
    assertThat(unsampled.find(AnswerCheck.BREACHES).counters()).isEmpty();

    SimpleMeterRegistry sampled = new SimpleMeterRegistry();
    AnswerCheck always = AnswerCheck.create(contract, 1.0, sampled);
    assertThat(always.accepts("socialSecurityAccount", 200, JSON, duplicated)).isFalse();
    assertThat(always.accepts("socialSecurityAccount", 200, JSON, account())).isTrue();
    Counter breaches =
        sampled.get(AnswerCheck.BREACHES).tag("operation", "socialSecurityAccount").counter();
    assertThat(breaches.count()).isEqualTo(1.0);
  }

  @Test
  void refusesASchemaKeywordItCannotCheck() {
    JsonObject document = new JsonObject();
    assertThatThrownBy(
            () ->
                LeanCheck.compile(
                    document,
                    new JsonObject().put("type", "string").put("contentEncoding", "base64")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("contentEncoding");
  }
}
