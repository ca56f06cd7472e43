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
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

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
 *
 * <p>The endpoints are one table ({@link #endpoints}): {@link #mount} registers each row for the
 * citizen API and {@link #read} serves the rows partners may read, so both go through the same
 * steps ({@link #serve}).
 */
public final class CitizenServiceRoutes {

  /** Partner platforms read the endpoint too ({@link #read}, by its service type). */
  private static final boolean PARTNERS = true;

  private static final boolean CITIZENS_ONLY = false;

  /** A read that sends the department no parameter besides the citizen. */
  private static final Function<ServiceParams, JsonObject> NO_QUERY = p -> new JsonObject();

  /**
   * One endpoint: a row of the table.
   *
   * @param method its method
   * @param path its path below {@code /v1}
   * @param level the assurance level it requires; null: any session
   * @param serviceType what its audit records and its interaction name, and what a partner asks for
   * @param action the audit action
   * @param partners whether partner platforms read it too
   * @param sessionAccess whose records a session reads and who asks
   * @param read the read itself: parameters, department calls, shaping
   */
  private record Endpoint(
      HttpMethod method,
      String path,
      Level level,
      String serviceType,
      String action,
      boolean partners,
      Function<RoutingContext, ServiceAccess> sessionAccess,
      Read read) {}

  /** What differs between the endpoints' reads: parameters, department calls, shaping. */
  @FunctionalInterface
  private interface Read {
    /**
     * Reads for {@code access}; may throw a validation failure.
     *
     * @param details the read's audit details, to which it adds what it learns (region, ...)
     */
    Future<JsonObject> run(
        RoutingContext ctx, ServiceAccess access, String serviceType, JsonObject details);
  }

  private final DepartmentClient departments;
  private final CitizenDirectory directory;
  private final Interactions interactions;
  private final CallerResolver callers;
  private final OfferedServices offered;
  private final VehicleLookupLimit lookups;
  private final AuditLog audit;
  private final List<Endpoint> endpoints;
  private final Map<String, Endpoint> partnerReads;

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
    this.endpoints = endpoints();
    this.partnerReads =
        endpoints.stream()
            .filter(Endpoint::partners)
            .collect(Collectors.toUnmodifiableMap(Endpoint::serviceType, e -> e));
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

  /** The endpoints, in the order they are mounted. */
  private List<Endpoint> endpoints() {
    return List.of(
        new Endpoint(
            HttpMethod.GET,
            "/social-security/account",
            Level.L3,
            "social-security.account",
            "social_security.account.read",
            PARTNERS,
            this::citizen,
            personal(NO_QUERY, CitizenServiceRoutes::socialSecurityAccount)),
        new Endpoint(
            HttpMethod.GET,
            "/social-security/contributions",
            Level.L3,
            "social-security.contributions",
            "social_security.contributions.read",
            PARTNERS,
            this::citizen,
            personal(ServiceParams::monthRange, CitizenServiceRoutes::socialSecurityContributions)),
        new Endpoint(
            HttpMethod.GET,
            "/housing-fund/account",
            Level.L3,
            "housing-fund.account",
            "housing_fund.account.read",
            PARTNERS,
            this::citizen,
            personal(NO_QUERY, CitizenServiceRoutes::housingFundAccount)),
        new Endpoint(
            HttpMethod.GET,
            "/housing-fund/contributions",
            Level.L3,
            "housing-fund.contributions",
            "housing_fund.contributions.read",
            PARTNERS,
            this::citizen,
            personal(ServiceParams::monthRange, CitizenServiceRoutes::housingFundContributions)),
        new Endpoint(
            HttpMethod.GET,
            "/traffic/vehicles",
            Level.L2,
            "traffic.vehicles",
            "traffic.vehicles.read",
            CITIZENS_ONLY,
            this::citizen,
            personal(NO_QUERY, CitizenServiceRoutes::vehicles)),
        new Endpoint(
            HttpMethod.GET,
            "/traffic/fines",
            Level.L2,
            "traffic.fines",
            "traffic.fines.read",
            PARTNERS,
            this::citizen,
            this::ownFines),
        new Endpoint(
            HttpMethod.POST,
            "/traffic/vehicle-lookups",
            Level.L2,
            "traffic.fines",
            "traffic.vehicle_lookup.read",
            CITIZENS_ONLY,
            this::citizen,
            this::vehicleLookup),
        new Endpoint(
            HttpMethod.GET,
            "/utilities/bill",
            null,
            "utilities.bill",
            "utilities.bill.read",
            PARTNERS,
            this::sessionHolder,
            this::utilityBill));
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
    for (Endpoint e : endpoints) {
      Route route = router.route(e.method(), e.path()).handler(authenticate);
      if (e.level() != null) route.handler(gate.apply(e.level()));
      route.respond(ctx -> serve(ctx, e, e.sessionAccess().apply(ctx)));
    }
  }

  /**
   * One read for a partner platform ({@code /open/v1}), through exactly the steps of the citizen
   * API: the same parameter checks, department call, shaping, interaction and audit, for the
   * citizen {@code access} names. Service types: {@code social-security.account}, {@code
   * social-security.contributions}, {@code housing-fund.account}, {@code
   * housing-fund.contributions}, {@code traffic.fines}, {@code utilities.bill}.
   */
  public Future<JsonObject> read(RoutingContext ctx, String serviceType, ServiceAccess access) {
    Endpoint e = partnerReads.get(serviceType);
    if (e == null) throw new IllegalArgumentException("no partner read for " + serviceType);
    return serve(ctx, e, access);
  }

  /**
   * Serves one endpoint to {@code access}: its read, a validation failure as a failed Future, and
   * the audit record of the outcome, which the answer waits for.
   */
  private Future<JsonObject> serve(RoutingContext ctx, Endpoint e, ServiceAccess access) {
    JsonObject details = access.details(e.serviceType());
    Future<JsonObject> answer;
    try {
      answer = e.read().run(ctx, access, e.serviceType(), details);
    } catch (RuntimeException failure) {
      answer = Future.failedFuture(failure);
    }
    return audited(ctx, access, e.action(), details, answer);
  }

  // ---------- the reads ----------

  /**
   * A read of the citizen's own records: parameters checked, region known, the citizen resolved
   * from their key, one department call, the data shaped.
   */
  private Read personal(
      Function<ServiceParams, JsonObject> query, Function<JsonObject, JsonObject> shape) {
    return (ctx, access, serviceType, details) -> {
      ServiceParams params = ServiceParams.query(ctx);
      String region = params.region();
      JsonObject q = query.apply(params);
      checked(params, region, details);
      return directory
          .resolve(access.citizenKey())
          .compose(
              citizen ->
                  departments.call(
                      serviceType, region, citizenJson(citizen), q, RequestIds.of(ctx), true))
          .compose(a -> answer(access, serviceType, region, shape.apply(a.data()), details, a, a));
    };
  }

  /** The fines of one of the citizen's own vehicles. */
  private Future<JsonObject> ownFines(
      RoutingContext ctx, ServiceAccess access, String serviceType, JsonObject details) {
    ServiceParams params = ServiceParams.query(ctx);
    String region = params.region();
    String plate = params.plate();
    String plateType = params.plateType();
    checked(params, region, details);
    String requestId = RequestIds.of(ctx);
    return directory
        .resolve(access.citizenKey())
        .compose(
            citizen -> {
              JsonObject who = citizenJson(citizen);
              // Ownership is decided by the department's list of the citizen's own vehicles, never
              // by the client.
              return departments
                  .call("traffic.vehicles", region, who, new JsonObject(), requestId, true)
                  .compose(
                      owned -> {
                        boolean mine =
                            owned.data().getJsonArray("vehicles", new JsonArray()).stream()
                                .map(JsonObject.class::cast)
                                .anyMatch(
                                    v ->
                                        plate.equals(v.getString("plate"))
                                            && plateType.equals(v.getString("plateType")));
                        if (!mine) {
                          return Future.failedFuture(ErrorCode.TRAFFIC_VEHICLE_NOT_OWNED.error());
                        }
                        JsonObject q =
                            new JsonObject().put("plate", plate).put("plateType", plateType);
                        return departments
                            .call(serviceType, region, who, q, requestId, true)
                            .compose(
                                fines ->
                                    answer(
                                        access,
                                        serviceType,
                                        region,
                                        fines(fines.data()),
                                        details,
                                        owned,
                                        fines));
                      });
            });
  }

  /**
   * A vehicle not registered to the citizen and its fines, found by plate, plate type and the end
   * of its VIN; counted against the citizen's lookup limit.
   */
  private Future<JsonObject> vehicleLookup(
      RoutingContext ctx, ServiceAccess access, String serviceType, JsonObject details) {
    details.put("lookup", true);
    ServiceParams params = ServiceParams.body(ctx);
    String region = params.region();
    String plate = params.plate();
    String plateType = params.plateType();
    String vin = params.vinLast6();
    checked(params, region, details);
    String requestId = RequestIds.of(ctx);
    JsonObject key =
        new JsonObject().put("plate", plate).put("plateType", plateType).put("vinLast6", vin);
    // The vehicle is someone else's: the citizen's identity is not sent, the key alone selects the
    // record.
    return lookups
        .acquire(access.citizenKey())
        .compose(v -> departments.call("traffic.vehicles", region, null, key, requestId, true))
        .compose(
            vehicle ->
                departments
                    .call(serviceType, region, null, key, requestId, true)
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
                                  .put("fines", fines(fines.data()).getJsonArray("fines"));
                          return answer(access, serviceType, region, data, details, vehicle, fines);
                        }));
  }

  /** A bill by its account number. */
  private Future<JsonObject> utilityBill(
      RoutingContext ctx, ServiceAccess access, String serviceType, JsonObject details) {
    ServiceParams params = ServiceParams.query(ctx);
    String region = params.region();
    String utilityType = params.utilityType();
    String accountNo = params.utilityAccountNo();
    params.check();
    details.put("region", region).put("utilityType", utilityType);
    knownRegion(region);
    JsonObject q = new JsonObject().put("utilityType", utilityType).put("accountNo", accountNo);
    return departments
        .call(serviceType, region, null, q, RequestIds.of(ctx), true)
        .compose(a -> answer(access, serviceType, region, bill(a.data()), details, a, a));
  }

  // ---------- common steps ----------

  /** The session's citizen reading their own records. */
  private ServiceAccess citizen(RoutingContext ctx) {
    return ServiceAccess.citizen(citizenKey(ctx), callers.resolve(ctx));
  }

  /**
   * Whoever holds the session, bound or not. The household a bill belongs to is not identified by a
   * citizen key: anyone may look up a bill by its account number, so the read is recorded against
   * no citizen (a partner looks it up under a citizen's consent, so its read is recorded against
   * that citizen).
   */
  private ServiceAccess sessionHolder(RoutingContext ctx) {
    Session session = Session.of(ctx);
    boolean bound = session.citizenKey() != null;
    return new ServiceAccess(
        null,
        callers.resolve(ctx),
        bound ? "citizen" : "channel_user",
        bound ? session.citizenKey() : session.identityKey(),
        null);
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

  /** Fails on an invalid parameter, then records the region and fails on one not offered. */
  private void checked(ServiceParams params, String region, JsonObject details) {
    params.check();
    details.put("region", region);
    knownRegion(region);
  }

  private void knownRegion(String region) {
    if (!offered.knownRegions().contains(region)) throw Catalogue.unknownRegion(offered);
  }

  /**
   * The answer built from the department's answers {@code first} and {@code last} (the same one for
   * a read of one call): the last names the department; stale when either is, as of the earlier.
   */
  private Future<JsonObject> answer(
      ServiceAccess access,
      String serviceType,
      String region,
      JsonObject data,
      JsonObject details,
      DepartmentAnswer first,
      DepartmentAnswer last) {
    String department = last.department();
    boolean stale = first.stale() || last.stale();
    details.put("department", department).put("stale", stale);
    // The interaction is written as part of the read's audit record (see audited), not on its own.
    Interaction interaction = interactions.ofRead(access.caller(), serviceType, department, region);
    return Future.succeededFuture(
        new JsonObject()
            .put("data", data)
            .put("interactionId", interaction.id())
            .put("department", department)
            .put("stale", stale)
            .put(
                "asOf",
                (first.asOf().isBefore(last.asOf()) ? first.asOf() : last.asOf()).toString()));
  }

  /**
   * Records the read in the audit log, against the citizen {@code access} names, and passes the
   * outcome on only once the record is durable: a citizen never holds an answer whose record a
   * crash could still lose.
   */
  private Future<JsonObject> audited(
      RoutingContext ctx,
      ServiceAccess access,
      String action,
      JsonObject details,
      Future<JsonObject> answer) {
    String actorType = access.actorType();
    String actor = access.actorId();
    String citizenKey = access.citizenKey();
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

  private static JsonObject citizenJson(Citizen c) {
    return new JsonObject().put("idNumber", c.idNumber()).put("name", c.name());
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

  /** {@code out} with the object {@code key} of {@code from}, picked to {@code fields}, if any. */
  private static JsonObject pickObject(
      JsonObject out, JsonObject from, String key, String... fields) {
    JsonObject inner = from.getJsonObject(key);
    if (inner != null) out.put(key, pick(inner, fields));
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
    return pickObject(out, d, "city", "code", "name");
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
                  return pickObject(fine, f, "offence", "code", "description");
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
    return pickObject(out, d, "usage", "quantity", "unit");
  }
}
