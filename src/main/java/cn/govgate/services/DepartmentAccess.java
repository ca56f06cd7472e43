package cn.govgate.services;

import cn.govgate.error.ApiException;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * Decides whether the caller of an admin request may act for a department (rectifications, proof
 * revocation). The registry implements it with its per-department credentials.
 */
@FunctionalInterface
public interface DepartmentAccess {

  /**
   * Succeeds with the pseudonymous actor id (credential id) when the request carries a credential
   * valid for {@code departmentId}; fails with an {@link ApiException} (401 or 403) otherwise.
   */
  Future<String> authorize(RoutingContext ctx, String departmentId);
}
