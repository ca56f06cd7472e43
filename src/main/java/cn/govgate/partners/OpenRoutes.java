package cn.govgate.partners;

import cn.govgate.certificates.ProofRoutes;
import cn.govgate.http.JsonBody;
import cn.govgate.services.CitizenServiceRoutes;
import cn.govgate.services.ServiceAccess;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The partner API ({@code contracts/partner-api.yaml}), mounted below {@code /open/v1}: the
 * gateway's key set, and the citizen services read through the citizen API's own service layer
 * ({@link CitizenServiceRoutes#read}) for the citizen of the consent — same checks, department
 * call, shaping, interaction and audit (actor: the partner; context: partner and consent ids);
 * proofs issued and verified through the citizen API's proof routes ({@link ProofRoutes}).
 */
final class OpenRoutes {
  private final PartnerGate gate;
  private final AnswerKeys keys;
  private final CitizenServiceRoutes services;
  private final ProofRoutes proofs;

  OpenRoutes(PartnerGate gate, AnswerKeys keys, CitizenServiceRoutes services, ProofRoutes proofs) {
    this.gate = gate;
    this.keys = keys;
    this.services = services;
    this.proofs = proofs;
  }

  void mount(Router router) {
    router.route().handler(gate::signAnswers);
    router.get("/keys").handler(ctx -> Answers.json(ctx, 200, keys.keySet()));
    read(
        router,
        "/social-security/account",
        "social-security.account",
        "social-security.account",
        "region");
    read(
        router,
        "/social-security/contributions",
        "social-security.account",
        "social-security.contributions",
        "region",
        "from",
        "to");
    read(router, "/housing-fund/account", "housing-fund.account", "housing-fund.account", "region");
    read(
        router,
        "/housing-fund/contributions",
        "housing-fund.account",
        "housing-fund.contributions",
        "region",
        "from",
        "to");
    read(
        router, "/traffic/fines", "traffic.fines", "traffic.fines", "region", "plate", "plateType");
    read(
        router,
        "/utilities/bill",
        "utilities.bill",
        "utilities.bill",
        "region",
        "utilityType",
        "accountNo");
    // Proofs through the citizen API's proof routes: issued to the citizen of the consent (named in
    // the signed body); verified like the public verify, with no consent.
    router
        .post("/housing-fund/proofs")
        .handler(
            gate.require(
                "proofs.issue",
                Set.of(),
                Set.of("consentId", "region", "purpose", "validDays"),
                PartnerGate.ConsentIn.BODY))
        .handler(
            ctx -> {
              PartnerCall call = PartnerCall.of(ctx);
              answer(
                  ctx,
                  201,
                  () ->
                      proofs.issueHousingFundProof(
                          ctx,
                          JsonBody.required(ctx),
                          ServiceAccess.partner(
                              call.appId(), call.consentId(), call.citizenKey())));
            });
    router
        .post("/proofs/verify")
        .handler(
            gate.require("proofs.verify", Set.of(), Set.of("proof"), PartnerGate.ConsentIn.NONE))
        .handler(
            ctx ->
                answer(
                    ctx,
                    200,
                    () ->
                        proofs.verify(
                            ctx,
                            JsonBody.required(ctx),
                            ServiceAccess.partnerOnly(PartnerCall.of(ctx).appId()))));
  }

  private void read(
      Router router, String path, String scope, String serviceType, String... params) {
    Set<String> allowed = new java.util.HashSet<>(Set.of(params));
    allowed.add("consentId");
    router
        .get(path)
        .handler(gate.require(scope, Set.copyOf(allowed)))
        .handler(ctx -> serve(ctx, serviceType));
  }

  private void serve(RoutingContext ctx, String serviceType) {
    PartnerCall call = PartnerCall.of(ctx);
    answer(
        ctx,
        200,
        () ->
            services.read(
                ctx,
                serviceType,
                ServiceAccess.partner(call.appId(), call.consentId(), call.citizenKey())));
  }

  private static void answer(RoutingContext ctx, int status, Supplier<Future<JsonObject>> service) {
    Future<JsonObject> answer;
    try {
      answer = service.get();
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onSuccess(json -> Answers.json(ctx, status, json)).onFailure(ctx::fail);
  }
}
