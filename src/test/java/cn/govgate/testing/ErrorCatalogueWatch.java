package cn.govgate.testing;

import cn.govgate.error.ErrorCode;
import cn.govgate.error.MessageLanguage;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks every gateway error body a test sees (through {@link Http} and {@link
 * Contracts#assertError}) against the error catalogue: the code must be one of {@link ErrorCode},
 * answered with the catalogue's status and one of its two messages. A code the catalogue lacks
 * fails the test that received it, whichever test that is.
 */
public final class ErrorCatalogueWatch {
  private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

  private ErrorCatalogueWatch() {}

  /**
   * Checks a response if it carries the gateway's error shape (a body with {@code code} and {@code
   * errorId}).
   */
  public static void check(HttpResponse<String> response) {
    String body = response.body();
    if (response.statusCode() < 400 || body == null || !body.startsWith("{")) return;
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException e) {
      return;
    }
    if (!isGatewayError(json)) return;
    ErrorCode code = check(json);
    if (code.status() != response.statusCode()) {
      throw new AssertionError(
          "error "
              + code.wire()
              + " answered with "
              + response.statusCode()
              + " but the catalogue says "
              + code.status()
              + ": "
              + body);
    }
  }

  /** Checks an error body; returns its catalogue entry. */
  public static ErrorCode check(JsonObject body) {
    String wire = body.getString("code");
    ErrorCode code =
        ErrorCode.fromWire(wire)
            .orElseThrow(
                () ->
                    new AssertionError(
                        "error code "
                            + wire
                            + " is not in the error catalogue (cn.govgate.error.ErrorCode): "
                            + body));
    String message = body.getString("message");
    if (!code.message(MessageLanguage.ZH).equals(message)
        && !code.message(MessageLanguage.EN).equals(message)) {
      throw new AssertionError(
          "error " + wire + " has a message that is not the catalogue's: " + body);
    }
    SEEN.add(wire);
    return code;
  }

  /** The codes seen so far in this test JVM. */
  public static Set<String> seen() {
    return Set.copyOf(SEEN);
  }

  private static boolean isGatewayError(JsonObject json) {
    return json.getValue("code") instanceof String
        && json.getValue("errorId") instanceof String id
        && id.matches("E[A-Z2-9]{12}");
  }
}
