package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import java.util.Set;

/** Builds the adapter's typed failures and classifies WeChat {@code errcode}s (§5.1, §5.2). */
final class WechatErrors {

  /** Codes that mean the access token is invalid or expired: refresh once and retry. */
  static final Set<Integer> TOKEN_INVALID = Set.of(40001, 40014, 42001);

  private static final Set<Integer> CITIZEN_CODE = Set.of(40029, 40163, 40226);
  private static final Set<Integer> PLATFORM_CODE = Set.of(-1, 45009, 45011);

  /** The user refused, unsubscribed or has no subscription quota left (§10.2): never retry. */
  static final int USER_REFUSED = 43101;

  private WechatErrors() {}

  static ChannelException of(String api, Kind kind, Fault fault, String code, String message) {
    return new ChannelException(Channel.WECHAT, api, kind, fault, code, message);
  }

  static ChannelException integration(String api, Kind kind, String message) {
    return of(api, kind, Fault.INTEGRATION, null, message);
  }

  static ChannelException malformed(String api, String message) {
    return integration(api, Kind.MALFORMED_RESPONSE, message);
  }

  static ChannelException signature(String api, String message) {
    return integration(api, Kind.SIGNATURE_INVALID, message);
  }

  static ChannelException unknownApp(String api) {
    return integration(api, Kind.UNKNOWN_APP, "app id is not configured for this adapter");
  }

  static ChannelException platformUnavailable(String api, String code, String message) {
    return of(api, Kind.PLATFORM_UNAVAILABLE, Fault.PLATFORM, code, message);
  }

  /** Classifies a non-zero {@code errcode} returned inside an HTTP 200 body. */
  static ChannelException fromErrcode(String api, int errcode, String errmsg) {
    String code = Integer.toString(errcode);
    String message = "errcode " + errcode + ": " + (errmsg == null ? "" : errmsg);
    if (CITIZEN_CODE.contains(errcode))
      return of(api, Kind.INVALID_AUTH_CODE, Fault.CITIZEN, code, message);
    if (errcode == USER_REFUSED) return of(api, Kind.USER_REFUSED, Fault.CITIZEN, code, message);
    if (PLATFORM_CODE.contains(errcode))
      return of(api, Kind.PLATFORM_ERROR, Fault.PLATFORM, code, message);
    if (errcode == 40013 || errcode == 41002)
      return of(api, Kind.UNKNOWN_APP, Fault.INTEGRATION, code, message);
    return of(api, Kind.REJECTED, Fault.INTEGRATION, code, message);
  }
}
