package cn.govgate.registry;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.registry.ServiceTypes.ServiceType;
import cn.govgate.resilience.LastKnownGoodCache;
import cn.govgate.resilience.Retrier.Idempotency;
import cn.govgate.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.openapi.contract.OpenAPIContract;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Calls departments for the services layer: route lookup by (service type, region), a signed {@code
 * POST} per {@code contracts/department-backend.yaml} inside the backend's {@link
 * cn.govgate.resilience.Guard} (bulkhead, breaker, deadline), budgeted retries outside the guard
 * for idempotent reads, response validation against the contract, typed department errors mapped to
 * {@link ApiException}s, and the last-known-good cache for reads.
 *
 * <p>Client-facing codes: {@code region.service_not_offered} 404 (details list what is offered),
 * {@code department.citizen_not_found} / {@code vehicle_not_found} / {@code bill_not_found} 404,
 * {@code department.already_paid} / {@code amount_mismatch} / {@code not_payable} 409, {@code
 * department.under_maintenance} 503, {@code department.unavailable} / {@code department.busy} 503,
 * {@code department.timeout} 504, {@code department.error} 502 (its 5xx), {@code
 * department.connection_failed} 502, {@code department.bad_response} 502 (not JSON or against the
 * contract). Citizen-caused answers never count for the breaker and are never hidden behind a stale
 * copy.
 */
public final class DepartmentClient {

  /**
   * The department contract's codes that answer the citizen's request (404/409), as catalogue
   * entries.
   */
  private static final Map<String, ErrorCode> ANSWERS =
      Map.of(
          "citizen_not_found", ErrorCode.DEPARTMENT_CITIZEN_NOT_FOUND,
          "vehicle_not_found", ErrorCode.DEPARTMENT_VEHICLE_NOT_FOUND,
          "bill_not_found", ErrorCode.DEPARTMENT_BILL_NOT_FOUND,
          "already_paid", ErrorCode.DEPARTMENT_ALREADY_PAID,
          "amount_mismatch", ErrorCode.DEPARTMENT_AMOUNT_MISMATCH,
          "not_payable", ErrorCode.DEPARTMENT_NOT_PAYABLE);

  private final Registry registry;
  private final AnswerCheck contract;
  private final LastKnownGoodCache<JsonObject> lastKnownGood;
  private final Clock clock;
  private final CallObserver observer;
  private final Tracing tracing;

  private static final AttributeKey<String> SPAN_DEPARTMENT =
      AttributeKey.stringKey("govgate.department.id");
  private static final AttributeKey<String> SPAN_SERVICE_TYPE =
      AttributeKey.stringKey("govgate.service.type");
  private static final AttributeKey<String> SPAN_REGION = AttributeKey.stringKey("govgate.region");
  private static final AttributeKey<String> SPAN_BACKEND =
      AttributeKey.stringKey("govgate.backend.id");
  private static final AttributeKey<Boolean> SPAN_STALE =
      AttributeKey.booleanKey("govgate.department.stale");

  private DepartmentClient(
      Registry registry, AnswerCheck contract, CallObserver observer, Tracing tracing) {
    this.registry = registry;
    this.tracing = tracing;
    this.contract = contract;
    this.observer = observer;
    this.clock = registry.clock();
    this.lastKnownGood =
        LastKnownGoodCache.create(
            registry.config().staleEntries(),
            registry.config().staleTtl(),
            clock,
            registry.meters());
  }

  /**
   * Loads the department contract (from the contracts jar), compiles the answer checks of every
   * operation and builds the client; fails when the contract uses a schema keyword the compiled
   * check does not support.
   *
   * @param observer told of every call and how it ended (the service levels' ledger)
   */
  public static Future<DepartmentClient> create(Registry registry, CallObserver observer) {
    return create(registry, observer, Tracing.OFF);
  }

  /**
   * As {@link #create(Registry, CallObserver)}; each call is a {@code department.call} span
   * (department, service type, region, backend; never the citizen or the query), parent of the HTTP
   * client spans of its attempts.
   */
  public static Future<DepartmentClient> create(
      Registry registry, CallObserver observer, Tracing tracing) {
    return OpenAPIContract.from(registry.vertx(), "contracts/department-backend.yaml")
        .map(
            contract ->
                new DepartmentClient(
                    registry,
                    AnswerCheck.create(
                        contract, registry.config().fullValidationShare(), registry.meters()),
                    Objects.requireNonNull(observer),
                    tracing));
  }

