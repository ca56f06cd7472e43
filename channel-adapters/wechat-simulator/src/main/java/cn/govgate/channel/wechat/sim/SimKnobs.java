package cn.govgate.channel.wechat.sim;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runtime knobs of the simulator, changeable at any time from Java or {@code PUT /__sim/knobs}.
 * Thread-safe. Defaults describe the documented platform behaviour.
 */
public final class SimKnobs {

  private volatile Duration latency = Duration.ZERO;
  private volatile double errorRate;
  private volatile boolean outage;
  private volatile int usedCodeErrcode = 40029;
  private volatile Duration authCodeTtl = Duration.ofMinutes(5);
  private volatile long tokenExpiresIn = 7200;
  private volatile boolean getinfoMd5UpperCase;
  private volatile int pendingVerifyRet = 10005;
  private volatile Integer forcedVerifyRet;
  private volatile boolean acceptNoContentAck = true;
  private volatile boolean refundNotifications = true;
  private final Map<String, String> forcedErrors = new ConcurrentHashMap<>();

  /** Delay before every platform answer (not the control API). Default 0. */
  public SimKnobs latency(Duration value) {
    latency = value;
    return this;
  }

  public Duration latency() {
    return latency;
  }

  /**
   * Share of platform calls, 0..1, answered with "system busy": errcode -1 inside a 200 for the
   * mini-program API, HTTP 500 {@code SYSTEM_ERROR} for WeChat Pay. Default 0.
   */
  public SimKnobs errorRate(double value) {
    errorRate = value;
    return this;
  }

  public double errorRate() {
    return errorRate;
  }

  /** When true, every platform path answers HTTP 503 with an empty body. */
  public SimKnobs outage(boolean value) {
    outage = value;
    return this;
  }

  public boolean outage() {
    return outage;
  }

  /** The errcode for a code used twice: 40029 (default) or 40163 (❓). */
  public SimKnobs usedCodeErrcode(int value) {
    usedCodeErrcode = value;
    return this;
  }

  public int usedCodeErrcode() {
    return usedCodeErrcode;
  }

  /** How long an auth code stays usable. Default 5 minutes (❓). */
  public SimKnobs authCodeTtl(Duration value) {
    authCodeTtl = value;
    return this;
  }

  public Duration authCodeTtl() {
    return authCodeTtl;
  }

  /** {@code expires_in} of new access tokens, seconds. Default 7200. */
  public SimKnobs tokenExpiresIn(long seconds) {
    tokenExpiresIn = seconds;
    return this;
  }

  public long tokenExpiresIn() {
    return tokenExpiresIn;
  }

  /** Whether {@code getinfo} MD5s are upper-case hex (❓). Default lower case. */
  public SimKnobs getinfoMd5UpperCase(boolean value) {
    getinfoMd5UpperCase = value;
    return this;
  }

  public boolean getinfoMd5UpperCase() {
    return getinfoMd5UpperCase;
  }

  /** {@code verify_ret} before the face check was performed: 10005 (default) or 10300. */
  public SimKnobs pendingVerifyRet(int value) {
    pendingVerifyRet = value;
    return this;
  }

  public int pendingVerifyRet() {
    return pendingVerifyRet;
  }

  /**
   * Forces every {@code queryverifyinfo} to answer this {@code verify_ret}; null (default) computes
   * it.
   */
  public SimKnobs forcedVerifyRet(Integer value) {
    forcedVerifyRet = value;
    return this;
  }

  public Integer forcedVerifyRet() {
    return forcedVerifyRet;
  }

  /** Whether a 204 acknowledges a notification (❓); 200 always does. Default true. */
  public SimKnobs acceptNoContentAck(boolean value) {
    acceptNoContentAck = value;
    return this;
  }

  public boolean acceptNoContentAck() {
    return acceptNoContentAck;
  }

  /**
   * Whether a refund, once it succeeded, is notified to its {@code notify_url} (§9.3). Default
   * true; false plays a lost notification (the refund still succeeds; only a query tells).
   */
  public SimKnobs refundNotifications(boolean value) {
    refundNotifications = value;
    return this;
  }

  public boolean refundNotifications() {
    return refundNotifications;
  }

  /**
   * Forces an error on one API ({@code jscode2session}, {@code stable_token}, {@code getverifyid},
   * {@code queryverifyinfo}, {@code getinfo}, {@code pay_jsapi}, {@code pay_query}, {@code
   * pay_close}): an errcode such as {@code 40226} for the mini-program API, a code such as {@code
   * SYSTEM_ERROR} for WeChat Pay.
   */
  public SimKnobs forceError(String api, String code) {
    forcedErrors.put(api, code);
    return this;
  }

  public SimKnobs clearForcedError(String api) {
    forcedErrors.remove(api);
    return this;
  }

  public String forcedError(String api) {
    return forcedErrors.get(api);
  }

  /** The knobs as JSON, for {@code GET /__sim/knobs}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("latencyMillis", latency.toMillis())
        .put("errorRate", errorRate)
        .put("outage", outage)
        .put("usedCodeErrcode", usedCodeErrcode)
        .put("authCodeTtlSeconds", authCodeTtl.toSeconds())
        .put("tokenExpiresIn", tokenExpiresIn)
        .put("getinfoMd5UpperCase", getinfoMd5UpperCase)
        .put("pendingVerifyRet", pendingVerifyRet)
        .put("forcedVerifyRet", forcedVerifyRet)
        .put("acceptNoContentAck", acceptNoContentAck)
        .put("refundNotifications", refundNotifications)
        .put("forcedErrors", new JsonObject(Map.copyOf(forcedErrors)));
  }

  /**
   * Applies the fields present in {@code json} (same names as {@link #toJson()}); a null forced
   * error clears it.
   */
  public SimKnobs update(JsonObject json) {
    if (json.containsKey("latencyMillis"))
      latency(Duration.ofMillis(json.getLong("latencyMillis")));
    if (json.containsKey("errorRate")) errorRate(json.getDouble("errorRate"));
    if (json.containsKey("outage")) outage(json.getBoolean("outage"));
    if (json.containsKey("usedCodeErrcode")) usedCodeErrcode(json.getInteger("usedCodeErrcode"));
    if (json.containsKey("authCodeTtlSeconds"))
      authCodeTtl(Duration.ofSeconds(json.getLong("authCodeTtlSeconds")));
    if (json.containsKey("tokenExpiresIn")) tokenExpiresIn(json.getLong("tokenExpiresIn"));
    if (json.containsKey("getinfoMd5UpperCase"))
      getinfoMd5UpperCase(json.getBoolean("getinfoMd5UpperCase"));
    if (json.containsKey("pendingVerifyRet")) pendingVerifyRet(json.getInteger("pendingVerifyRet"));
    if (json.containsKey("forcedVerifyRet")) forcedVerifyRet(json.getInteger("forcedVerifyRet"));
    if (json.containsKey("acceptNoContentAck"))
      acceptNoContentAck(json.getBoolean("acceptNoContentAck"));
    if (json.containsKey("refundNotifications"))
      refundNotifications(json.getBoolean("refundNotifications"));
    JsonObject forced = json.getJsonObject("forcedErrors");
    if (forced != null) {
      forced.forEach(
          e -> {
            if (e.getValue() == null) clearForcedError(e.getKey());
            else forceError(e.getKey(), e.getValue().toString());
          });
    }
    return this;
  }
}
