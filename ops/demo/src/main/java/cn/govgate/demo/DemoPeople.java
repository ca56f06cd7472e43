package cn.govgate.demo;

import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.departments.DepartmentData.Bill;
import cn.govgate.sim.departments.DepartmentData.Fine;
import cn.govgate.sim.departments.DepartmentData.HouseholdAccount;
import cn.govgate.sim.departments.DepartmentData.Vehicle;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The demo's test citizens, complete for a person: who they are on each channel, their city, and
 * what the demo departments hold for them — utility accounts, vehicles, a payable fine and an
 * unpaid bill — so that a person trying the demo (or the H5 app's browser tests) knows what to ask
 * for. Synthetic people with valid, never-issued ID numbers.
 */
final class DemoPeople {
  private DemoPeople() {}

  /** The first {@code count} citizens as {@code [{index, name, idNumber, region, …}]}. */
  static JsonArray of(List<SyntheticCitizen> citizens, int count, DemoDepartments departments) {
    JsonArray people = new JsonArray();
    for (int i = 0; i < Math.min(count, citizens.size()); i++) {
      SyntheticCitizen c = citizens.get(i);
      JsonObject person =
          new JsonObject()
              .put("index", i)
              .put("name", c.name())
              .put("idNumber", c.idNumber())
              .put("region", c.homeRegion())
              .put("alipayUserId", DemoChannels.alipayUserId(i))
              .put("wechatOpenid", DemoChannels.openid(i));
      DepartmentSimulator utilities =
          simulator(departments, DepartmentFamily.UTILITIES, c.homeRegion());
      DepartmentSimulator traffic =
          simulator(departments, DepartmentFamily.TRAFFIC, c.homeRegion());
      JsonArray accounts = new JsonArray();
      JsonObject payableBill = null;
      if (utilities != null) {
        for (HouseholdAccount a : utilities.accountsOf(c)) {
          accounts.add(
              new JsonObject().put("utilityType", a.utilityType()).put("accountNo", a.accountNo()));
          Bill bill = utilities.billOf(a);
          if (payableBill == null && !bill.initiallyPaid() && bill.amountFen() > 0) {
            payableBill =
                new JsonObject()
                    .put("utilityType", a.utilityType())
                    .put("accountNo", a.accountNo())
                    .put("amountFen", bill.amountFen());
          }
        }
      }
      JsonArray vehicles = new JsonArray();
      JsonObject payableFine = null;
      if (traffic != null) {
        for (Vehicle v : traffic.vehiclesOf(c)) {
          vehicles.add(new JsonObject().put("plate", v.plate()).put("plateType", v.plateType()));
          for (Fine f : traffic.finesOf(c, v)) {
            if (payableFine == null && f.payable() && !f.initiallyPaid() && f.amountFen() > 0) {
              payableFine =
                  new JsonObject()
                      .put("decisionNumber", f.decisionNumber())
                      .put("plate", v.plate())
                      .put("plateType", v.plateType())
                      .put("amountFen", f.amountFen());
            }
          }
        }
      }
      person.put("utilityAccounts", accounts).put("vehicles", vehicles);
      if (payableFine != null) person.put("payableFine", payableFine);
      if (payableBill != null) person.put("payableBill", payableBill);
      people.add(person);
    }
    return people;
  }

  private static DepartmentSimulator simulator(
      DemoDepartments departments, DepartmentFamily family, String region) {
    return departments.simulators().stream()
        .filter(s -> s.family() == family && s.region().equals(region))
        .findFirst()
        .orElse(null);
  }
}
