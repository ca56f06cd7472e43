package cn.govgate.registry;

import static cn.govgate.registry.RegistryFixture.HANGZHOU;
import static cn.govgate.registry.RegistryFixture.backendBody;
import static cn.govgate.registry.RegistryFixture.citizenOf;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.error.ApiException;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentFaults;
import cn.govgate.sim.departments.DepartmentSimulator;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Idempotent reads are retried outside the guard on department faults; writes never are. */
class ReadRetriesTest {

  private static RegistryFixture fx;

  @BeforeAll
  static void start() {
    fx = RegistryFixture.start("registry.maxRetries", "2");
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void aReadIsRetriedPastOneDepartmentErrorButAWriteIsNot() {
    JsonObject department = fx.department("social-security");
    DepartmentSimulator sim =
        fx.simulator(
            DepartmentFamily.SOCIAL_SECURITY, HANGZHOU, "retry-key", "retry-secret-0123456789");
    Backend backend =
        fx.register(
            department,
            backendBody(sim, "retry-key", "retry-secret-0123456789", "social-security.account"));
    sim.faults(DepartmentFaults.none().withErrorRate(1.0));
    long before = sim.requestCount();
    ApiException read = fx.failure("social-security.account", HANGZHOU, citizenOf(HANGZHOU));
    assertThat(read.code()).isEqualTo("department.error");
    assertThat(sim.requestCount() - before).as("first attempt and two retries").isEqualTo(3);
    assertThat(backend.guard().breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(3);

    long beforeWrite = sim.requestCount();
    ApiException write =
        RegistryFixture.failure(
            fx.call("social-security.account", HANGZHOU, citizenOf(HANGZHOU), false));
    assertThat(write.code()).isEqualTo("department.error");
    assertThat(sim.requestCount() - beforeWrite).as("a write is never repeated").isEqualTo(1);

    // Four failures in the window of four opened the breaker: its refusal is not retried either.
    long beforeRefusal = sim.requestCount();
    assertThat(fx.failure("social-security.account", HANGZHOU, citizenOf(HANGZHOU)).code())
        .isEqualTo("department.unavailable");
    assertThat(sim.requestCount()).isEqualTo(beforeRefusal);
  }
}
