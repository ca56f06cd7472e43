package cn.govgate.sim.departments;

import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.departments.DepartmentData.Bill;
import cn.govgate.sim.departments.DepartmentData.Fine;
import cn.govgate.sim.departments.DepartmentData.HouseholdAccount;
import cn.govgate.sim.departments.DepartmentData.Vehicle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A department backend for one (family, region), implementing {@code
 * contracts/department-backend.yaml} on a real HTTP server bound to 127.0.0.1. It verifies every
 * business request's {@link RequestSignatures signature} (401 otherwise), checks the request shape
 * (400), serves records derived from the citizen's ID number by {@link DepartmentData}, keeps
 * payments (idempotent per order id) in memory or, with {@link
 * DepartmentSimulatorOptions#bookingLog()}, also in a {@link BookingLog} forced to disk before each
 * payment is answered (such payment requests are served on a worker thread), and can be switched
 * into {@link DepartmentFaults} through {@link #faults(DepartmentFaults)} or {@code POST
 * /__sim/faults}.
 *
 * <p>The control endpoint {@code /__sim/faults} needs no signature: it is a test hook on the
 * loopback interface.
 */
public final class DepartmentSimulator {

  private final DepartmentSimulatorOptions options;
  private final RequestSignatures verifier;
  private final java.util.Set<String> signatureAlgorithms =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final DepartmentOperations operations;
  private final AtomicLong requests = new AtomicLong();
  private final List<String> traceparents = new CopyOnWriteArrayList<>();
  private final AtomicLong errorRateTicks = new AtomicLong();
  private final List<Consumer<JsonObject>> paymentListeners = new CopyOnWriteArrayList<>();
  private volatile DepartmentFaults faults = DepartmentFaults.none();
  private Vertx vertx;
  private HttpServer server;
  private boolean tls;

  private DepartmentSimulator(DepartmentSimulatorOptions options) {
    this.options = options;
    this.verifier =
        RequestSignatures.verifier(
            options.clock(), keyId -> options.keyId().equals(keyId) ? options.secret() : null);
    this.operations = new DepartmentOperations(options);
  }

  /** Starts a simulator; the Future completes once it listens. */
  public static Future<DepartmentSimulator> start(Vertx vertx, DepartmentSimulatorOptions options) {
    return start(vertx, options, null);
  }

  /**
   * Starts a simulator that serves HTTPS and requires a client certificate of {@code
   * tls.clientCaPem()} (mutual TLS); a client without one, or with another CA's, fails the
   * handshake and never reaches a route. Null {@code tls}: plain HTTP.
   */
  public static Future<DepartmentSimulator> start(
      Vertx vertx, DepartmentSimulatorOptions options, DepartmentTls tls) {
    // Reading a booking log back is file I/O: not on the caller's event loop.
    Future<DepartmentSimulator> made =
        options.bookingLog() == null
            ? Future.succeededFuture(new DepartmentSimulator(options))
            : vertx.executeBlocking(() -> new DepartmentSimulator(options), false);
    return made.compose(simulator -> listen(vertx, simulator, tls));
  }

  private static Future<DepartmentSimulator> listen(
      Vertx vertx, DepartmentSimulator simulator, DepartmentTls tls) {
    simulator.vertx = vertx;
    DepartmentSimulatorOptions options = simulator.options;
    HttpServerOptions serverOptions =
        new HttpServerOptions().setHost("127.0.0.1").setPort(options.port());
    if (tls != null) {
      serverOptions
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .addCertValue(Buffer.buffer(tls.serverCertificatePem()))
                  .addKeyValue(Buffer.buffer(tls.serverPrivateKeyPem())))
          .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(tls.clientCaPem())))
          .setClientAuth(ClientAuth.REQUIRED);
    }
    simulator.tls = tls != null;
    return vertx
        .createHttpServer(serverOptions)
        .requestHandler(simulator.router(vertx))
        .listen()
        .map(
            server -> {
              simulator.server = server;
              return simulator;
            });
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>} ({@code https} with mutual TLS), without a trailing slash. */
  public String baseUrl() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + port();
  }

  public DepartmentFamily family() {
    return options.family();
  }

  public String region() {
    return options.region();
  }

  /** Stops listening and closes open connections (including hanging ones), then its booking log. */
  public Future<Void> close() {
    return (server == null ? Future.<Void>succeededFuture() : server.close())
        .eventually(
            () ->
                vertx.executeBlocking(
                    () -> {
                      operations.close();
                      return null;
                    },
                    false));
  }

  /**
   * Calls {@code listener} with each accepted payment answer ({@code status, receiptNo, orderId,
   * …}) after the payment is booked (durably, with a booking log) and before the answer is sent —
   * the moment a crash of the caller leaves a booking it was never told about. Runs on the thread
   * that booked it; must not block.
   */
  public void beforePaymentAnswer(Consumer<JsonObject> listener) {
    paymentListeners.add(listener);
  }

  /**
   * Payment requests answered from an earlier booking of the same order (repeated deliveries), this
   * run.
   */
  public long repeatedPayments() {
    return operations.repeatedPayments();
  }

  /** Orders booked (this run, and earlier runs recorded in its booking log). */
  public int bookedPayments() {
    return operations.bookedPayments();
  }

  /** Switches the fault modes; takes effect for the next request. */
  public void faults(DepartmentFaults value) {
    faults = value;
    errorRateTicks.set(0);
  }

  public DepartmentFaults faults() {
    return faults;
  }

  /** Business and health requests received so far (control requests excluded). */
  public long requestCount() {
    return requests.get();
  }

  /** Household accounts this simulator can find for a citizen it knows (empty otherwise). */
  public List<HouseholdAccount> accountsOf(SyntheticCitizen citizen) {
    return operations.accountsOf(citizen);
  }

  /** Vehicles this simulator has on record for a citizen it knows (empty otherwise). */
  public List<Vehicle> vehiclesOf(SyntheticCitizen citizen) {
    return operations.vehiclesOf(citizen);
  }

  /**
   * Fines recorded against one of the citizen's vehicles, in their original (unpaid or paid) state.
   */
  public List<Fine> finesOf(SyntheticCitizen citizen, Vehicle vehicle) {
    return DepartmentData.fines(citizen.idNumber(), vehicle, today());
  }

  /** The current bill of an account, in its original state. */
  public Bill billOf(HouseholdAccount account) {
    return DepartmentData.currentBill(account, today());
  }

  private LocalDate today() {
    return LocalDate.now(options.clock().withZone(DepartmentData.CST));
  }

  private Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router
        .route("/__sim/faults")
        .handler(BodyHandler.create(false).setBodyLimit(4096))
        .handler(this::controlFaults);
    router
        .route()
        .handler(
            ctx -> {
              requests.incrementAndGet();
              ctx.next();
            });
    router.route().handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    router.route().handler(ctx -> applyFaults(vertx, ctx));
    router.get("/health").handler(ctx -> answer(ctx, 200, new JsonObject().put("status", "UP")));
    String prefix = "/" + options.family().wireName() + "/";
    for (String operation : options.family().operations()) {
      router.post(prefix + operation).handler(ctx -> serve(ctx, operation));
    }
    router
        .route()
        .last()
        .handler(ctx -> answer(ctx, 404, error("bad_request", "No such operation")));
    return router;
  }

  private void controlFaults(RoutingContext ctx) {
    if (ctx.request().method().name().equals("POST")) {
      try {
        faults(DepartmentFaults.fromJson(ctx.body().asJsonObject()));
      } catch (RuntimeException e) {
        ctx.response()
            .setStatusCode(400)
            .end(error("bad_request", "Invalid fault settings").encode());
        return;
      }
    }
    ctx.response().putHeader("content-type", "application/json").end(faults.toJson().encode());
  }

  private void applyFaults(Vertx vertx, RoutingContext ctx) {
    DepartmentFaults current = faults;
    if (current.latencyMs() > 0) {
      vertx.setTimer(current.latencyMs(), id -> afterLatency(ctx, current));
    } else {
      afterLatency(ctx, current);
    }
  }

  private void afterLatency(RoutingContext ctx, DepartmentFaults current) {
    if (current.hang()) {
      return;
    }
    if (current.abortConnection()) {
      ctx.request().connection().close();
      return;
    }
    if (current.underMaintenance()) {
      ctx.response().putHeader("Retry-After", "60");
      answer(ctx, 503, error("under_maintenance", "The department is under planned maintenance"));
      return;
    }
    if (errorRateHit(current.errorRate())) {
      answer(ctx, 500, error("internal_error", "Simulated internal error"));
      return;
    }
    ctx.next();
  }

  /**
   * Spreads failures evenly: request n fails when floor(n * rate) advances, so rate 0.5 fails every
   * other one.
   */
  private boolean errorRateHit(double rate) {
    if (rate <= 0) {
      return false;
    }
    long n = errorRateTicks.incrementAndGet();
    return Math.floor(n * rate) > Math.floor((n - 1) * rate);
  }

  /** The signature algorithms of the authentic business requests this simulator served (tests). */
  public java.util.Set<String> signatureAlgorithmsSeen() {
    return java.util.Set.copyOf(signatureAlgorithms);
  }

  /**
   * The W3C {@code traceparent} headers of the authentic business requests this simulator served,
   * in order (tests of the gateway's tracing).
   */
  public List<String> traceparentsSeen() {
    return List.copyOf(traceparents);
  }

  private void serve(RoutingContext ctx, String operation) {
    Buffer body = ctx.body().buffer();
    String unauthentic =
        verifier.refusal(
            ctx.request().method().name(), ctx.request().path(), ctx.request().headers(), body);
    if (unauthentic != null) {
      answer(ctx, 401, error("unauthorized", "Request authentication failed"));
      return;
    }
    String algorithm = ctx.request().getHeader(RequestSignatures.ALGORITHM_HEADER);
    signatureAlgorithms.add(algorithm == null ? RequestSignatures.HMAC_SHA256 : algorithm);
    String traceparent = ctx.request().getHeader("traceparent");
    if (traceparent != null) traceparents.add(traceparent);
    JsonObject request;
    try {
      request = body == null ? null : body.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      request = null;
    }
    if (request == null) {
      answer(ctx, 400, error("bad_request", "The body must be a JSON object"));
      return;
    }
    JsonObject valid = request;
    if (operation.endsWith("-payment") && operations.booksDurably()) {
      // The booking is forced to disk before it is answered: file I/O, so not on the event loop.
      vertx
          .executeBlocking(() -> handlePayment(operation, valid), false)
          .onComplete(
              ar -> {
                if (ar.succeeded()) {
                  answer(ctx, 200, ar.result());
                } else if (ar.cause() instanceof DepartmentOperations.Refusal refusal) {
                  answer(ctx, refusal.status(), error(refusal.code(), refusal.getMessage()));
                } else {
                  answer(ctx, 500, error("internal_error", "The payment could not be booked"));
                }
              });
      return;
    }
    try {
      JsonObject result =
          operation.endsWith("-payment")
              ? handlePayment(operation, request)
              : operations.handle(operation, request);
      answer(ctx, 200, result);
    } catch (DepartmentOperations.Refusal refusal) {
      answer(ctx, refusal.status(), error(refusal.code(), refusal.getMessage()));
    }
  }

  private JsonObject handlePayment(String operation, JsonObject request) {
    JsonObject accepted = operations.handle(operation, request);
    paymentListeners.forEach(l -> l.accept(accepted.copy()));
    return accepted;
  }

  private void answer(RoutingContext ctx, int status, JsonObject json) {
    DepartmentFaults current = faults;
    String payload = json.encode();
    if (status == 200 && current.malformedBody()) {
      payload = payload.substring(0, Math.max(1, payload.length() / 2)) + "<html>";
    } else if (status == 200 && current.schemaBreakingBody()) {
      payload = new JsonObject().put("code", 0).put("msg", "success").put("data", json).encode();
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json; charset=utf-8")
        .end(payload);
  }

  static JsonObject error(String code, String message) {
    return new JsonObject()
        .put("error", new JsonObject().put("code", code).put("message", message));
  }
}
