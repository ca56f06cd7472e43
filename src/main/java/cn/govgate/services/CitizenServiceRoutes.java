package cn.govgate.services;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.http.RequestIds;
import cn.govgate.identity.Citizen;
import cn.govgate.identity.CitizenDirectory;
import cn.govgate.identity.Level;
import cn.govgate.identity.Masking;
import cn.govgate.identity.Session;
import cn.govgate.registry.DepartmentAnswer;
import cn.govgate.registry.DepartmentClient;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;

/**
 * The citizen service endpoints of the four families (mounted below {@code /v1}):
 *
 * <ul>
 *   <li>{@code GET /social-security/account}, {@code GET /social-security/contributions} (L3, fresh
 *       face)
 *   <li>{@code GET /housing-fund/account}, {@code GET /housing-fund/contributions} (L3, fresh face)
 *   <li>{@code GET /traffic/vehicles}, {@code GET /traffic/fines} of one of the citizen's own
 *       vehicles, and {@code POST /traffic/vehicle-lookups} for a vehicle not registered to the
 *       citizen (L2, rate-limited)
 *   <li>{@code GET /utilities/bill} (L1: any session; the holder's name is masked)
 * </ul>
 *
 * <p>Every answer is {@code {data, interactionId, department, stale, asOf}}. Records are always
 * selected by the citizen of the session (resolved through the {@link CitizenDirectory}), never by
 * an identifier the client sends; only the fields of the department contract are passed on, masked
 * where the citizen does not need them in full. Every call is audited (success or failure, never
 * personal data), and answered only once its record is durable.
 */
public final class CitizenServiceRoutes {

  private final DepartmentClient departments;
  private final CitizenDirectory directory;
  private final Interactions interactions;
  private final CallerResolver callers;
  private final OfferedServices offered;
  private final VehicleLookupLimit lookups;
  private final AuditLog audit;

  private CitizenServiceRoutes(
      DepartmentClient departments,
      CitizenDirectory directory,
      Interactions interactions,
      CallerResolver callers,
      OfferedServices offered,
      VehicleLookupLimit lookups,
      AuditLog audit) {
    this.departments = departments;
    this.directory = directory;
    this.interactions = interactions;
    this.callers = callers;
    this.offered = offered;
    this.lookups = lookups;
    this.audit = audit;
  }

  /**
   * @param departments the registry's department client (route lookup, guarded calls, stale copies)
   * @param directory decrypts the citizen of the session's citizen key
   * @param interactions records the interaction every answer carries
   * @param callers who calls (for interactions)
   * @param offered the regions the gateway knows (for {@code region.unknown})
   * @param lookups the per-citizen limit of vehicle lookups
   * @param audit where every read is recorded
   */
  public static CitizenServiceRoutes create(
      DepartmentClient departments,
      CitizenDirectory directory,
      Interactions interactions,
      CallerResolver callers,
      OfferedServices offered,
      VehicleLookupLimit lookups,
      AuditLog audit) {
    return new CitizenServiceRoutes(
        Objects.requireNonNull(departments),
        Objects.requireNonNull(directory),
        Objects.requireNonNull(interactions),
        Objects.requireNonNull(callers),
        Objects.requireNonNull(offered),
        Objects.requireNonNull(lookups),
        Objects.requireNonNull(audit));
  }

