package cn.govgate.channel.wechat.sim;

import cn.govgate.channel.wechat.WechatCrypto;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The simulated mini-program server API (§5, §6): {@code jscode2session}, access tokens and face
 * endpoints.
 */
final class SimMiniProgram {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern OUT_SEQ_NO = Pattern.compile("[0-9A-Za-z_-]{5,32}");
  private static final String FACE = "/cityservice/face/identify/";

  record AuthCode(String appId, String openid, Instant expiresAt, boolean used) {}

  record Token(String appId, String value, Instant expiresAt) {}

  record Verification(
      String appId,
      String openid,
      String outSeqNo,
      String certType,
      String certName,
      String certNo,
      Integer verifyRet) {}

  record LegacyCheck(
      String appId,
      String openid,
      String name,
      String idNumber,
      int identifyRet,
      long identifyTime) {}

  final Map<String, String> apps = new ConcurrentHashMap<>();
  final Map<String, SimUser> users = new ConcurrentHashMap<>();
  final Map<String, Boolean> memberships = new ConcurrentHashMap<>();
  final Map<String, AuthCode> codes = new ConcurrentHashMap<>();
  final Map<String, Token> tokens = new ConcurrentHashMap<>();
  final Map<String, Token> currentToken = new ConcurrentHashMap<>();
  final Map<String, String> sessionKeys = new ConcurrentHashMap<>();
  final Map<String, Verification> verifications = new ConcurrentHashMap<>();
  final Map<String, LegacyCheck> legacyChecks = new ConcurrentHashMap<>();

  private final WechatSimulator sim;

  SimMiniProgram(WechatSimulator sim) {
    this.sim = sim;
  }

  void mount(Router router) {
    router
        .get("/sns/jscode2session")
        .handler(ctx -> sim.gate(ctx, "jscode2session", false, this::jscode2session));
    router.get("/cgi-bin/token").handler(ctx -> sim.gate(ctx, "token", false, this::getToken));
    router
        .post("/cgi-bin/stable_token")
        .handler(ctx -> sim.gate(ctx, "stable_token", false, this::stableToken));
    router
        .post(FACE + "getverifyid")
        .handler(ctx -> sim.gate(ctx, "getverifyid", false, this::getVerifyId));
    router
        .post(FACE + "queryverifyinfo")
        .handler(ctx -> sim.gate(ctx, "queryverifyinfo", false, this::queryVerify));
    router.post(FACE + "getinfo").handler(ctx -> sim.gate(ctx, "getinfo", false, this::getInfo));
  }

  static String membership(String appId, String openid) {
    return appId + "\n" + openid;
  }

  String issueAuthCode(String appId, String openid) {
    if (!apps.containsKey(appId)) throw new IllegalArgumentException("unknown app");
    if (!users.containsKey(openid)) throw new IllegalArgumentException("unknown user");
    memberships.put(membership(appId, openid), true);
    String code = WechatCrypto.nonce(32);
    codes.put(code, new AuthCode(appId, openid, sim.now().plus(sim.knobs().authCodeTtl()), false));
    return code;
  }

  private void jscode2session(RoutingContext ctx) {
    String appId = ctx.queryParams().get("appid");
    String secret = ctx.queryParams().get("secret");
    String code = ctx.queryParams().get("js_code");
    JsonObject error = checkApp(appId, secret);
    if (error != null) {
      sim.json(ctx, 200, error);
      return;
    }
    AuthCode found = code == null ? null : codes.get(code);
    if (found == null || !found.appId().equals(appId) || sim.now().isAfter(found.expiresAt())) {
      sim.json(ctx, 200, errcode(40029, "invalid code"));
      return;
    }
    if (found.used()
        || !codes.replace(
            code, found, new AuthCode(appId, found.openid(), found.expiresAt(), true))) {
      sim.json(ctx, 200, errcode(sim.knobs().usedCodeErrcode(), "code been used"));
      return;
    }
    SimUser user = users.get(found.openid());
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    String sessionKey = Base64.getEncoder().encodeToString(key);
    sessionKeys.put(membership(appId, user.openid()), sessionKey);
    JsonObject answer =
        new JsonObject().put("session_key", sessionKey).put("openid", user.openid());
    if (user.unionid() != null) answer.put("unionid", user.unionid());
    sim.json(ctx, 200, answer);
  }

