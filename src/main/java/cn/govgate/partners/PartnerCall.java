package cn.govgate.partners;

import io.vertx.ext.web.RoutingContext;

/**
 * A verified partner request: the partner, and the consent it names with the citizen that consent
 * belongs to. Put on the routing context by {@link PartnerGate}.
 */
record PartnerCall(String appId, String consentId, String citizenKey) {
  static final String KEY = "govgate.partner.call";

  static PartnerCall of(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}
