package cn.govgate.supervision;

import cn.govgate.calendar.WorkingCalendar;
import cn.govgate.error.ApiException;
import cn.govgate.services.Catalogue;
import cn.govgate.services.OfferedServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;

/** {@code GET /v1/stats/service-levels?region=&department=&month=}: public, aggregates only. */
public final class ServiceLevelRoutes {
  private final ServiceLevels levels;
  private final OfferedServices offered;
  private final Clock clock;

  public ServiceLevelRoutes(ServiceLevels levels, OfferedServices offered, Clock clock) {
    this.levels = levels;
    this.offered = offered;
    this.clock = clock;
  }

  public void mountCitizen(Router router) {
    router
        .get("/stats/service-levels")
        .respond(
            ctx -> {
              String region = ctx.queryParams().get("region");
              String department = ctx.queryParams().get("department");
              String month = ctx.queryParams().get("month");
              JsonObject fields = new JsonObject();
              if (region != null && !region.matches("[0-9]{6}"))
                fields.put("region", "must be a six-digit GB/T 2260 code");
              if (department != null && !department.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
                fields.put("department", "not a department id");
              }
              YearMonth ym =
                  month == null
                      ? YearMonth.from(LocalDate.ofInstant(clock.instant(), WorkingCalendar.ZONE))
                      : parse(month);
              if (ym == null) fields.put("month", "a month YYYY-MM from 2000-01 to 2099-12");
              if (!fields.isEmpty()) return Future.failedFuture(ApiException.invalidFields(fields));
              if (region != null && !offered.knownRegions().contains(region)) {
                return Future.failedFuture(Catalogue.unknownRegion(offered));
              }
              return levels.publish(ym, region, department);
            });
  }

  private static YearMonth parse(String month) {
    if (!month.matches("20[0-9]{2}-(0[1-9]|1[0-2])")) return null;
    return YearMonth.parse(month);
  }
}
