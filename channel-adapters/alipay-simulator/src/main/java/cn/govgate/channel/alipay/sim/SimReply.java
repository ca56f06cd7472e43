package cn.govgate.channel.alipay.sim;

import cn.govgate.channel.alipay.AlipayWire;
import io.vertx.core.json.JsonObject;

/** A gateway answer: the node it goes under and its inner object, signed when written. */
record SimReply(String node, JsonObject inner) {
  static SimReply ok(String method, JsonObject fields) {
    JsonObject inner = new JsonObject().put("code", "10000").put("msg", "Success");
    fields.forEach(e -> inner.put(e.getKey(), e.getValue()));
    return new SimReply(AlipayWire.responseNode(method), inner);
  }

  static SimReply error(String node, String code, String msg, String subCode, String subMsg) {
    return new SimReply(
        node,
        new JsonObject()
            .put("code", code)
            .put("msg", msg)
            .put("sub_code", subCode)
            .put("sub_msg", subMsg));
  }

  static SimReply gatewayError(String code, String msg, String subCode, String subMsg) {
    return error("error_response", code, msg, subCode, subMsg);
  }

  static SimReply business(String method, String subCode, String subMsg) {
    return error(AlipayWire.responseNode(method), "40004", "Business Failed", subCode, subMsg);
  }
}
