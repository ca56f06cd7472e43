package cn.govgate.certificates;

/** The kinds of proof the gateway issues, with their serial prefix and title. */
public enum ProofType {
  /** 住房公积金缴存证明, serials {@code GJJ-<region>-<year>-<nnnnnn>}. */
  HOUSING_FUND_DEPOSIT("housing_fund_deposit", "GJJ", "住房公积金缴存证明");

  private final String code;
  private final String serialPrefix;
  private final String title;

  ProofType(String code, String serialPrefix, String title) {
    this.code = code;
    this.serialPrefix = serialPrefix;
    this.title = title;
  }

  /** The {@code type} claim, e.g. {@code housing_fund_deposit}. */
  public String code() {
    return code;
  }

  public String serialPrefix() {
    return serialPrefix;
  }

  /** The Chinese title, e.g. 住房公积金缴存证明. */
  public String title() {
    return title;
  }
}
