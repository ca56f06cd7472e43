package cn.govgate.identity;

import cn.govgate.channel.spi.Channel;
import cn.govgate.http.ApiException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Session verification for routes: {@link #authenticate()} checks the bearer token of every request with
 * vertx-auth-jwt (HS256 under a configured {@code kid}, {@code iss}, {@code aud}, {@code exp}) and the
 * revocation set, then puts the {@link Session} on the context. Any failure is one answer: 401
 * {@code auth.invalid_token}. Create one per event loop ({@link #create}), it holds that loop's verifier.
 */
public final class Sessions {
  private final SessionTokens tokens;
  private final Revocations revocations;
  private final JWTAuth verifier;

  private Sessions(SessionTokens tokens, Revocations revocations, JWTAuth verifier) {
    this.tokens = tokens;
    this.revocations = revocations;
    this.verifier = verifier;
  }

  /** A session guard for the event loop of {@code vertx}'s current verticle. */
  public static Sessions create(Vertx vertx, SessionTokens tokens, Revocations revocations) {
    return new Sessions(tokens, revocations, tokens.verifier(vertx));
  }

  /** The route guard: 401 {@code auth.invalid_token} unless a valid, unrevoked session token is presented. */
  public Handler<RoutingContext> authenticate() {
    return ctx -> {
      String header = ctx.request().getHeader("Authorization");
      if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        ctx.fail(invalid("A session token is required"));
        return;
      }
      String token = header.substring(7).trim();
      if (!headerAcceptable(token)) {
        ctx.fail(invalid("The session token is not valid"));
        return;
      }
      verifier.authenticate(new TokenCredentials(token))
          .onSuccess(user -> {
            Session session = toSession(claims(user));
            if (session == null || revocations.isRevoked(session.jti())) {
              ctx.fail(invalid("The session token is not valid"));
              return;
            }
            ctx.put(Session.KEY, session);
            ctx.next();
          })
          .onFailure(e -> ctx.fail(invalid("The session token is not valid")));
    };
  }

  /**
   * Like {@link #authenticate()} when an {@code Authorization} header is presented (a bad token is still 401);
   * lets the request through without a session otherwise, for routes that also serve anonymous callers.
   */
  public Handler<RoutingContext> authenticateOptional() {
    Handler<RoutingContext> required = authenticate();
    return ctx -> {
      if (ctx.get(Session.KEY) != null || ctx.request().getHeader("Authorization") == null) {
        ctx.next();
      } else {
        required.handle(ctx);
      }
    };
  }

  /**
   * Only {@code alg=HS256} with a configured {@code kid}: {@code none}, asymmetric algorithms (the HMAC key
   * offered as a "public key") and retired keys never reach the signature check.
   */
  private boolean headerAcceptable(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.length() > 4096) return false;
    try {
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)),
          StandardCharsets.UTF_8));
      return "HS256".equals(header.getString("alg")) && tokens.knownKid(header.getString("kid"));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static JsonObject claims(User user) {
    JsonObject attrs = user.attributes();
    JsonObject access = attrs == null ? null : attrs.getJsonObject("accessToken");
    return access != null ? access : user.principal();
  }

  private static Session toSession(JsonObject c) {
    try {
      Level level = Level.parse(c.getString("acr"));
      Channel channel = Channel.fromWire(c.getString("chn"));
      String cid = c.getString("cid");
      String sub = c.getString("sub");
      String jti = c.getString("jti");
      Long exp = c.getLong("exp");
      Long authTime = c.getLong("auth_time");
      if (level == null || channel == null || cid == null || sub == null || jti == null || exp == null
          || authTime == null) {
        return null;
      }
      String citizenKey = sub.equals(cid) ? null : sub;
      if (level != Level.L1 && citizenKey == null) return null;
      Long face = c.getLong("face_time");
      JsonArray amr = c.getJsonArray("amr");
      if (amr == null) return null;
      return new Session(sub, cid, citizenKey, level, channel, c.getString("app"), Instant.ofEpochSecond(authTime),
          face == null ? null : Instant.ofEpochSecond(face), jti, Instant.ofEpochSecond(exp));
    } catch (ClassCastException e) {
      return null;
    }
  }

  static ApiException invalid(String message) {
    return ApiException.unauthorized("auth.invalid_token", message);
  }
}