  /**
   * Mounts the routes.
   *
   * @param authenticate the session guard (401 without a valid session)
   * @param gate the assurance gate for a level (L3 with the configured face freshness)
   */
  public void mount(
      Router router,
      Handler<RoutingContext> authenticate,
      Function<Level, Handler<RoutingContext>> gate) {
    router
        .get("/social-security/account")
        .handler(authenticate)
        .handler(gate.apply(Level.L3))
        .respond(
            ctx ->
                personal(
                    ctx,
                    citizen(ctx),
                    "social-security.account",
                    "social_security.account.read",
                    p -> new JsonObject(),
                    CitizenServiceRoutes::socialSecurityAccount));
    router
        .get("/social-security/contributions")
        .handler(authenticate)
        .handler(gate.apply(Level.L3))
        .respond(
            ctx ->
                personal(
                    ctx,
                    citizen(ctx),
                    "social-security.contributions",
                    "social_security.contributions.read",
                    ServiceParams::monthRange,
                    CitizenServiceRoutes::socialSecurityContributions));
    router
        .get("/housing-fund/account")
        .handler(authenticate)
        .handler(gate.apply(Level.L3))
        .respond(
            ctx ->
                personal(
                    ctx,
                    citizen(ctx),
                    "housing-fund.account",
                    "housing_fund.account.read",
                    p -> new JsonObject(),
                    CitizenServiceRoutes::housingFundAccount));
    router
        .get("/housing-fund/contributions")
        .handler(authenticate)
        .handler(gate.apply(Level.L3))
        .respond(
            ctx ->
                personal(
                    ctx,
                    citizen(ctx),
                    "housing-fund.contributions",
                    "housing_fund.contributions.read",
                    ServiceParams::monthRange,
                    CitizenServiceRoutes::housingFundContributions));
    router
        .get("/traffic/vehicles")
        .handler(authenticate)
        .handler(gate.apply(Level.L2))
        .respond(
            ctx ->
                personal(
                    ctx,
                    citizen(ctx),
                    "traffic.vehicles",
                    "traffic.vehicles.read",
                    p -> new JsonObject(),
                    CitizenServiceRoutes::vehicles));
    router
        .get("/traffic/fines")
        .handler(authenticate)
        .handler(gate.apply(Level.L2))
        .respond(ctx -> ownFines(ctx, citizen(ctx)));
    router
        .post("/traffic/vehicle-lookups")
        .handler(authenticate)
        .handler(gate.apply(Level.L2))
        .respond(this::vehicleLookup);
    router.get("/utilities/bill").handler(authenticate).respond(ctx -> utilityBill(ctx, null));
  }

  /**
   * One read for a partner platform ({@code /open/v1}), through exactly the steps of the citizen
   * API: the same parameter checks, department call, shaping, interaction and audit, for the
   * citizen {@code access} names. Service types: {@code social-security.account}, {@code
   * social-security.contributions}, {@code housing-fund.account}, {@code
   * housing-fund.contributions}, {@code traffic.fines}, {@code utilities.bill}.
   */
  public Future<JsonObject> read(RoutingContext ctx, String serviceType, ServiceAccess access) {
    return switch (serviceType) {
      case "social-security.account" ->
          personal(
              ctx,
              access,
              serviceType,
              "social_security.account.read",
              p -> new JsonObject(),
              CitizenServiceRoutes::socialSecurityAccount);
      case "social-security.contributions" ->
          personal(
              ctx,
              access,
              serviceType,
              "social_security.contributions.read",
              ServiceParams::monthRange,
              CitizenServiceRoutes::socialSecurityContributions);
      case "housing-fund.account" ->
          personal(
              ctx,
              access,
              serviceType,
              "housing_fund.account.read",
              p -> new JsonObject(),
              CitizenServiceRoutes::housingFundAccount);
      case "housing-fund.contributions" ->
          personal(
              ctx,
              access,
              serviceType,
              "housing_fund.contributions.read",
              ServiceParams::monthRange,
              CitizenServiceRoutes::housingFundContributions);
      case "traffic.fines" -> ownFines(ctx, access);
      case "utilities.bill" -> utilityBill(ctx, access);
      default -> throw new IllegalArgumentException("no partner read for " + serviceType);
    };
  }

  // ---------- the request shapes ----------

  /**
   * A read of the session citizen's own records: parameters checked, region known, citizen resolved
   * from the session, one department call, the data shaped, an interaction recorded, the read
   * audited.
   */
  private Future<JsonObject> personal(
      RoutingContext ctx,
      ServiceAccess access,
      String serviceType,
      String action,
      Function<ServiceParams, JsonObject> query,
      Function<JsonObject, JsonObject> shape) {
    String citizenKey = access.citizenKey();
    JsonObject details = access.details(serviceType);
    Future<JsonObject> answer =
        attempt(
            () -> {
              ServiceParams params = ServiceParams.query(ctx);
              String region = params.region();
              JsonObject q = query.apply(params);
              params.check();
              details.put("region", region);
              knownRegion(region);
              return directory
                  .resolve(citizenKey)
                  .compose(
                      citizen ->
                          departments.call(
                              serviceType,
                              region,
                              citizenJson(citizen),
                              q,
                              RequestIds.of(ctx),
                              true))
                  .compose(
                      a ->
                          answer(
                              access,
                              serviceType,
                              region,
                              a.department(),
                              shape.apply(a.data()),
                              a.stale(),
                              a.asOf(),
                              details));
            });
    return audited(ctx, access.actorType(), access.actorId(), action, citizenKey, details, answer);
  }