  private JsonObject checkApp(String appId, String secret) {
    String expected = appId == null ? null : apps.get(appId);
    if (expected == null) return errcode(40013, "invalid appid");
    if (!WechatCrypto.constantTimeEquals(expected, secret))
      return errcode(40125, "invalid appsecret");
    return null;
  }

  private void getToken(RoutingContext ctx) {
    if (!"client_credential".equals(ctx.queryParams().get("grant_type"))) {
      sim.json(ctx, 200, errcode(40002, "invalid grant_type"));
      return;
    }
    issueToken(ctx, ctx.queryParams().get("appid"), ctx.queryParams().get("secret"), false);
  }

  private void stableToken(RoutingContext ctx) {
    JsonObject body = sim.jsonBody(ctx);
    if (body == null || !"client_credential".equals(body.getString("grant_type"))) {
      sim.json(ctx, 200, errcode(40002, "invalid grant_type"));
      return;
    }
    boolean force = Boolean.TRUE.equals(body.getValue("force_refresh"));
    issueToken(ctx, body.getString("appid"), body.getString("secret"), force);
  }

  private void issueToken(RoutingContext ctx, String appId, String secret, boolean fresh) {
    JsonObject error = checkApp(appId, secret);
    if (error != null) {
      sim.json(ctx, 200, error);
      return;
    }
    Instant now = sim.now();
    Token current = currentToken.get(appId);
    if (fresh || current == null || !now.isBefore(current.expiresAt())) {
      if (current != null) tokens.remove(current.value());
      current =
          new Token(appId, WechatCrypto.nonce(64), now.plusSeconds(sim.knobs().tokenExpiresIn()));
      tokens.put(current.value(), current);
      currentToken.put(appId, current);
    }
    long remaining = Math.max(1, current.expiresAt().getEpochSecond() - now.getEpochSecond());
    sim.json(
        ctx,
        200,
        new JsonObject().put("access_token", current.value()).put("expires_in", remaining));
  }

  /** Drops every access token, as the platform does on a forced refresh elsewhere. */
  void revokeTokens() {
    tokens.clear();
    currentToken.clear();
  }

  /** The app of the request's access token, or null after answering 40001/42001. */
  String tokenAppOf(RoutingContext ctx) {
    return tokenApp(ctx);
  }

  private String tokenApp(RoutingContext ctx) {
    Token token = tokens.get(Objects.requireNonNullElse(ctx.queryParams().get("access_token"), ""));
    if (token == null || !sim.now().isBefore(token.expiresAt())) {
      sim.json(
          ctx,
          200,
          errcode(token == null ? 40001 : 42001, token == null ? "invalid credential" : "expired"));
      return null;
    }
    return token.appId();
  }

  private boolean belongs(RoutingContext ctx, String appId, String openid) {
    if (openid != null && memberships.containsKey(membership(appId, openid))) return true;
    sim.json(ctx, 200, errcode(40003, "invalid openid"));
    return false;
  }

  private void getVerifyId(RoutingContext ctx) {
    String appId = tokenApp(ctx);
    if (appId == null) return;
    JsonObject body = sim.jsonBody(ctx);
    JsonObject cert = body == null ? null : body.getJsonObject("cert_info");
    String outSeqNo = body == null ? null : body.getString("out_seq_no");
    if (cert == null
        || outSeqNo == null
        || !OUT_SEQ_NO.matcher(outSeqNo).matches()
        || cert.getString("cert_name") == null
        || cert.getString("cert_no") == null) {
      sim.json(ctx, 200, errcode(47001, "data format error"));
      return;
    }
    String openid = body.getString("openid");
    if (!belongs(ctx, appId, openid)) return;
    String verifyId = "verify_id_" + WechatCrypto.nonce(40);
    verifications.put(
        verifyId,
        new Verification(
            appId,
            openid,
            outSeqNo,
            cert.getString("cert_type", "IDENTITY_CARD"),
            cert.getString("cert_name"),
            cert.getString("cert_no"),
            null));
    sim.json(ctx, 200, ok().put("verify_id", verifyId).put("expires_in", 3600));
  }

