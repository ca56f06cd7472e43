package cn.govgate.identity;

import cn.govgate.error.ErrorCode;
import cn.govgate.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Session verification for routes: {@link #authenticate()} takes the bearer token of every request,
 * checks it with {@link SessionTokens#verify} (the one claim check: compact form, HS256 under a
 * configured {@code kid}, {@code iss}, {@code aud}, lifetime, consistent claims) and against the
 * revocation set, then puts the {@link Session} on the context. Any failure is one answer: 401
 * {@code auth.invalid_token}. Thread-safe; one instance serves every event loop.
 */
public final class Sessions {
  private static final String BEARER = "Bearer ";

  private static final AttributeKey<String> OUTCOME =
      AttributeKey.stringKey("govgate.session.outcome");
  private static final AttributeKey<String> LEVEL = AttributeKey.stringKey("govgate.session.level");

  private final SessionTokens tokens;
  private final Revocations revocations;
  private final Tracing tracing;

  private Sessions(SessionTokens tokens, Revocations revocations, Tracing tracing) {
    this.tokens = tokens;
    this.revocations = revocations;
    this.tracing = tracing;
  }

  public static Sessions create(SessionTokens tokens, Revocations revocations) {
    return new Sessions(tokens, revocations, Tracing.OFF);
  }

  /**
   * As {@link #create(SessionTokens, Revocations)}; each check is a {@code session.check} span
   * (outcome and assurance level only: never the token, its subject or the citizen).
   */
  public static Sessions create(SessionTokens tokens, Revocations revocations, Tracing tracing) {
    return new Sessions(tokens, revocations, tracing);
  }

  /**
   * The route guard: 401 {@code auth.invalid_token} unless a valid, unrevoked session token is
   * presented.
   */
  public Handler<RoutingContext> authenticate() {
    return ctx -> {
      Span span = tracing.span("session.check");
      String header = ctx.request().getHeader("Authorization");
      if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        refuse(ctx, span, "missing");
        return;
      }
      // Exactly "Bearer <token>": no second space, nothing trimmed (RFC 6750 §2.1).
      Session session = tokens.verify(header.substring(BEARER.length()));
      if (session == null) {
        refuse(ctx, span, "invalid");
        return;
      }
      if (revocations.isRevoked(session.jti())) {
        refuse(ctx, span, "revoked");
        return;
      }
      span.setAttribute(OUTCOME, "valid");
      span.setAttribute(LEVEL, session.level().name());
      span.end();
      ctx.put(Session.KEY, session);
      ctx.next();
    };
  }

  private static void refuse(RoutingContext ctx, Span span, String outcome) {
    span.setAttribute(OUTCOME, outcome);
    span.setStatus(StatusCode.ERROR);
    span.end();
    ctx.fail(ErrorCode.AUTH_INVALID_TOKEN.error());
  }

  /**
   * Like {@link #authenticate()} when an {@code Authorization} header is presented (a bad token is
   * still 401); lets the request through without a session otherwise, for routes that also serve
   * anonymous callers.
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
}