  /**
   * Asks the department serving {@code serviceType} in {@code region}.
   *
   * @param citizen {@code {idNumber, name}} of the verified citizen, or null where the contract
   *     allows none
   * @param query the operation's query object (see the contract)
   * @param requestId the gateway request id, sent as {@code X-Request-Id}
   * @param idempotentRead true for queries: retried on department faults and backed by the
   *     last-known-good cache; false for payments (never retried, never cached)
   */
  public Future<DepartmentAnswer> call(
      String serviceType,
      String region,
      JsonObject citizen,
      JsonObject query,
      String requestId,
      boolean idempotentRead) {
    return tracing.around(
        "department.call",
        span -> {
          span.setAttribute(SPAN_SERVICE_TYPE, serviceType);
          span.setAttribute(SPAN_REGION, region);
          return observed(serviceType, region, citizen, query, requestId, idempotentRead, span);
        });
  }

  private Future<DepartmentAnswer> observed(
      String serviceType,
      String region,
      JsonObject citizen,
      JsonObject query,
      String requestId,
      boolean idempotentRead,
      Span span) {
    long started = System.nanoTime();
    String[] department = new String[1];
    return routedCall(
            serviceType, region, citizen, query, requestId, idempotentRead, department, span)
        .andThen(
            ar -> {
              // Only calls that reached a backend count; a route that does not exist is the
              // caller's mistake.
              if (department[0] != null) {
                observer.observe(
                    department[0],
                    serviceType,
                    region,
                    CallObserver.classify(ar),
                    (System.nanoTime() - started) / 1000);
              }
              if (ar.succeeded()) span.setAttribute(SPAN_STALE, ar.result().stale());
            });
  }

  private Future<DepartmentAnswer> routedCall(
      String serviceType,
      String region,
      JsonObject citizen,
      JsonObject query,
      String requestId,
      boolean idempotentRead,
      String[] department,
      Span span) {
    ServiceType type = ServiceTypes.find(serviceType).orElse(null);
    if (type == null) {
      return Future.failedFuture(ErrorCode.REQUEST_UNKNOWN_SERVICE_TYPE.error());
    }
    RouteTable routes = registry.routes();
    Backend backend = routes.pick(serviceType, region);
    if (backend == null) {
      if (!routes.candidates(serviceType, region).isEmpty()) {
        // The department took the service offline: unavailable, and counted as such in its service
        // levels.
        department[0] = routes.candidates(serviceType, region).get(0).departmentId();
        return Future.failedFuture(
            new ApiException(
                ErrorCode.DEPARTMENT_UNAVAILABLE,
                routes.offered(serviceType, region).put("reason", "disabled"),
                60,
                null));
      }
      return Future.failedFuture(
          ErrorCode.REGION_SERVICE_NOT_OFFERED.error(routes.offered(serviceType, region)));
    }
    department[0] = backend.departmentId();
    span.setAttribute(SPAN_DEPARTMENT, backend.departmentId());
    span.setAttribute(SPAN_BACKEND, backend.id());
    JsonObject request = new JsonObject().put("serviceType", serviceType).put("region", region);
    if (citizen != null) {
      request.put("citizen", citizen);
    }
    Buffer payload = request.put("query", query == null ? new JsonObject() : query).toBuffer();
    String departmentId = backend.departmentId();
    // The guard times the department only: parsing and checking its answer run after its clock
    // stopped.
    Supplier<Future<JsonObject>> attempt =
        () ->
            backend
                .guard()
                .call(
                    type.metricLabel(),
                    () -> send(backend, type, payload, requestId),
                    response -> interpret(type, departmentId, response));
    if (!idempotentRead) {
      return attempt
          .get()
          .map(
              data ->
                  new DepartmentAnswer(data, false, clock.instant(), departmentId, backend.id()));
    }
    Supplier<Future<JsonObject>> withRetries =
        () -> backend.retrier().execute(Idempotency.READ, attempt);
    String citizenKey = citizen == null ? "" : Objects.toString(citizen.getString("idNumber"), "");
    LastKnownGoodCache.Key key =
        LastKnownGoodCache.Key.of(
            backend.id(),
            type.metricLabel(),
            citizenKey,
            region + "|" + canonical(query == null ? new JsonObject() : query));
    // The answer is shared with the cache, not copied: callers only read it (see DepartmentAnswer).
    return lastKnownGood
        .withFallback(key, withRetries)
        .map(
            served ->
                new DepartmentAnswer(
                    served.value(), served.stale(), served.asOf(), departmentId, backend.id()));
  }

