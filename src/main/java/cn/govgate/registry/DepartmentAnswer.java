package cn.govgate.registry;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What a department answered, as the services layer gets it.
 *
 * @param data the department's response body, checked against {@code
 *     contracts/department-backend.yaml}; shared with the last-known-good cache (not copied per
 *     call), so it is read, never modified
 * @param stale true when this is a last-known-good copy served because the department is
 *     unavailable now
 * @param asOf when the department gave this answer (now for a fresh one)
 * @param department the department id (for attribution and audit; never personal data)
 * @param backend the backend id that answered
 */
public record DepartmentAnswer(
    JsonObject data, boolean stale, Instant asOf, String department, String backend) {

  /** {@code {data, stale, asOf, department}}, the shape the citizen API passes on. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("data", data)
        .put("stale", stale)
        .put("asOf", asOf.toString())
        .put("department", department);
  }
}
