package cn.govgate.sim.departments;

import static cn.govgate.sim.departments.SimulatorFixture.await;
import static cn.govgate.sim.departments.SimulatorFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.departments.DepartmentData.Bill;
import cn.govgate.sim.departments.DepartmentData.Fine;
import cn.govgate.sim.departments.DepartmentData.HouseholdAccount;
import cn.govgate.sim.departments.DepartmentData.Vehicle;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DepartmentSimulatorTest {

  private SimulatorFixture fixture;

  private record FineOnRecord(SyntheticCitizen citizen, Vehicle vehicle, Fine fine) {}

  @BeforeEach
  void setUp(Vertx vertx) {
    fixture = new SimulatorFixture(vertx);
  }

  @Test
  void answersEverySocialSecurityOperationWithinTheContract() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.SOCIAL_SECURITY);
    SyntheticCitizen citizen = SimulatorFixture.hangzhouCitizens().get(0);

    HttpResponse<Buffer> account =
        ok(
            simulator,
            "/social-security/account",
            "socialSecurityAccount",
            body("social-security.account", citizen, new JsonObject()));
    HttpResponse<Buffer> contributions =
        ok(
            simulator,
            "/social-security/contributions",
            "socialSecurityContributions",
            body(
                "social-security.contributions",
                citizen,
                new JsonObject().put("from", "2024-01").put("to", "2024-12")));

    assertThat(account.bodyAsJsonObject().getJsonObject("city").getString("code"))
        .isEqualTo("330100");
    JsonObject result = contributions.bodyAsJsonObject();
    long employerSum =
        result.getJsonArray("months").stream()
            .mapToLong(m -> ((JsonObject) m).getLong("employerFen"))
            .sum();
    assertThat(result.getLong("totalEmployerFen")).isEqualTo(employerSum);
  }

  @Test
  void derivesTheSameRecordsInEveryInstance() {
    DepartmentSimulator first = fixture.start(DepartmentFamily.HOUSING_FUND);
    DepartmentSimulator second = fixture.start(DepartmentFamily.HOUSING_FUND);
    SyntheticCitizen citizen = SimulatorFixture.hangzhouCitizens().get(3);
    JsonObject request = body("housing-fund.account", citizen, new JsonObject());

    assertThat(ok(first, "/housing-fund/account", "housingFundAccount", request).bodyAsJsonObject())
        .isEqualTo(
            ok(second, "/housing-fund/account", "housingFundAccount", request).bodyAsJsonObject());
  }

  @Test
  void answersEveryHousingFundOperationWithinTheContract() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.HOUSING_FUND);
    SyntheticCitizen citizen = SimulatorFixture.hangzhouCitizens().get(1);

    JsonObject account =
        ok(
                simulator,
                "/housing-fund/account",
                "housingFundAccount",
                body("housing-fund.account", citizen, new JsonObject()))
            .bodyAsJsonObject();
    ok(
        simulator,
        "/housing-fund/contributions",
        "housingFundContributions",
        body(
            "housing-fund.contributions",
            citizen,
            new JsonObject().put("from", "2023-07").put("to", "2025-06")));
    JsonObject proof =
        ok(
                simulator,
                "/housing-fund/proof-data",
                "housingFundProofData",
                body("housing-fund.proof-data", citizen, new JsonObject()))
            .bodyAsJsonObject();

    assertThat(proof.getString("holderName")).isEqualTo(citizen.name());
    assertThat(proof.getString("asOf")).isEqualTo("2025-06-15");
    assertThat(proof.getLong("balanceFen")).isEqualTo(account.getLong("balanceFen"));
    assertThat(proof.getString("accountNo")).isEqualTo(account.getString("accountNo"));
  }

  @Test
  void answersEveryTrafficOperationWithinTheContract() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.TRAFFIC);
    FineOnRecord record = unpaidPayableFine(simulator);
    Vehicle vehicle = record.vehicle();

    JsonArray own =
        ok(
                simulator,
                "/traffic/vehicles",
                "trafficVehicles",
                body("traffic.vehicles", record.citizen(), new JsonObject()))
            .bodyAsJsonObject()
            .getJsonArray("vehicles");
    JsonArray byPlate =
        ok(
                simulator,
                "/traffic/vehicles",
                "trafficVehicles",
                body("traffic.vehicles", null, vehicleKey(vehicle)))
            .bodyAsJsonObject()
            .getJsonArray("vehicles");
    JsonArray fines =
        ok(
                simulator,
                "/traffic/fines",
                "trafficFines",
                body("traffic.fines", null, vehicleKey(vehicle)))
            .bodyAsJsonObject()
            .getJsonArray("fines");
    JsonObject receipt =
        ok(
                simulator,
                "/traffic/fine-payment",
                "trafficFinePayment",
                body(
                    "traffic.fine-payment",
                    record.citizen(),
                    finePayment(record.fine(), record.fine().amountFen(), "order-1")))
            .bodyAsJsonObject();

    assertThat(own.stream().map(v -> ((JsonObject) v).getString("plate")))
        .contains(vehicle.plate());
    assertThat(byPlate).hasSize(1);
    assertThat(fines.stream().map(f -> ((JsonObject) f).getString("decisionNumber")))
        .contains(record.fine().decisionNumber());
    assertThat(receipt.getString("status")).isEqualTo("accepted");
  }

  @Test
  void answersEveryUtilitiesOperationWithinTheContract() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.UTILITIES);
    Bill bill = unpaidBill(simulator);

    JsonObject answer =
        ok(simulator, "/utilities/bill", "utilitiesBill", billQuery(bill)).bodyAsJsonObject();
    JsonObject receipt =
        ok(
                simulator,
                "/utilities/bill-payment",
                "utilitiesBillPayment",
                body(
                    "utilities.bill-payment", null, billPayment(bill, bill.amountFen(), "order-9")))
            .bodyAsJsonObject();

    assertThat(answer.getString("billRef")).isEqualTo(bill.billRef());
    assertThat(answer.getString("status")).isEqualTo("unpaid");
    assertThat(answer.getString("address")).contains("***");
    assertThat(receipt.getString("receiptNo")).startsWith("SF330100");
  }

  @Test
  void answersHealthWithUp() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.UTILITIES);

    HttpResponse<Buffer> response =
        await(fixture.client.getAbs(simulator.baseUrl() + "/health").send());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    await(fixture.conforms("health", response));
    assertThat(simulator.requestCount()).isEqualTo(1);
  }

  @Test
  void rejectsUnsignedRequests() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.SOCIAL_SECURITY);
    JsonObject request =
        body(
            "social-security.account",
            SimulatorFixture.hangzhouCitizens().get(0),
            new JsonObject());

    HttpResponse<Buffer> response =
        await(
            fixture
                .client
                .postAbs(simulator.baseUrl() + "/social-security/account")
                .sendJsonObject(request));

    assertError(response, "socialSecurityAccount", 401, "unauthorized");
  }

  @Test
  void rejectsATamperedSignatureOrBody() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.SOCIAL_SECURITY);
    JsonObject request =
        body(
            "social-security.account",
            SimulatorFixture.hangzhouCitizens().get(0),
            new JsonObject());

    HttpResponse<Buffer> wrongSecret =
        fixture.post(
            simulator,
            "/social-security/account",
            request,
            SimulatorFixture.CLOCK,
            "not-the-secret");

    assertError(wrongSecret, "socialSecurityAccount", 401, "unauthorized");
  }

  @Test
  void rejectsAStaleTimestamp() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.SOCIAL_SECURITY);
    JsonObject request =
        body(
            "social-security.account",
            SimulatorFixture.hangzhouCitizens().get(0),
            new JsonObject());
    Clock sixMinutesAgo = Clock.offset(SimulatorFixture.CLOCK, Duration.ofSeconds(-301));

    HttpResponse<Buffer> response =
        fixture.post(
            simulator, "/social-security/account", request, sixMinutesAgo, SimulatorFixture.SECRET);

    assertError(response, "socialSecurityAccount", 401, "unauthorized");
  }

  @Test
  void answersCitizenNotFoundForUnknownPeopleAndWrongNames() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.SOCIAL_SECURITY);
    SyntheticCitizen known = SimulatorFixture.hangzhouCitizens().get(0);
    SyntheticCitizen stranger =
        cn.govgate.sim.citizens.SyntheticCitizens.generate(1, 999_999L).get(0);
    SyntheticCitizen wrongName =
        new SyntheticCitizen(
            known.idNumber(),
            known.name() + "一",
            known.birthDate(),
            known.gender(),
            known.phone(),
            known.homeRegion());

    for (SyntheticCitizen citizen : List.of(stranger, wrongName)) {
      HttpResponse<Buffer> response =
          fixture.post(
              simulator,
              "/social-security/account",
              body("social-security.account", citizen, new JsonObject()));

      assertError(response, "socialSecurityAccount", 404, "citizen_not_found");
    }
  }

  @Test
  void refusesMalformedRequestsAndOtherRegions() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.SOCIAL_SECURITY);
    SyntheticCitizen citizen = SimulatorFixture.hangzhouCitizens().get(0);

    List<JsonObject> bad =
        List.of(
            body("social-security.account", citizen, new JsonObject()).put("region", "510100"),
            body("social-security.contributions", citizen, new JsonObject()),
            body("social-security.account", citizen, new JsonObject()),
            body(
                "social-security.contributions",
                citizen,
                new JsonObject().put("from", "2025-01").put("to", "2024-01")),
            body(
                "social-security.contributions",
                citizen,
                new JsonObject().put("from", "2020-01").put("to", "2024-12")),
            body(
                "social-security.contributions",
                null,
                new JsonObject().put("from", "2024-01").put("to", "2024-02")));
    List<String> paths =
        List.of(
            "/social-security/account",
            "/social-security/contributions",
            "/social-security/contributions",
            "/social-security/contributions",
            "/social-security/contributions",
            "/social-security/contributions");

    for (int i = 0; i < bad.size(); i++) {
      HttpResponse<Buffer> response = fixture.post(simulator, paths.get(i), bad.get(i));
      String operationId =
          paths.get(i).endsWith("account")
              ? "socialSecurityAccount"
              : "socialSecurityContributions";

      assertError(response, operationId, 400, "bad_request");
    }
  }

  @Test
  void answersVehicleNotFoundForAnUnknownPlate() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.TRAFFIC);
    JsonObject query =
        new JsonObject().put("plate", "浙AZZZZZ").put("plateType", "02").put("vinLast6", "000000");

    HttpResponse<Buffer> response =
        fixture.post(simulator, "/traffic/fines", body("traffic.fines", null, query));

    assertError(response, "trafficFines", 404, "vehicle_not_found");
  }

  @Test
  void finePaymentIsIdempotentPerOrderAndRefusesSecondPaymentsAndWrongAmounts() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.TRAFFIC);
    FineOnRecord record = unpaidPayableFine(simulator);
    Fine fine = record.fine();

    HttpResponse<Buffer> wrongAmount =
        fixture.post(
            simulator,
            "/traffic/fine-payment",
            body("traffic.fine-payment", null, finePayment(fine, fine.amountFen() - 1, "order-a")));
    JsonObject first =
        ok(
                simulator,
                "/traffic/fine-payment",
                "trafficFinePayment",
                body("traffic.fine-payment", null, finePayment(fine, fine.amountFen(), "order-a")))
            .bodyAsJsonObject();
    JsonObject repeat =
        ok(
                simulator,
                "/traffic/fine-payment",
                "trafficFinePayment",
                body("traffic.fine-payment", null, finePayment(fine, fine.amountFen(), "order-a")))
            .bodyAsJsonObject();
    HttpResponse<Buffer> otherOrder =
        fixture.post(
            simulator,
            "/traffic/fine-payment",
            body("traffic.fine-payment", null, finePayment(fine, fine.amountFen(), "order-b")));
    JsonObject fines =
        ok(
                simulator,
                "/traffic/fines",
                "trafficFines",
                body("traffic.fines", record.citizen(), vehicleKey(record.vehicle())))
            .bodyAsJsonObject();

    assertError(wrongAmount, "trafficFinePayment", 409, "amount_mismatch");
    assertThat(repeat).isEqualTo(first);
    assertError(otherOrder, "trafficFinePayment", 409, "already_paid");
    JsonObject paid =
        fines.getJsonArray("fines").stream()
            .map(JsonObject.class::cast)
            .filter(f -> f.getString("decisionNumber").equals(fine.decisionNumber()))
            .findFirst()
            .orElseThrow();
    assertThat(paid.getString("status")).isEqualTo("paid");
    assertThat(paid.getString("paidAt")).isEqualTo("2025-06-15T10:00:00+08:00");
    assertThat(paid.getBoolean("payable")).isFalse();
  }

  @Test
  void billPaymentIsIdempotentPerOrderAndRefusesSecondPaymentsAndWrongAmounts() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.UTILITIES);
    Bill bill = unpaidBill(simulator);

    HttpResponse<Buffer> wrongAmount =
        fixture.post(
            simulator,
            "/utilities/bill-payment",
            body(
                "utilities.bill-payment",
                null,
                billPayment(bill, bill.amountFen() + 100, "order-x")));
    JsonObject first =
        ok(
                simulator,
                "/utilities/bill-payment",
                "utilitiesBillPayment",
                body(
                    "utilities.bill-payment", null, billPayment(bill, bill.amountFen(), "order-x")))
            .bodyAsJsonObject();
    JsonObject repeat =
        ok(
                simulator,
                "/utilities/bill-payment",
                "utilitiesBillPayment",
                body(
                    "utilities.bill-payment", null, billPayment(bill, bill.amountFen(), "order-x")))
            .bodyAsJsonObject();
    HttpResponse<Buffer> otherOrder =
        fixture.post(
            simulator,
            "/utilities/bill-payment",
            body("utilities.bill-payment", null, billPayment(bill, bill.amountFen(), "order-y")));
    HttpResponse<Buffer> unknownBill =
        fixture.post(
            simulator,
            "/utilities/bill-payment",
            body(
                "utilities.bill-payment",
                null,
                billPayment(bill, bill.amountFen(), "order-z").put("billRef", "W1")));

    assertError(wrongAmount, "utilitiesBillPayment", 409, "amount_mismatch");
    assertThat(repeat).isEqualTo(first);
    assertError(otherOrder, "utilitiesBillPayment", 409, "already_paid");
    assertError(unknownBill, "utilitiesBillPayment", 404, "bill_not_found");
    assertThat(
            ok(simulator, "/utilities/bill", "utilitiesBill", billQuery(bill))
                .bodyAsJsonObject()
                .getString("status"))
        .isEqualTo("paid");
  }

  @Test
  void answersBillNotFoundForAnUnknownAccount() {
    DepartmentSimulator simulator = fixture.start(DepartmentFamily.UTILITIES);
    JsonObject query = new JsonObject().put("utilityType", "gas").put("accountNo", "0000000000");

    HttpResponse<Buffer> response =
        fixture.post(simulator, "/utilities/bill", body("utilities.bill", null, query));

    assertError(response, "utilitiesBill", 404, "bill_not_found");
  }

  @Test
  void startsWithTenThousandCitizensAndFindsTheirRecords(Vertx vertx) {
    List<SyntheticCitizen> citizens =
        cn.govgate.sim.citizens.SyntheticCitizens.generate(10_000, 77L);
    long start = System.nanoTime();
    DepartmentSimulator traffic =
        await(
            DepartmentSimulator.start(
                vertx,
                new DepartmentSimulatorOptions(
                    DepartmentFamily.TRAFFIC,
                    "510100",
                    SimulatorFixture.KEY_ID,
                    SimulatorFixture.SECRET,
                    0,
                    citizens,
                    SimulatorFixture.CLOCK)));
    DepartmentSimulator utilities =
        await(
            DepartmentSimulator.start(
                vertx,
                new DepartmentSimulatorOptions(
                    DepartmentFamily.UTILITIES,
                    "510100",
                    SimulatorFixture.KEY_ID,
                    SimulatorFixture.SECRET,
                    0,
                    citizens,
                    SimulatorFixture.CLOCK)));
    long startupMs = (System.nanoTime() - start) / 1_000_000;
    SyntheticCitizen last =
        citizens.stream()
            .filter(c -> c.homeRegion().equals("510100"))
            .reduce((first, second) -> second)
            .orElseThrow();
    HouseholdAccount water = utilities.accountsOf(last).get(0);

    JsonObject bill =
        fixture
            .post(
                utilities,
                "/utilities/bill",
                body(
                        "utilities.bill",
                        null,
                        new JsonObject()
                            .put("utilityType", "water")
                            .put("accountNo", water.accountNo()))
                    .put("region", "510100"))
            .bodyAsJsonObject();

    assertThat(startupMs).as("start-up of two simulators in ms").isLessThan(5_000);
    assertThat(bill.getString("holderName")).isEqualTo(last.name());
    assertThat(bill.getString("address")).startsWith("成都市");
    assertThat(traffic.vehiclesOf(last))
        .isEqualTo(DepartmentData.vehicles(last.idNumber(), LocalDate.of(2025, 6, 15)));
  }

  // ---------- helpers ----------

  private HttpResponse<Buffer> ok(
      DepartmentSimulator simulator, String path, String operationId, JsonObject body) {
    HttpResponse<Buffer> response = fixture.post(simulator, path, body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    await(fixture.conforms(operationId, response));
    return response;
  }

  private void assertError(
      HttpResponse<Buffer> response, String operationId, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code"))
        .isEqualTo(code);
    await(fixture.conforms(operationId, response));
  }

  private static FineOnRecord unpaidPayableFine(DepartmentSimulator simulator) {
    for (SyntheticCitizen citizen : SimulatorFixture.hangzhouCitizens()) {
      for (Vehicle vehicle : simulator.vehiclesOf(citizen)) {
        for (Fine fine : simulator.finesOf(citizen, vehicle)) {
          if (!fine.initiallyPaid() && fine.payable()) {
            return new FineOnRecord(citizen, vehicle, fine);
          }
        }
      }
    }
    throw new AssertionError("no unpaid payable fine among the synthetic citizens");
  }

  private static Bill unpaidBill(DepartmentSimulator simulator) {
    for (SyntheticCitizen citizen : SimulatorFixture.hangzhouCitizens()) {
      for (HouseholdAccount account : simulator.accountsOf(citizen)) {
        Bill bill = simulator.billOf(account);
        if (!bill.initiallyPaid()) {
          return bill;
        }
      }
    }
    throw new AssertionError("no unpaid bill among the synthetic citizens");
  }

  private static JsonObject vehicleKey(Vehicle vehicle) {
    return new JsonObject()
        .put("plate", vehicle.plate())
        .put("plateType", vehicle.plateType())
        .put("vinLast6", vehicle.vinLast6());
  }

  private static JsonObject finePayment(Fine fine, long amountFen, String orderId) {
    return new JsonObject()
        .put("decisionNumber", fine.decisionNumber())
        .put("amountFen", amountFen)
        .put("orderId", orderId)
        .put("channelTradeNo", "2025061522001400000001")
        .put("paidAt", "2025-06-15T10:00:00+08:00");
  }

  private static JsonObject billPayment(Bill bill, long amountFen, String orderId) {
    return new JsonObject()
        .put("billRef", bill.billRef())
        .put("amountFen", amountFen)
        .put("orderId", orderId)
        .put("channelTradeNo", "4200002025061500000001")
        .put("paidAt", "2025-06-15T10:00:00+08:00");
  }

  private static JsonObject billQuery(Bill bill) {
    return body(
        "utilities.bill",
        null,
        new JsonObject().put("utilityType", bill.utilityType()).put("accountNo", bill.accountNo()));
  }
}
