package cn.govgate.testing;

import cn.govgate.app.Gateway;
import cn.govgate.app.Seams;
import cn.govgate.certificates.HousingFundProofSource;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.http.ApiException;
import cn.govgate.services.Caller;
import cn.govgate.services.CallerResolver;
import cn.govgate.services.DepartmentAccess;
import cn.govgate.services.OfferedServices;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test implementations of the seams to identity and the registry, until those concerns land: callers named by a
 * test header, department credentials as fixed bearer tokens, and a fixed route table.
 */
public final class ServiceSeams {
  /** {@code <citizenKey>;<level>} or {@code anonymous}. */
  public static final String CALLER_HEADER = "X-Test-Caller";
  public static final String HANGZHOU = "330100";
  public static final String CHENGDU = "510100";
  public static final String HZ_SOCIAL = "hz-rsj";
  public static final String HZ_FUND = "hz-gjj";
  public static final String HZ_TRAFFIC = "hz-jj";
  public static final String HZ_UTILITIES = "hz-utilities";
  public static final String CD_SOCIAL = "cd-rsj";
  public static final String CD_TRAFFIC = "cd-jj";
  /** Bearer token → department it may act for. */
  public static final Map<String, String> DEPARTMENT_TOKENS = Map.of(
      "token-hz-gjj", HZ_FUND, "token-hz-rsj", HZ_SOCIAL, "token-cd-jj", CD_TRAFFIC);

  private ServiceSeams() {}

  /** Hangzhou offers every service type; Chengdu only social security and traffic queries. */
  public static OfferedServices offered() {
    return OfferedServices.fixed(Map.of(
        HANGZHOU, Map.of(
            "social-security.account", HZ_SOCIAL, "social-security.contributions", HZ_SOCIAL,
            "housing-fund.account", HZ_FUND, "housing-fund.contributions", HZ_FUND,
            "housing-fund.proof-data", HZ_FUND,
            "traffic.vehicles", HZ_TRAFFIC, "traffic.fines", HZ_TRAFFIC, "traffic.fine-payment", HZ_TRAFFIC,
            "utilities.bill", HZ_UTILITIES, "utilities.bill-payment", HZ_UTILITIES),
        CHENGDU, Map.of(
            "social-security.account", CD_SOCIAL, "social-security.contributions", CD_SOCIAL,
            "traffic.vehicles", CD_TRAFFIC, "traffic.fines", CD_TRAFFIC)));
  }

  public static CallerResolver headerCallers() {
    return ctx -> {
      String h = ctx.request().getHeader(CALLER_HEADER);
      if (h == null || h.equals("anonymous")) return Caller.anonymous();
      String[] parts = h.split(";");
      return new Caller(parts[0], Integer.parseInt(parts[1]), "alipay");
    };
  }

  public static DepartmentAccess bearerTokens() {
    return (ctx, departmentId) -> {
      String auth = ctx.request().getHeader("Authorization");
      if (auth == null || !auth.startsWith("Bearer ")) {
        return Future.failedFuture(ApiException.unauthorized("admin.unauthenticated", "credential required"));
      }
      String department = DEPARTMENT_TOKENS.get(auth.substring(7));
      if (department == null) {
        return Future.failedFuture(ApiException.unauthorized("admin.unauthenticated", "unknown credential"));
      }
      if (!department.equals(departmentId)) {
        return Future.failedFuture(ApiException.forbidden("admin.forbidden", "not your department"));
      }
      return Future.succeededFuture("cred-" + department);
    };
  }

  public static Seams seams(Clock clock, HousingFundProofSource source) {
    return new Seams(offered(), headerCallers(), bearerTokens(), null, source, clock);
  }

  public static Map<String, String> caller(String citizenKey, int level) {
    return Map.of(CALLER_HEADER, citizenKey + ";" + level);
  }

  public static Map<String, String> department(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  /** Starts a gateway with these seams (blocking: call from the test thread). */
  public static Gateway start(Map<String, String> settings, Seams seams) {
    try {
      return Gateway.start(GovgateConfig.from(ConfigValues.of(settings)), seams).await(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException("gateway did not start: " + e.getMessage(), e);
    }
  }
}
