package cn.govgate.sim.departments;

import static cn.govgate.sim.departments.SimulatorFixture.await;
import static cn.govgate.sim.departments.SimulatorFixture.body;
import static cn.govgate.sim.departments.SimulatorFixture.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.sim.citizens.SyntheticCitizen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DepartmentFaultsTest {

  private static final String PATH = "/social-security/account";
  private static final String OPERATION = "socialSecurityAccount";

  private SimulatorFixture fixture;
  private DepartmentSimulator simulator;
  private JsonObject request;

  @BeforeEach
  void setUp(Vertx vertx) {
    fixture = new SimulatorFixture(vertx);
    simulator = fixture.start(DepartmentFamily.SOCIAL_SECURITY);
    SyntheticCitizen citizen = SimulatorFixture.hangzhouCitizens().get(0);
    request = body("social-security.account", citizen, new JsonObject());
  }

  @Test
  void departmentAddsLatency() {
    simulator.faults(DepartmentFaults.none().withLatencyMs(400));

    Throwable impatient =
        failureOf(send().timeout(150, java.util.concurrent.TimeUnit.MILLISECONDS));
    long start = System.nanoTime();
    HttpResponse<Buffer> patient = await(send());
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(impatient).isInstanceOf(TimeoutException.class);
    assertThat(patient.statusCode()).isEqualTo(200);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(400);
  }

  @Test
  void departmentAnswers500AtTheConfiguredRate() {
    simulator.faults(DepartmentFaults.none().withErrorRate(0.5));

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      HttpResponse<Buffer> response = await(send());
      statuses.add(response.statusCode());
      await(fixture.conforms(OPERATION, response));
    }

    assertThat(statuses).containsExactly(200, 500, 200, 500, 200, 500);
  }

  @Test
  void departmentHangs() {
    simulator.faults(DepartmentFaults.none().withHang(true));

    Throwable failure = failureOf(send().timeout(300, java.util.concurrent.TimeUnit.MILLISECONDS));

    assertThat(failure).isInstanceOf(TimeoutException.class);
    assertThat(simulator.requestCount()).isEqualTo(1);
  }

  @Test
  void departmentAbortsConnection() {
    simulator.faults(DepartmentFaults.none().withAbortConnection(true));

    Throwable failure = failureOf(send());

    assertThat(failure).isNotNull().isNotInstanceOf(TimeoutException.class);
    assertThat(failure.getMessage()).containsIgnoringCase("closed");
  }

  @Test
  void departmentReturnsMalformedJsonInside200() {
    simulator.faults(DepartmentFaults.none().withMalformedBody(true));

    HttpResponse<Buffer> response = await(send());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThatThrownBy(response::bodyAsJsonObject).isInstanceOf(DecodeException.class);
    assertThat(failureOf(fixture.conforms(OPERATION, response))).isNotNull();
  }

  @Test
  void departmentReturnsSchemaBreakingJsonThatFailsContractValidation() {
    HttpResponse<Buffer> healthy = await(send());
    simulator.faults(DepartmentFaults.none().withSchemaBreakingBody(true));

    HttpResponse<Buffer> broken = await(send());

    await(fixture.conforms(OPERATION, healthy));
    assertThat(broken.statusCode()).isEqualTo(200);
    assertThat(broken.bodyAsJsonObject().getJsonObject("data"))
        .isEqualTo(healthy.bodyAsJsonObject());
    assertThat(failureOf(fixture.conforms(OPERATION, broken)))
        .isInstanceOf(io.vertx.openapi.validation.ValidatorException.class);
  }

  @Test
  void departmentIsUnderMaintenance() {
    simulator.faults(DepartmentFaults.none().withUnderMaintenance(true));

    HttpResponse<Buffer> response = await(send());
    HttpResponse<Buffer> health =
        await(fixture.client.getAbs(simulator.baseUrl() + "/health").send());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.getHeader("Retry-After")).isEqualTo("60");
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code"))
        .isEqualTo("under_maintenance");
    await(fixture.conforms(OPERATION, response));
    assertThat(health.statusCode()).isEqualTo(503);
    await(fixture.conforms("health", health));
  }

  @Test
  void faultsSwitchThroughTheControlEndpoint() {
    HttpResponse<Buffer> switched =
        await(
            fixture
                .client
                .postAbs(simulator.baseUrl() + "/__sim/faults")
                .sendJsonObject(
                    new JsonObject().put("underMaintenance", true).put("latencyMs", 5)));
    HttpResponse<Buffer> during =
        await(fixture.client.getAbs(simulator.baseUrl() + "/health").send());
    await(
        fixture
            .client
            .postAbs(simulator.baseUrl() + "/__sim/faults")
            .sendJsonObject(new JsonObject()));
    HttpResponse<Buffer> after =
        await(fixture.client.getAbs(simulator.baseUrl() + "/health").send());
    HttpResponse<Buffer> invalid =
        await(
            fixture
                .client
                .postAbs(simulator.baseUrl() + "/__sim/faults")
                .sendJsonObject(new JsonObject().put("errorRate", 2.0)));

    assertThat(switched.bodyAsJsonObject().getBoolean("underMaintenance")).isTrue();
    assertThat(during.statusCode()).isEqualTo(503);
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(simulator.faults()).isEqualTo(DepartmentFaults.none());
    assertThat(simulator.requestCount()).as("control requests are not counted").isEqualTo(2);
  }

  private Future<HttpResponse<Buffer>> send() {
    return fixture.postAsync(
        simulator, PATH, request, SimulatorFixture.CLOCK, SimulatorFixture.SECRET);
  }
}
