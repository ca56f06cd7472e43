package cn.govgate.identity;

import cn.govgate.channel.spi.Channel;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * The verified session of a request, put on the routing context by {@link Sessions#authenticate()}.
 * Built from the token alone: no database round trip.
 *
 * @param subject the token's {@code sub}: the citizen key when bound, else the channel identity key
 * @param identityKey the pseudonymous key of the channel identity (channel + app + channel user)
 * @param citizenKey the pseudonymous citizen key, null while the channel identity is not bound
 * @param level the assurance level ({@code acr})
 * @param channel the channel the citizen came through
 * @param appId the channel app id
 * @param authTime when the channel login happened
 * @param faceTime when the live face check passed, null if never in this binding
 * @param jti the token id (for logout)
 * @param expiresAt when the token expires
 */
public record Session(
    String subject,
    String identityKey,
    String citizenKey,
    Level level,
    Channel channel,
    String appId,
    Instant authTime,
    Instant faceTime,
    String jti,
    Instant expiresAt) {

  static final String KEY = "govgate.session";

  /**
   * The session of this request; fails when the route was not guarded by {@link
   * Sessions#authenticate()}.
   */
  public static Session of(RoutingContext ctx) {
    Session s = ctx.get(KEY);
    if (s == null) throw new IllegalStateException("route not behind Sessions.authenticate()");
    return s;
  }

  /**
   * The session of this request, or null when none was presented (see {@link
   * Sessions#authenticateOptional()}).
   */
  public static Session find(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /** Whether the channel identity is bound to a citizen. */
  public boolean bound() {
    return citizenKey != null;
  }

  @Override
  public String toString() {
    return "Session[" + level + ", " + channel + ", bound=" + bound() + "]";
  }
}
