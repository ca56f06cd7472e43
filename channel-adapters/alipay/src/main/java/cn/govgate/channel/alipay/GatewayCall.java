package cn.govgate.channel.alipay;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One gateway request before signing.
 *
 * @param method the API, e.g. {@code alipay.trade.create}
 * @param protocolParams extra protocol parameters sent in the query string ({@code notify_url},
 *     {@code auth_token})
 * @param applicationParams parameters sent in the form body ({@code biz_content}, {@code
 *     grant_type}, {@code code})
 */
record GatewayCall(
    String method, Map<String, String> protocolParams, Map<String, String> applicationParams) {

  static GatewayCall of(String method) {
    return new GatewayCall(method, new LinkedHashMap<>(), new LinkedHashMap<>());
  }

  GatewayCall protocol(String key, String value) {
    if (value != null && !value.isEmpty()) protocolParams.put(key, value);
    return this;
  }

  GatewayCall application(String key, String value) {
    if (value != null && !value.isEmpty()) applicationParams.put(key, value);
    return this;
  }
}
