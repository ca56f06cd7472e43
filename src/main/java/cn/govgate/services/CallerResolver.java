package cn.govgate.services;

import io.vertx.ext.web.RoutingContext;

/**
 * Resolves the caller of a citizen request. The identity concern implements it from its session (token verified
 * upstream by its authentication handler); until a session exists the caller is anonymous at L1.
 */
@FunctionalInterface
public interface CallerResolver {

  /** The caller of this request; never null (anonymous when there is no session). */
  Caller resolve(RoutingContext ctx);

  /** Every caller is anonymous: the resolver to use when no identity concern is wired. */
  static CallerResolver anonymousOnly() {
    return ctx -> Caller.anonymous();
  }
}
