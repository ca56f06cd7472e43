package cn.govgate.certificates;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.identity.CitizenDirectory;
import cn.govgate.registry.DepartmentClient;
import cn.govgate.registry.RegistryStore;
import cn.govgate.services.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Fetches what a housing-fund deposit proof states: the citizen (identity's citizen directory, by
 * the caller's citizen key — never by anything the client sends) and the department's {@code
 * housing-fund.proof-data} answer (the registry's department client). Fails with the department's
 * {@code ApiException} when it is unavailable.
 */
@FunctionalInterface
public interface HousingFundProofSource {

  Future<ProofSubject> load(Caller caller, String region, String departmentId, String requestId);

  /**
   * The holder from the citizen directory (by the caller's citizen key, never by client input) and
   * the data from the department that serves {@code housing-fund.proof-data} in the region. A proof
   * is a statement signed today, so a stale copy is never signed: 503 {@code
   * department.unavailable} instead.
   */
  static HousingFundProofSource fromDepartment(
      CitizenDirectory directory, DepartmentClient departments, RegistryStore registry) {
    return (caller, region, departmentId, requestId) ->
        directory
            .resolve(caller.citizenKey())
            .compose(
                citizen ->
                    departments
                        .call(
                            "housing-fund.proof-data",
                            region,
                            new JsonObject()
                                .put("idNumber", citizen.idNumber())
                                .put("name", citizen.name()),
                            new JsonObject(),
                            requestId,
                            true)
                        .compose(
                            answer -> {
                              if (answer.stale()) {
                                return Future.failedFuture(
                                    ApiException.ofDepartment(
                                            ErrorCode.DEPARTMENT_UNAVAILABLE, answer.department())
                                        .withRetryAfter(60));
                              }
                              return registry
                                  .department(answer.department())
                                  .map(
                                      d ->
                                          new ProofSubject(
                                              citizen.name(),
                                              citizen.idNumber(),
                                              d.name(),
                                              answer.data()));
                            }));
  }
}