  private Future<HttpResponse<Buffer>> send(
      Backend backend, ServiceType type, Buffer body, String requestId) {
    BackendSpec spec = backend.spec();
    var request =
        backend
            .post(type.path())
            // Bounds an abandoned request after the guard's deadline gave up on it (see Guard).
            .idleTimeout(spec.guard().deadline().toMillis() + 1000)
            // The client span's name: the contract operation, not the URL.
            .traceOperation("department " + type.operationId())
            .putHeader("Content-Type", "application/json")
            .putHeader(DepartmentAuth.REQUEST_ID_HEADER, requestId);
    if (spec.auth().keyId() != null && backend.secrets().hmacSecret() != null) {
      DepartmentAuth.sign(
              registry.crypto().departmentSigning(),
              "POST",
              backend.signedPath(type.path()),
              body,
              clock,
              spec.auth().keyId(),
              backend.secrets().hmacSecret(),
              requestId)
          .addTo(request.headers());
    }
    String department = backend.departmentId();
    return request
        .sendBuffer(body)
        .recover(
            e ->
                Future.failedFuture(
                    new ApiException(
                        ErrorCode.DEPARTMENT_CONNECTION_FAILED,
                        new JsonObject().put("department", department),
                        null,
                        e)));
  }

  private Future<JsonObject> interpret(
      ServiceType type, String department, HttpResponse<Buffer> response) {
    String contentType = response.getHeader("Content-Type");
    String mediaType = contentType == null ? null : mediaType(contentType);
    Buffer body = response.body() == null ? Buffer.buffer() : response.body();
    JsonObject json;
    try {
      json = body.toJsonObject();
    } catch (RuntimeException e) {
      json = null;
    }
    if (!contract.accepts(type.operationId(), response.statusCode(), mediaType, json)) {
      return Future.failedFuture(
          ApiException.ofDepartment(ErrorCode.DEPARTMENT_BAD_RESPONSE, department));
    }
    if (response.statusCode() == 200) {
      return Future.succeededFuture(json);
    }
    return Future.failedFuture(
        mapError(
            department,
            response.statusCode(),
            json.getJsonObject("error").getString("code"),
            response.getHeader("Retry-After")));
  }

  private static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
  }

  static ApiException mapError(String department, int status, String code, String retryAfter) {
    JsonObject details = new JsonObject().put("department", department);
    ErrorCode answer = ANSWERS.get(code);
    if (answer != null) return answer.error(details);
    return switch (code) {
      case "under_maintenance" ->
          new ApiException(
              ErrorCode.DEPARTMENT_UNDER_MAINTENANCE, details, retryAfterSeconds(retryAfter), null);
      // The department refusing our request or our signature is an integration fault on the gateway
      // side; it
      // must not open the department's breaker.
      case "bad_request" -> ErrorCode.DEPARTMENT_REQUEST_REJECTED.error(details);
      case "unauthorized" -> ErrorCode.DEPARTMENT_AUTHENTICATION_FAILED.error(details);
      default -> ErrorCode.DEPARTMENT_ERROR.error(details.put("status", status));
    };
  }

  private static int retryAfterSeconds(String header) {
    try {
      return header == null ? 60 : Math.max(1, Integer.parseInt(header.trim()));
    } catch (NumberFormatException e) {
      return 60;
    }
  }

  /** JSON with object keys sorted, so that equal queries make equal cache keys. */
  static String canonical(Object value) {
    if (value instanceof JsonObject object) {
      if (object.isEmpty()) return "{}";
      StringBuilder out = new StringBuilder("{");
      new TreeMap<>(object.getMap())
          .forEach(
              (k, v) -> {
                if (out.length() > 1) {
                  out.append(',');
                }
                out.append(io.vertx.core.json.Json.encode(k))
                    .append(':')
                    .append(canonical(wrap(v)));
              });
      return out.append('}').toString();
    }
    if (value instanceof JsonArray array) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < array.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(canonical(array.getValue(i)));
      }
      return out.append(']').toString();
    }
    return io.vertx.core.json.Json.encode(value);
  }

  @SuppressWarnings("unchecked")
  private static Object wrap(Object v) {
    if (v instanceof Map<?, ?> m) {
      return new JsonObject((Map<String, Object>) m);
    }
    if (v instanceof java.util.List<?> l) {
      return new JsonArray(l);
    }
    return v;
  }
}