  int performFace(String verifyId, String actualOpenid) {
    Verification v = verifications.get(verifyId);
    if (v == null) throw new IllegalArgumentException("unknown verify_id");
    SimUser person = users.get(actualOpenid);
    int ret;
    if (!v.openid().equals(actualOpenid) || person == null) {
      ret = 10004;
    } else if (person.name() == null
        || !person.name().equals(v.certName())
        || person.idNumber() == null
        || !person.idNumber().equalsIgnoreCase(v.certNo())) {
      ret = 10003;
    } else {
      ret = 10000;
    }
    verifications.put(
        verifyId,
        new Verification(
            v.appId(), v.openid(), v.outSeqNo(), v.certType(), v.certName(), v.certNo(), ret));
    return ret;
  }

  private void queryVerify(RoutingContext ctx) {
    String appId = tokenApp(ctx);
    if (appId == null) return;
    JsonObject body = sim.jsonBody(ctx);
    Verification v =
        body == null
            ? null
            : verifications.get(Objects.requireNonNullElse(body.getString("verify_id"), ""));
    if (v == null || !v.appId().equals(appId)) {
      sim.json(ctx, 200, errcode(47001, "invalid verify_id"));
      return;
    }
    if (!belongs(ctx, appId, body.getString("openid"))) return;
    int ret;
    if (sim.knobs().forcedVerifyRet() != null) {
      ret = sim.knobs().forcedVerifyRet();
    } else if (!v.openid().equals(body.getString("openid"))
        || !v.outSeqNo().equals(body.getString("out_seq_no"))) {
      ret = 10001;
    } else if (v.verifyRet() == null) {
      ret = sim.knobs().pendingVerifyRet();
    } else if (!WechatCrypto.certHash(v.certType(), v.certName(), v.certNo())
        .equals(body.getString("cert_hash"))) {
      ret = 10003;
    } else {
      ret = v.verifyRet();
    }
    sim.json(ctx, 200, ok().put("verify_ret", ret));
  }

  String performLegacyFace(String appId, String openid, String name, String idNumber) {
    if (!memberships.containsKey(membership(appId, openid)))
      throw new IllegalArgumentException("not a user of app");
    SimUser person = users.get(openid);
    boolean same =
        person != null
            && name.equals(person.name())
            && idNumber.equalsIgnoreCase(person.idNumber());
    String verifyResult = "XZ" + WechatCrypto.nonce(60);
    legacyChecks.put(
        verifyResult,
        new LegacyCheck(
            appId,
            openid,
            name,
            idNumber.toUpperCase(Locale.ROOT),
            same ? 0 : 10003,
            sim.now().getEpochSecond()));
    return verifyResult;
  }

  private void getInfo(RoutingContext ctx) {
    String appId = tokenApp(ctx);
    if (appId == null) return;
    JsonObject body = sim.jsonBody(ctx);
    LegacyCheck c =
        body == null
            ? null
            : legacyChecks.get(Objects.requireNonNullElse(body.getString("verify_result"), ""));
    if (c == null || !c.appId().equals(appId)) {
      sim.json(ctx, 200, ok().put("identify_ret", 10017));
      return;
    }
    boolean upper = sim.knobs().getinfoMd5UpperCase();
    String idMd5 = WechatCrypto.md5Hex(c.idNumber());
    String nameMd5 = WechatCrypto.md5Hex(c.name());
    sim.json(
        ctx,
        200,
        ok().put("identify_ret", c.identifyRet())
            .put("identify_time", c.identifyTime())
            .put("validate_data", "8593")
            .put("openid", c.openid())
            .put("user_id_key", "id_key_" + WechatCrypto.nonce(16))
            .put("finish_time", c.identifyTime())
            .put("id_card_number_md5", upper ? idMd5.toUpperCase(Locale.ROOT) : idMd5)
            .put("name_utf8_md5", upper ? nameMd5.toUpperCase(Locale.ROOT) : nameMd5));
  }

  static JsonObject ok() {
    return new JsonObject().put("errcode", 0).put("errmsg", "ok");
  }

  static JsonObject errcode(int code, String message) {
    return new JsonObject()
        .put("errcode", code)
        .put("errmsg", message + ", rid: " + WechatCrypto.nonce(8).toLowerCase(Locale.ROOT));
  }
}
