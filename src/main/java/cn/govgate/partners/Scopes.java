package cn.govgate.partners;

import java.util.List;

/** The scopes an operator may grant a partner, and a citizen may consent to. */
final class Scopes {
  private Scopes() {}

  static final List<String> ALL =
      List.of(
          "housing-fund.account",
          "social-security.account",
          "traffic.fines",
          "utilities.bill",
          "proofs.issue",
          "proofs.verify");
}
