package cn.govgate.app;

import cn.govgate.certificates.HousingFundProofSource;
import cn.govgate.certificates.ProofKeys;
import cn.govgate.services.CallerResolver;
import cn.govgate.services.DepartmentAccess;
import cn.govgate.services.OfferedServices;
import java.time.Clock;
import java.util.Map;

/**
 * What the service concerns need from identity and the registry, passed into {@link Gateway#start}. Until those
 * concerns are wired, {@link #unwired()} is honest about their absence: every caller is anonymous, no region is
 * offered, no department credential is accepted and proofs cannot be issued (the endpoint is not mounted).
 *
 * @param offered what each region offers (registry route table)
 * @param callers who calls (identity session)
 * @param departmentAccess department admin credentials (registry)
 * @param proofKeys proof-signing keys; null: the gateway's own key from {@code certificates.*}
 * @param proofSource citizen directory + department proof data; null: proof issuing is not mounted
 * @param clock the clock of ratings, rectification deadlines and proofs
 */
public record Seams(OfferedServices offered, CallerResolver callers, DepartmentAccess departmentAccess,
    ProofKeys proofKeys, HousingFundProofSource proofSource, Clock clock) {

  public static Seams unwired() {
    return new Seams(OfferedServices.fixed(Map.of()), CallerResolver.anonymousOnly(), DepartmentAccess.denyAll(),
        null, null, Clock.systemUTC());
  }
}