  private Future<JsonObject> ownFines(RoutingContext ctx, ServiceAccess access) {
    String citizenKey = access.citizenKey();
    JsonObject details = access.details("traffic.fines");
    Future<JsonObject> answer =
        attempt(
            () -> {
              ServiceParams params = ServiceParams.query(ctx);
              String region = params.region();
              String plate = params.plate();
              String plateType = params.plateType();
              params.check();
              details.put("region", region);
              knownRegion(region);
              String requestId = RequestIds.of(ctx);
              return directory
                  .resolve(citizenKey)
                  .compose(
                      citizen -> {
                        JsonObject who = citizenJson(citizen);
                        // Ownership is decided by the department's list of the citizen's own
                        // vehicles, never by the client.
                        return departments
                            .call(
                                "traffic.vehicles", region, who, new JsonObject(), requestId, true)
                            .compose(
                                owned -> {
                                  boolean mine =
                                      owned
                                          .data()
                                          .getJsonArray("vehicles", new JsonArray())
                                          .stream()
                                          .map(JsonObject.class::cast)
                                          .anyMatch(
                                              v ->
                                                  plate.equals(v.getString("plate"))
                                                      && plateType.equals(
                                                          v.getString("plateType")));
                                  if (!mine) {
                                    return Future.failedFuture(
                                        ErrorCode.TRAFFIC_VEHICLE_NOT_OWNED.error());
                                  }
                                  JsonObject q =
                                      new JsonObject()
                                          .put("plate", plate)
                                          .put("plateType", plateType);
                                  return departments
                                      .call("traffic.fines", region, who, q, requestId, true)
                                      .compose(
                                          fines ->
                                              answer(
                                                  access,
                                                  "traffic.fines",
                                                  region,
                                                  fines.department(),
                                                  fines(fines.data()),
                                                  owned.stale() || fines.stale(),
                                                  earlier(owned, fines),
                                                  details));
                                });
                      });
            });
    return audited(
        ctx,
        access.actorType(),
        access.actorId(),
        "traffic.fines.read",
        citizenKey,
        details,
        answer);
  }

  private Future<JsonObject> vehicleLookup(RoutingContext ctx) {
    String citizenKey = citizenKey(ctx);
    JsonObject details = new JsonObject().put("serviceType", "traffic.fines").put("lookup", true);
    Future<JsonObject> answer =
        attempt(
            () -> {
              ServiceParams params = ServiceParams.body(ctx);
              String region = params.region();
              String plate = params.plate();
              String plateType = params.plateType();
              String vin = params.vinLast6();
              params.check();
              details.put("region", region);
              knownRegion(region);
              String requestId = RequestIds.of(ctx);
              JsonObject key =
                  new JsonObject()
                      .put("plate", plate)
                      .put("plateType", plateType)
                      .put("vinLast6", vin);
              // The vehicle is someone else's: the citizen's identity is not sent, the key alone
              // selects the record.
              return lookups
                  .acquire(citizenKey)
                  .compose(
                      v -> departments.call("traffic.vehicles", region, null, key, requestId, true))
                  .compose(
                      vehicle ->
                          departments
                              .call("traffic.fines", region, null, key, requestId, true)
                              .compose(
                                  fines -> {
                                    JsonArray found =
                                        vehicle.data().getJsonArray("vehicles", new JsonArray());
                                    if (found.isEmpty()) {
                                      return Future.failedFuture(
                                          ErrorCode.DEPARTMENT_VEHICLE_NOT_FOUND.error());
                                    }
                                    JsonObject data =
                                        new JsonObject()
                                            .put("vehicle", otherVehicle(found.getJsonObject(0)))
                                            .put(
                                                "fines", fines(fines.data()).getJsonArray("fines"));
                                    return answer(
                                        ServiceAccess.citizen(citizenKey, callers.resolve(ctx)),
                                        "traffic.fines",
                                        region,
                                        fines.department(),
                                        data,
                                        vehicle.stale() || fines.stale(),
                                        earlier(vehicle, fines),
                                        details);
                                  }));
            });
    return audited(
        ctx, "citizen", citizenKey, "traffic.vehicle_lookup.read", citizenKey, details, answer);
  }

