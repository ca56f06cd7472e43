package cn.govgate.certificates;

import cn.govgate.services.Caller;
import io.vertx.core.Future;

/**
 * Fetches what a housing-fund deposit proof states: the citizen (identity's citizen directory, by the caller's
 * citizen key — never by anything the client sends) and the department's {@code housing-fund.proof-data} answer
 * (the registry's department client). Fails with the department's {@code ApiException} when it is unavailable.
 */
@FunctionalInterface
public interface HousingFundProofSource {

  Future<ProofSubject> load(Caller caller, String region, String departmentId, String requestId);
}
