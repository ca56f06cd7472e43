package cn.govgate.identity;

import cn.govgate.error.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;

/**
 * The assurance check of a route, placed after {@link Sessions#authenticate()}: the session must be
 * at least the required level and, when a freshness window is given, its live face check must be
 * younger than it. Otherwise 403 {@code identity.step_up_required} with {@code details =
 * {requiredLevel, currentLevel, freshness (ISO-8601, when required), faceAgeSeconds (when known)}}
 * so that the mini-program knows which step-up to run.
 */
public final class AssuranceGate {
  private final Clock clock;

  private AssuranceGate(Clock clock) {
    this.clock = clock;
  }

  public static AssuranceGate create(Clock clock) {
    return new AssuranceGate(clock);
  }

  /**
   * A handler requiring {@code level}; with {@code freshness} non-null, also a face check within
   * it.
   */
  public Handler<RoutingContext> require(Level level, Duration freshness) {
    return ctx -> {
      Session s = Session.of(ctx);
      boolean levelOk = s.level().atLeast(level);
      boolean fresh =
          freshness == null
              || s.faceTime() != null && !s.faceTime().plus(freshness).isBefore(clock.instant());
      if (levelOk && fresh) {
        ctx.next();
        return;
      }
      JsonObject details =
          new JsonObject().put("requiredLevel", level.name()).put("currentLevel", s.level().name());
      if (freshness != null) details.put("freshness", freshness.toString());
      if (s.faceTime() != null) {
        details.put(
            "faceAgeSeconds",
            Math.max(0, Duration.between(s.faceTime(), clock.instant()).toSeconds()));
      }
      ctx.fail(ErrorCode.IDENTITY_STEP_UP_REQUIRED.error(details));
    };
  }
}
