package cn.govgate.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The twelve service types of {@code contracts/department-backend.yaml}: each is {@code
 * <family>.<operation>}, is served at {@code POST /<family>/<operation>} and answered per the
 * contract's operation of that path.
 */
public final class ServiceTypes {

  /**
   * One service type.
   *
   * @param name e.g. {@code traffic.fines}
   * @param family department kind that offers it, e.g. {@code traffic}
   * @param path request path below the backend's base URL, e.g. {@code /traffic/fines}
   * @param operationId the contract operation, for response validation
   * @param metricLabel bounded metric label (dots are not allowed in labels), e.g. {@code
   *     traffic_fines}
   */
  public record ServiceType(
      String name, String family, String path, String operationId, String metricLabel) {}

  /** The department kinds (= service families). */
  public static final List<String> FAMILIES =
      List.of("social-security", "housing-fund", "traffic", "utilities");

  private static final Map<String, ServiceType> ALL = new LinkedHashMap<>();

  static {
    add("social-security.account", "socialSecurityAccount");
    add("social-security.contributions", "socialSecurityContributions");
    add("housing-fund.account", "housingFundAccount");
    add("housing-fund.contributions", "housingFundContributions");
    add("housing-fund.proof-data", "housingFundProofData");
    add("traffic.vehicles", "trafficVehicles");
    add("traffic.fines", "trafficFines");
    add("traffic.fine-payment", "trafficFinePayment");
    add("traffic.due-fines", "trafficDueFines");
    add("utilities.bill", "utilitiesBill");
    add("utilities.bill-payment", "utilitiesBillPayment");
    add("utilities.due-bills", "utilitiesDueBills");
  }

  private ServiceTypes() {}

  private static void add(String name, String operationId) {
    int dot = name.indexOf('.');
    String family = name.substring(0, dot);
    String operation = name.substring(dot + 1);
    ALL.put(
        name,
        new ServiceType(
            name, family, "/" + family + "/" + operation, operationId, name.replace('.', '_')));
  }

  public static Optional<ServiceType> find(String name) {
    return Optional.ofNullable(name == null ? null : ALL.get(name));
  }

  /** All names, in contract order. */
  public static List<String> names() {
    return List.copyOf(ALL.keySet());
  }

  /** The service types a department of {@code family} may offer. */
  public static List<String> ofFamily(String family) {
    return ALL.values().stream()
        .filter(t -> t.family().equals(family))
        .map(ServiceType::name)
        .toList();
  }
}
