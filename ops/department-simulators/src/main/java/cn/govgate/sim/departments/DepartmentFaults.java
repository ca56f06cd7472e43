package cn.govgate.sim.departments;

import io.vertx.core.json.JsonObject;

/**
 * The misbehaviour a simulator is switched into. Several may be combined; they apply in this order:
 * latency, then hang, connection abort, maintenance, error rate, and on an otherwise successful
 * answer malformed or schema-breaking body.
 *
 * @param latencyMs extra delay before answering, in milliseconds (0 = none)
 * @param errorRate fraction 0..1 of requests answered with 500 {@code internal_error}; spread
 *     evenly, not randomly, so that tests are deterministic
 * @param hang never answer (the connection stays open until the client gives up or the simulator
 *     closes)
 * @param abortConnection close the TCP connection after reading the request, without answering
 * @param malformedBody answer 200 with a body that is not valid JSON
 * @param schemaBreakingBody answer 200 with valid JSON in the wrong shape (the data wrapped in an
 *     envelope)
 * @param underMaintenance answer 503 {@code under_maintenance} with {@code Retry-After}
 */
public record DepartmentFaults(
    long latencyMs,
    double errorRate,
    boolean hang,
    boolean abortConnection,
    boolean malformedBody,
    boolean schemaBreakingBody,
    boolean underMaintenance) {

  public DepartmentFaults {
    if (latencyMs < 0) {
      throw new IllegalArgumentException("latencyMs must be >= 0");
    }
    if (!(errorRate >= 0 && errorRate <= 1)) {
      throw new IllegalArgumentException("errorRate must be within 0..1");
    }
  }

  /** No fault: the simulator behaves. */
  public static DepartmentFaults none() {
    return new DepartmentFaults(0, 0, false, false, false, false, false);
  }

  public DepartmentFaults withLatencyMs(long value) {
    return new DepartmentFaults(
        value,
        errorRate,
        hang,
        abortConnection,
        malformedBody,
        schemaBreakingBody,
        underMaintenance);
  }

  public DepartmentFaults withErrorRate(double value) {
    return new DepartmentFaults(
        latencyMs,
        value,
        hang,
        abortConnection,
        malformedBody,
        schemaBreakingBody,
        underMaintenance);
  }

  public DepartmentFaults withHang(boolean value) {
    return new DepartmentFaults(
        latencyMs,
        errorRate,
        value,
        abortConnection,
        malformedBody,
        schemaBreakingBody,
        underMaintenance);
  }

  public DepartmentFaults withAbortConnection(boolean value) {
    return new DepartmentFaults(
        latencyMs, errorRate, hang, value, malformedBody, schemaBreakingBody, underMaintenance);
  }

  public DepartmentFaults withMalformedBody(boolean value) {
    return new DepartmentFaults(
        latencyMs, errorRate, hang, abortConnection, value, schemaBreakingBody, underMaintenance);
  }

  public DepartmentFaults withSchemaBreakingBody(boolean value) {
    return new DepartmentFaults(
        latencyMs, errorRate, hang, abortConnection, malformedBody, value, underMaintenance);
  }

  public DepartmentFaults withUnderMaintenance(boolean value) {
    return new DepartmentFaults(
        latencyMs, errorRate, hang, abortConnection, malformedBody, schemaBreakingBody, value);
  }

  /** Reads the control-endpoint JSON; absent fields mean "off". */
  public static DepartmentFaults fromJson(JsonObject json) {
    return new DepartmentFaults(
        json.getLong("latencyMs", 0L),
        json.getDouble("errorRate", 0.0),
        json.getBoolean("hang", false),
        json.getBoolean("abortConnection", false),
        json.getBoolean("malformedBody", false),
        json.getBoolean("schemaBreakingBody", false),
        json.getBoolean("underMaintenance", false));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("latencyMs", latencyMs)
        .put("errorRate", errorRate)
        .put("hang", hang)
        .put("abortConnection", abortConnection)
        .put("malformedBody", malformedBody)
        .put("schemaBreakingBody", schemaBreakingBody)
        .put("underMaintenance", underMaintenance);
  }
}
