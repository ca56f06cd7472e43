package cn.govgate.payments;

import cn.govgate.identity.Level;
import java.util.Arrays;

/**
 * What can be paid: its wire name, the least assurance level, and the department service types
 * involved.
 */
public enum BillType {
  /** A traffic fine of one of the citizen's own vehicles, by decision number (L2). */
  TRAFFIC_FINE("traffic_fine", Level.L2, "traffic.fine-payment", "decisionNumber", "交通违法罚款"),
  /**
   * A household's utility bill, by utility type and account number (L1: anyone may pay a
   * household's bill).
   */
  UTILITY_BILL("utility_bill", Level.L1, "utilities.bill-payment", "billRef", "水电燃气缴费");

  private final String wireName;
  private final Level level;
  private final String paymentServiceType;
  private final String refField;
  private final String title;

  BillType(String wireName, Level level, String paymentServiceType, String refField, String title) {
    this.wireName = wireName;
    this.level = level;
    this.paymentServiceType = paymentServiceType;
    this.refField = refField;
    this.title = title;
  }

  public String wireName() {
    return wireName;
  }

  /** The least assurance level a payer needs. */
  public Level level() {
    return level;
  }

  /** The department service type that takes the payment. */
  public String paymentServiceType() {
    return paymentServiceType;
  }

  /** The name of the bill reference in the department's payment query. */
  public String refField() {
    return refField;
  }

  /** What the citizen sees at the channel's cashier. */
  public String title() {
    return title;
  }

  /** The bill type of a wire name, null when unknown. */
  public static BillType fromWire(String name) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst().orElse(null);
  }
}
