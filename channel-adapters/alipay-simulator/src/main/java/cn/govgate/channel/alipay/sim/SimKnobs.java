package cn.govgate.channel.alipay.sim;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulator's behaviour switches, read on every request; safe to change from any thread.
 * Defaults mimic Alipay as the wire-format document describes it.
 */
public final class SimKnobs {

  /**
   * How {@code passed} is encoded in {@code alipay.user.certify.open.query} (the sources disagree).
   */
  public enum PassedEncoding {
    /** {@code "passed":"T"} (EasySDK, most clients). */
    STRING,
    /** {@code "passed":["T"]} (2020 Java model, a doc mirror). */
    ARRAY
  }

  /** What {@code certify.open.query} says before the face check was performed (❓). */
  public enum PendingEncoding {
    /** No {@code passed} field at all. */
    OMIT,
    /** {@code passed=F}, as for a failed check. */
    F
  }

  /** Deliberate damage to signed responses, for the adapter's rejection tests. */
  public enum Mangling {
    NONE,
    /** A character of the signed object changed after signing. */
    TAMPERED_CONTENT,
    /** The body cut in the middle of the inner object. */
    TRUNCATED,
    /** The response node repeated after the signed object. */
    DUPLICATE_NODE,
    /** No {@code sign} key. */
    UNSIGNED,
    /** Not JSON at all (an HTML error page with status 200). */
    NOT_JSON
  }

  /** A forced error answer for one API. */
  public record ForcedError(String code, String msg, String subCode, String subMsg) {}

  volatile Duration latency = Duration.ZERO;
  volatile double errorRate;
  final Map<String, ForcedError> forcedErrors = new ConcurrentHashMap<>();
  volatile int httpStatus;
  volatile Mangling mangling = Mangling.NONE;
  volatile PassedEncoding passedEncoding = PassedEncoding.STRING;
  volatile PendingEncoding pendingEncoding = PendingEncoding.OMIT;
  volatile boolean oauthCodeMsg;
  volatile boolean openIdMode;
  volatile boolean shareRealName = true;
  volatile boolean identityInfoPopulated;
  volatile Boolean forcedFaceOutcome;
  volatile Duration timestampSkewTolerance;
  volatile Duration authCodeTtl;
  volatile List<Duration> notifyRetryDelays;
  volatile String subscriptionRefusedSubCode = "USER_NOT_SUBSCRIBED";
  volatile boolean refundNotifications = true;
  volatile boolean refundsProcessing;

  SimKnobs(Duration authCodeTtl, List<Duration> notifyRetryDelays) {
    this.authCodeTtl = authCodeTtl;
    this.notifyRetryDelays = List.copyOf(notifyRetryDelays);
  }

  /** Added delay before every gateway answer. */
  /**
   * Whether a refund, once done, is notified to the payment's {@code notify_url} as a {@code
   * trade_status_sync} with {@code out_biz_no}, {@code refund_fee} and {@code gmt_refund} (§8.3).
   * Default true; false plays a refund that is not notified (the refund still succeeds; only the
   * answer or a query tells).
   */
  public SimKnobs refundNotifications(boolean value) {
    refundNotifications = value;
    return this;
  }

  public boolean refundNotifications() {
    return refundNotifications;
  }

  /**
   * Whether {@code alipay.trade.refund} accepts a new refund as still processing (§8.1: {@code
   * 10000} with {@code fund_change=N}; a retry under the same {@code out_request_no} answers the
   * same) instead of doing it at once. Until {@link AlipaySimulator#settleRefund} settles it,
   * {@code alipay.trade.fastpay.refund.query} answers {@code refund_status=REFUND_PROCESSING}
   * (§8.2) and nothing is refunded; once settled, the query answers {@code REFUND_SUCCESS} and the
   * refund is notified (§8.3) unless {@code refundNotifications} is off. Default false (refunds
   * done at once); switching it off settles nothing already accepted.
   */
  public SimKnobs refundsProcessing(boolean value) {
    refundsProcessing = value;
    return this;
  }

  public boolean refundsProcessing() {
    return refundsProcessing;
  }

  public SimKnobs latency(Duration latency) {
    this.latency = latency == null ? Duration.ZERO : latency;
    return this;
  }

  /** Share of gateway calls answered {@code 20000 isp.unknow-error} (0..1). */
  public SimKnobs errorRate(double errorRate) {
    this.errorRate = errorRate;
    return this;
  }

  /** Answer every call of {@code method} with this error until cleared. */
  public SimKnobs forceError(String method, ForcedError error) {
    forcedErrors.put(method, error);
    return this;
  }

  /** Answer every call of {@code method} with {@code 20000 isp.unknow-error 系统繁忙}. */
  public SimKnobs forceSystemBusy(String method) {
    return forceError(
        method,
        new ForcedError("20000", "Service Currently Unavailable", "isp.unknow-error", "系统繁忙"));
  }

  public SimKnobs clearForcedErrors() {
    forcedErrors.clear();
    return this;
  }

  /**
   * Answer every gateway call with this HTTP status and an HTML page (0 = off): the platform is
   * down.
   */
  public SimKnobs httpStatus(int status) {
    this.httpStatus = status;
    return this;
  }

  public SimKnobs mangling(Mangling mangling) {
    this.mangling = mangling == null ? Mangling.NONE : mangling;
    return this;
  }

  public SimKnobs passedEncoding(PassedEncoding encoding) {
    this.passedEncoding = encoding;
    return this;
  }

  public SimKnobs pendingEncoding(PendingEncoding encoding) {
    this.pendingEncoding = encoding;
    return this;
  }

  /**
   * Whether successful oauth.token answers carry {@code code}/{@code msg} (captures say no; default
   * false).
   */
  public SimKnobs oauthCodeMsg(boolean include) {
    this.oauthCodeMsg = include;
    return this;
  }

  /**
   * Open-id mode: oauth.token and user.info.share give {@code open_id} instead of {@code user_id}
   * (❓).
   */
  public SimKnobs openIdMode(boolean openIdMode) {
    this.openIdMode = openIdMode;
    return this;
  }

  /**
   * Whether the app holds the scope that makes user.info.share return {@code user_name}/{@code
   * cert_no} (❓).
   */
  public SimKnobs shareRealName(boolean share) {
    this.shareRealName = share;
    return this;
  }

  /**
   * Whether certify query fills {@code identity_info} with the submitted identity (❓; default
   * {@code "{}"}).
   */
  public SimKnobs identityInfoPopulated(boolean populated) {
    this.identityInfoPopulated = populated;
    return this;
  }

  /**
   * Forces the outcome of {@code performFace} regardless of identity; null = compare identities.
   */
  public SimKnobs forcedFaceOutcome(Boolean passed) {
    this.forcedFaceOutcome = passed;
    return this;
  }

  /**
   * Maximum |request timestamp − now|; null disables the check (the real tolerance is unknown, ❓).
   */
  public SimKnobs timestampSkewTolerance(Duration tolerance) {
    this.timestampSkewTolerance = tolerance;
    return this;
  }

  public SimKnobs authCodeTtl(Duration ttl) {
    this.authCodeTtl = ttl;
    return this;
  }

  /**
   * The {@code sub_code} of the 40004 a subscription send gets without a grant (the real one is
   * undocumented, ❓). Default {@code USER_NOT_SUBSCRIBED}.
   */
  public SimKnobs subscriptionRefusedSubCode(String subCode) {
    this.subscriptionRefusedSubCode = subCode;
    return this;
  }

  public SimKnobs notifyRetryDelays(List<Duration> delays) {
    this.notifyRetryDelays = List.copyOf(delays);
    return this;
  }
}