  /** A bill by its account number; {@code partner} is null for the citizen API (any session). */
  private Future<JsonObject> utilityBill(RoutingContext ctx, ServiceAccess partner) {
    String actorType;
    String actor;
    ServiceAccess access;
    if (partner != null) {
      access = partner;
      actorType = partner.actorType();
      actor = partner.actorId();
    } else {
      Session session = Session.of(ctx);
      boolean bound = session.citizenKey() != null;
      actorType = bound ? "citizen" : "channel_user";
      actor = bound ? session.citizenKey() : session.identityKey();
      access =
          new ServiceAccess(session.citizenKey(), callers.resolve(ctx), actorType, actor, null);
    }
    JsonObject details = access.details("utilities.bill");
    Future<JsonObject> answer =
        attempt(
            () -> {
              ServiceParams params = ServiceParams.query(ctx);
              String region = params.region();
              String utilityType = params.utilityType();
              String accountNo = params.utilityAccountNo();
              params.check();
              details.put("region", region).put("utilityType", utilityType);
              knownRegion(region);
              JsonObject q =
                  new JsonObject().put("utilityType", utilityType).put("accountNo", accountNo);
              return departments
                  .call("utilities.bill", region, null, q, RequestIds.of(ctx), true)
                  .compose(
                      a ->
                          answer(
                              access,
                              "utilities.bill",
                              region,
                              a.department(),
                              bill(a.data()),
                              a.stale(),
                              a.asOf(),
                              details));
            });
    // The household looked up is not identified by a citizen key: anyone may look up a bill by its
    // account number.
    // A partner looks it up under a citizen's consent, so the read is recorded against that
    // citizen.
    return audited(
        ctx,
        actorType,
        actor,
        "utilities.bill.read",
        partner == null ? null : partner.citizenKey(),
        details,
        answer);
  }

  // ---------- common steps ----------

  /** The session's citizen reading their own records. */
  private ServiceAccess citizen(RoutingContext ctx) {
    return ServiceAccess.citizen(citizenKey(ctx), callers.resolve(ctx));
  }

  /**
   * The session's citizen; the assurance gate in front already demanded L2 or more, which means
   * bound.
   */
  private static String citizenKey(RoutingContext ctx) {
    String key = Session.of(ctx).citizenKey();
    if (key == null) {
      throw ErrorCode.IDENTITY_STEP_UP_REQUIRED
          .error()
          .withDetails(new JsonObject().put("requiredLevel", Level.L2.name()));
    }
    return key;
  }

  private void knownRegion(String region) {
    if (!offered.knownRegions().contains(region)) throw Catalogue.unknownRegion(offered);
  }

  private Future<JsonObject> answer(
      ServiceAccess access,
      String serviceType,
      String region,
      String department,
      JsonObject data,
      boolean stale,
      Instant asOf,
      JsonObject details) {
    details.put("department", department).put("stale", stale);
    // The interaction is written as part of the read's audit record (see audited), not on its own.
    Interaction interaction = interactions.ofRead(access.caller(), serviceType, department, region);
    return Future.succeededFuture(
        new JsonObject()
            .put("data", data)
            .put("interactionId", interaction.id())
            .put("department", department)
            .put("stale", stale)
            .put("asOf", asOf.toString()));
  }

  /**
   * Records the read in the audit log and passes the outcome on only once the record is durable: a
   * citizen never holds an answer whose record a crash could still lose.
   */
  private Future<JsonObject> audited(
      RoutingContext ctx,
      String actorType,
      String actor,
      String action,
      String citizenKey,
      JsonObject details,
      Future<JsonObject> answer) {
    return answer.transform(
        ar -> {
          if (ar.failed()) {
            details.put(
                "code",
                ar.cause() instanceof ApiException e
                    ? e.code()
                    : ErrorCode.GATEWAY_INTERNAL_ERROR.wire());
          }
          String requestId = RequestIds.of(ctx);
          // A successful read's record carries the interaction its answer names: one row is both
          // the audit record and the interaction a rating refers to.
          return audit
              .record(
                  ar.succeeded()
                      ? AuditEvent.success(actorType, actor, action, citizenKey, requestId, details)
                          .withInteraction(ar.result().getString("interactionId"))
                      : AuditEvent.failure(
                          actorType, actor, action, citizenKey, requestId, details))
              .transform(
                  written ->
                      ar.succeeded()
                          ? Future.succeededFuture(ar.result())
                          : Future.<JsonObject>failedFuture(ar.cause()));
        });
  }

