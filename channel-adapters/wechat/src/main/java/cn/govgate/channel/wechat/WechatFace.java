package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.FaceVerification.FaceRequest;
import cn.govgate.channel.spi.FaceVerification.FaceResult;
import cn.govgate.channel.spi.FaceVerification.FaceStart;
import cn.govgate.channel.spi.FaceVerification.Outcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * City-service face verification (§6): {@code getverifyid} / {@code queryverifyinfo}, and legacy
 * {@code getinfo}.
 */
final class WechatFace {

  static final String CERT_TYPE = "IDENTITY_CARD";
  private static final Duration LEGACY_MAX_AGE = Duration.ofMinutes(10);
  private static final String FACE = "/cityservice/face/identify/";

  private final MiniProgramClient mini;
  private final AccessTokens tokens;
  private final Set<String> appIds;
  private final Clock clock;

  WechatFace(MiniProgramClient mini, AccessTokens tokens, Set<String> appIds, Clock clock) {
    this.mini = mini;
    this.tokens = tokens;
    this.appIds = appIds;
    this.clock = clock;
  }

  Future<FaceStart> start(FaceRequest request) {
    String api = "getverifyid";
    if (!appIds.contains(request.appId())) return Future.failedFuture(WechatErrors.unknownApp(api));
    if (incomplete(request)) return Future.failedFuture(incompleteRequest(api));
    JsonObject body =
        new JsonObject()
            .put("out_seq_no", request.outSeqNo())
            .put(
                "cert_info",
                new JsonObject()
                    .put("cert_type", CERT_TYPE)
                    .put("cert_name", request.name())
                    .put("cert_no", request.idNumber().toUpperCase(Locale.ROOT)))
            .put("openid", request.userId());
    return tokens.withToken(
        request.appId(),
        token ->
            mini.post(
                api,
                path("getverifyid", token),
                body,
                json -> {
                  String verifyId = json.getString("verify_id");
                  if (verifyId == null || verifyId.isEmpty())
                    throw WechatErrors.malformed(api, "getverifyid lacks verify_id");
                  Long expiresIn = json.getLong("expires_in");
                  Instant expiresAt =
                      expiresIn == null ? null : clock.instant().plusSeconds(expiresIn);
                  return new FaceStart(
                      verifyId, WechatAdapter.params("verifyId", verifyId), expiresAt);
                }));
  }

  Future<FaceResult> query(FaceRequest request, String verifyId) {
    String api = "queryverifyinfo";
    if (!appIds.contains(request.appId())) return Future.failedFuture(WechatErrors.unknownApp(api));
    if (incomplete(request) || verifyId == null) return Future.failedFuture(incompleteRequest(api));
    JsonObject body =
        new JsonObject()
            .put("verify_id", verifyId)
            .put("out_seq_no", request.outSeqNo())
            .put(
                "cert_hash",
                WechatCrypto.certHash(
                    CERT_TYPE, request.name(), request.idNumber().toUpperCase(Locale.ROOT)))
            .put("openid", request.userId());
    return tokens.withToken(
        request.appId(),
        token ->
            mini.post(
                api,
                path("queryverifyinfo", token),
                body,
                json -> {
                  Integer ret = json.getInteger("verify_ret");
                  if (ret == null)
                    throw WechatErrors.malformed(api, "queryverifyinfo lacks verify_ret");
                  Outcome outcome =
                      ret == 10000
                          ? Outcome.PASSED
                          : ret == 10005 || ret == 10300 ? Outcome.PENDING : Outcome.FAILED;
                  return new FaceResult(outcome, "verify_ret=" + ret, json.getString("errmsg"));
                }));
  }

  Future<FaceResult> queryLegacy(
      String appId, String openid, String name, String idNumber, String verifyResult) {
    String api = "getinfo";
    if (!appIds.contains(appId)) return Future.failedFuture(WechatErrors.unknownApp(api));
    if (openid == null || name == null || idNumber == null || verifyResult == null) {
      return Future.failedFuture(incompleteRequest(api));
    }
    JsonObject body = new JsonObject().put("verify_result", verifyResult);
    return tokens.withToken(
        appId,
        token ->
            mini.post(
                api,
                path("getinfo", token),
                body,
                json -> {
                  Integer ret = json.getInteger("identify_ret");
                  if (ret == null) throw WechatErrors.malformed(api, "getinfo lacks identify_ret");
                  String code = "identify_ret=" + ret;
                  if (ret != 0)
                    return new FaceResult(Outcome.FAILED, code, "face check did not pass");
                  boolean sameUser = openid.equals(json.getString("openid"));
                  boolean sameId =
                      WechatCrypto.md5Hex(idNumber.toUpperCase(Locale.ROOT))
                          .equalsIgnoreCase(json.getString("id_card_number_md5", ""));
                  boolean sameName =
                      WechatCrypto.md5Hex(name)
                          .equalsIgnoreCase(json.getString("name_utf8_md5", ""));
                  if (!sameUser || !sameId || !sameName) {
                    return new FaceResult(
                        Outcome.FAILED,
                        code,
                        "verified person is not the claimed identity or user");
                  }
                  Long identifyTime = json.getLong("identify_time");
                  if (identifyTime == null)
                    throw WechatErrors.malformed(api, "getinfo lacks identify_time");
                  Duration age =
                      Duration.between(Instant.ofEpochSecond(identifyTime), clock.instant()).abs();
                  if (age.compareTo(LEGACY_MAX_AGE) > 0)
                    return new FaceResult(Outcome.FAILED, code, "face check is stale");
                  return new FaceResult(Outcome.PASSED, code, null);
                }));
  }

  private static boolean incomplete(FaceRequest r) {
    return r.userId() == null || r.name() == null || r.idNumber() == null || r.outSeqNo() == null;
  }

  private static RuntimeException incompleteRequest(String api) {
    return WechatErrors.integration(
        api, Kind.REJECTED, "face request lacks user, name, ID number or reference");
  }

  private static String path(String endpoint, String token) {
    if (token.isEmpty())
      throw WechatErrors.integration(endpoint, Kind.REJECTED, "empty access token");
    return FACE + endpoint + "?access_token=" + WechatAdapter.enc(token);
  }
}
