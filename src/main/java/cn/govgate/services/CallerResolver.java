package cn.govgate.services;

import cn.govgate.identity.Session;
import io.vertx.ext.web.RoutingContext;

/**
 * Resolves the caller of a citizen request from the identity concern's session (token verified
 * upstream by its authentication handler); without a session the caller is anonymous at L1.
 */
@FunctionalInterface
public interface CallerResolver {

  /** The caller of this request; never null (anonymous when there is no session). */
  Caller resolve(RoutingContext ctx);

  /**
   * The caller of a request: the session's citizen when a bound session was presented, anonymous
   * otherwise (with the channel login's identity key when there is a session).
   */
  static CallerResolver fromSession() {
    return ctx -> {
      Session session = Session.find(ctx);
      if (session == null) return Caller.anonymous();
      if (session.citizenKey() == null) return Caller.unbound(session.identityKey());
      return new Caller(
          session.citizenKey(),
          session.level().ordinal() + 1,
          session.channel().wireName(),
          session.identityKey());
    };
  }
}