  /** Runs a step that may throw a validation failure, as a Future. */
  private static Future<JsonObject> attempt(java.util.function.Supplier<Future<JsonObject>> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static JsonObject citizenJson(Citizen c) {
    return new JsonObject().put("idNumber", c.idNumber()).put("name", c.name());
  }

  private static Instant earlier(DepartmentAnswer a, DepartmentAnswer b) {
    return a.asOf().isBefore(b.asOf()) ? a.asOf() : b.asOf();
  }

  // ---------- shaping: only contract fields leave the gateway ----------

  static JsonObject pick(JsonObject from, String... fields) {
    JsonObject out = new JsonObject();
    for (String f : fields) {
      Object v = from.getValue(f);
      if (v != null) out.put(f, v);
    }
    return out;
  }

  private static JsonArray each(JsonArray items, Function<JsonObject, JsonObject> shape) {
    JsonArray out = new JsonArray();
    if (items != null) items.forEach(i -> out.add(shape.apply((JsonObject) i)));
    return out;
  }

  static JsonObject socialSecurityAccount(JsonObject d) {
    JsonObject out =
        pick(
            d,
            "insuredStatus",
            "insuranceTypes",
            "employer",
            "startDate",
            "pensionAccountBalanceFen",
            "lastPaidMonth");
    JsonObject city = d.getJsonObject("city");
    if (city != null) out.put("city", pick(city, "code", "name"));
    return out;
  }

  static JsonObject socialSecurityContributions(JsonObject d) {
    return pick(d, "from", "to", "totalEmployerFen", "totalPersonalFen")
        .put(
            "months",
            each(
                d.getJsonArray("months"),
                m ->
                    pick(m, "month", "baseFen", "employer", "employerFen", "personalFen")
                        .put(
                            "items",
                            each(
                                m.getJsonArray("items"),
                                i -> pick(i, "insuranceType", "employerFen", "personalFen")))));
  }

  static JsonObject housingFundAccount(JsonObject d) {
    return pick(
        d,
        "accountNo",
        "balanceFen",
        "monthlyDepositFen",
        "depositBaseFen",
        "depositRatePercent",
        "status",
        "employer",
        "openedOn",
        "lastDepositMonth");
  }

  static JsonObject housingFundContributions(JsonObject d) {
    return pick(d, "accountNo", "from", "to", "totalFen")
        .put(
            "months",
            each(
                d.getJsonArray("months"),
                m ->
                    pick(
                        m,
                        "month",
                        "baseFen",
                        "employerFen",
                        "personalFen",
                        "totalFen",
                        "depositedOn")));
  }

  static JsonObject vehicles(JsonObject d) {
    return new JsonObject()
        .put(
            "vehicles",
            each(
                d.getJsonArray("vehicles"),
                v ->
                    pick(
                        v,
                        "plate",
                        "plateType",
                        "brand",
                        "model",
                        "vinLast6",
                        "status",
                        "registeredOn",
                        "inspectionDueOn")));
  }

  /**
   * Someone else's vehicle: what identifies and concerns the vehicle, not when its owner registered
   * it.
   */
  static JsonObject otherVehicle(JsonObject v) {
    return pick(v, "plate", "plateType", "brand", "model", "vinLast6", "status", "inspectionDueOn");
  }

  static JsonObject fines(JsonObject d) {
    return pick(d, "plate", "plateType")
        .put(
            "fines",
            each(
                d.getJsonArray("fines"),
                f -> {
                  JsonObject fine =
                      pick(
                          f,
                          "decisionNumber",
                          "time",
                          "place",
                          "amountFen",
                          "points",
                          "payable",
                          "status",
                          "paidAt");
                  JsonObject offence = f.getJsonObject("offence");
                  if (offence != null) fine.put("offence", pick(offence, "code", "description"));
                  return fine;
                }));
  }

  /**
   * The holder's name masked (the caller need not be the holder); the address as the department
   * masked it.
   */
  static JsonObject bill(JsonObject d) {
    JsonObject out =
        pick(
            d,
            "billRef",
            "utilityType",
            "accountNo",
            "address",
            "period",
            "amountFen",
            "dueDate",
            "status");
    out.put("holderName", Masking.maskName(d.getString("holderName")));
    JsonObject usage = d.getJsonObject("usage");
    if (usage != null) out.put("usage", pick(usage, "quantity", "unit"));
    return out;
  }
}
