package cn.govgate.app;

import cn.govgate.certificates.HousingFundProofSource;
import cn.govgate.certificates.LocalProofKeys;
import cn.govgate.certificates.ProofAlgorithm;
import cn.govgate.certificates.ProofKey;
import cn.govgate.certificates.ProofKeys;
import cn.govgate.certificates.ProofSubject;
import cn.govgate.http.ApiException;
import cn.govgate.identity.Identity;
import cn.govgate.identity.Session;
import cn.govgate.identity.SigningKeys;
import cn.govgate.registry.AdminApi;
import cn.govgate.registry.Backend;
import cn.govgate.registry.DepartmentClient;
import cn.govgate.registry.Registry;
import cn.govgate.services.Caller;
import cn.govgate.services.CallerResolver;
import cn.govgate.services.OfferedServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The seams of the service concerns, wired to the real identity and registry: callers from the session, what a
 * region offers from the route table, department access from the admin credentials, proof keys from the
 * identity signing keys, proof data from the citizen directory and the department.
 */
final class WiredSeams {
  private WiredSeams() {}

  /**
   * @param sm2Proofs proofs are signed with the SM2 key of {@code certificates.*} instead of the identity's
   *     ES256 keys
   */
  static Seams create(Identity identity, Registry registry, DepartmentClient departments, AdminApi admin,
      Clock clock, boolean sm2Proofs) {
    return new Seams(offered(registry), callers(), admin::authorizeDepartment,
        sm2Proofs ? null : proofKeys(identity.signingKeys()), proofSource(identity, registry, departments), clock);
  }

  /** The caller of a request: the session's citizen when one was presented, anonymous at L1 otherwise. */
  static CallerResolver callers() {
    return ctx -> {
      Session session = Session.find(ctx);
      return session == null || session.citizenKey() == null
          ? Caller.anonymous()
          : new Caller(session.citizenKey(), session.level().ordinal() + 1, session.channel().wireName());
    };
  }

  /** What each region offers, read from the current route table (in memory, swapped atomically). */
  static OfferedServices offered(Registry registry) {
    return new OfferedServices() {
      @Override
      public Set<String> knownRegions() {
        Set<String> regions = new TreeSet<>();
        for (Backend b : registry.routes().backends()) {
          if (b.enabled()) regions.addAll(b.spec().regions());
        }
        return regions;
      }

      @Override
      public Optional<String> departmentFor(String serviceType, String region) {
        Backend b = registry.routes().pick(serviceType, region);
        return Optional.ofNullable(b == null ? null : b.departmentId());
      }
    };
  }

  /** The identity concern's ES256 keys, as the proofs concern signs with and publishes them. */
  static ProofKeys proofKeys(SigningKeys keys) {
    JsonArray jwks = keys.jwks().getJsonArray("keys");
    List<ProofKey> list = new ArrayList<>();
    for (int i = 0; i < keys.all().size(); i++) {
      SigningKeys.SigningKey k = keys.all().get(i);
      list.add(new ProofKey(k.kid(), ProofAlgorithm.ES256, k.privateKey(), k.publicKey(), jwks.getJsonObject(i)));
    }
    return LocalProofKeys.of(list.get(0), list.subList(1, list.size()));
  }

  /**
   * The holder from the citizen directory (by the caller's citizen key, never by client input) and the data
   * from the department. A proof is a statement signed today, so a stale copy is never signed.
   */
  static HousingFundProofSource proofSource(Identity identity, Registry registry, DepartmentClient departments) {
    return (caller, region, departmentId, requestId) -> identity.directory().resolve(caller.citizenKey())
        .compose(citizen -> departments.call("housing-fund.proof-data", region,
                new JsonObject().put("idNumber", citizen.idNumber()).put("name", citizen.name()), new JsonObject(),
                requestId, true)
            .compose(answer -> {
              if (answer.stale()) {
                return Future.failedFuture(ApiException.departmentUnavailable("department.unavailable",
                    "The department cannot confirm the data right now; a proof needs current data",
                    answer.department(), 60));
              }
              return registry.store().department(answer.department())
                  .map(d -> new ProofSubject(citizen.name(), citizen.idNumber(), d.name(), answer.data()));
            }));
  }
}
