package cn.govgate.channel.alipay;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;

/** Maps Alipay gateway codes ({@code code}/{@code sub_code}) to typed channel failures. */
final class AlipayErrors {

  private AlipayErrors() {}

  static ChannelException of(
      String api, Kind kind, Fault fault, String channelCode, String message) {
    return new ChannelException(Channel.ALIPAY, api, kind, fault, channelCode, message);
  }

  /**
   * Classifies an error answer: the gateway said {@code code} (not 10000) with {@code sub_code}.
   */
  static ChannelException fromAnswer(String api, String code, String subCode, String subMsg) {
    String sub = subCode == null ? "" : subCode;
    String message =
        "Alipay " + api + " answered " + code + (sub.isEmpty() ? "" : " " + sub) + safe(subMsg);
    String channelCode = sub.isEmpty() ? code : sub;
    if (isAuthCodeError(code, sub))
      return of(api, Kind.INVALID_AUTH_CODE, Fault.CITIZEN, channelCode, message);
    if ("20000".equals(code) || sub.startsWith("isp.") || sub.equals("aop.unknow-error")) {
      return of(api, Kind.PLATFORM_ERROR, Fault.PLATFORM, channelCode, message);
    }
    if (sub.equals("isv.invalid-signature") || sub.equals("isv.invalid-signature-type")) {
      return of(api, Kind.SIGNATURE_INVALID, Fault.INTEGRATION, channelCode, message);
    }
    if (sub.equals("isv.invalid-app-id"))
      return of(api, Kind.UNKNOWN_APP, Fault.INTEGRATION, channelCode, message);
    if (sub.equals("isv.invalid-timestamp")) {
      return of(api, Kind.TIMESTAMP_OUT_OF_WINDOW, Fault.INTEGRATION, channelCode, message);
    }
    return of(api, Kind.REJECTED, Fault.INTEGRATION, channelCode, message);
  }

  /**
   * The gateway's sub_msg can echo the signed request (isv.invalid-signature quotes the whole sign
   * string, biz_content with names and ID numbers included); keep only its lead-in, so messages are
   * safe to log.
   */
  private static String safe(String subMsg) {
    if (subMsg == null || subMsg.isEmpty()) return "";
    String lead = subMsg.split("[：:，,]", 2)[0];
    return ": " + (lead.length() > 40 ? lead.substring(0, 40) : lead);
  }

  private static boolean isAuthCodeError(String code, String sub) {
    return "20001".equals(code)
        || sub.equals("isv.code-invalid")
        || sub.equals("isv.refresh-token-invalid")
        || sub.contains("invalid-grant")
        || sub.contains("auth-token");
  }

  /**
   * Whether a failed user.info.share only means "no real-name data for you", not a failed login.
   */
  static boolean isAuthOrPermission(ChannelException e) {
    String code = e.channelCode() == null ? "" : e.channelCode();
    return e.kind() == Kind.INVALID_AUTH_CODE
        || code.contains("permission")
        || code.equals("40006");
  }

  static ChannelException malformed(String api, String message) {
    return of(api, Kind.MALFORMED_RESPONSE, Fault.INTEGRATION, null, message);
  }
}
