package cn.govgate.sim.departments;

import java.util.List;

/** The department families of the contract, with their path segment and operations. */
public enum DepartmentFamily {
  SOCIAL_SECURITY("social-security", List.of("account", "contributions")),
  HOUSING_FUND("housing-fund", List.of("account", "contributions", "proof-data")),
  TRAFFIC("traffic", List.of("vehicles", "fines", "fine-payment", "due-fines")),
  UTILITIES("utilities", List.of("bill", "bill-payment", "due-bills"));

  private final String wireName;
  private final List<String> operations;

  DepartmentFamily(String wireName, List<String> operations) {
    this.wireName = wireName;
    this.operations = operations;
  }

  /** Path segment and service-type prefix, e.g. {@code housing-fund}. */
  public String wireName() {
    return wireName;
  }

  /**
   * Operation names, e.g. {@code proof-data}; the service type is {@code wireName + "." +
   * operation}.
   */
  public List<String> operations() {
    return operations;
  }

  public static DepartmentFamily fromWireName(String wireName) {
    for (DepartmentFamily family : values()) {
      if (family.wireName.equals(wireName)) {
        return family;
      }
    }
    throw new IllegalArgumentException("unknown department family: " + wireName);
  }
}
