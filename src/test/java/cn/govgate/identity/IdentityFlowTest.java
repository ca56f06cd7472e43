package cn.govgate.identity;

import static cn.govgate.identity.IdentityTestBed.bearer;
import static cn.govgate.identity.IdentityTestBed.complete;
import static cn.govgate.identity.IdentityTestBed.login;
import static cn.govgate.identity.IdentityTestBed.me;
import static cn.govgate.identity.IdentityTestBed.payload;
import static cn.govgate.identity.IdentityTestBed.start;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Contracts;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Login, step-up and binding end to end through both simulators, on one gateway and its database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityFlowTest {
  private static final ApiContract API = ApiContract.of("gateway-api.yaml");

  private IdentityTestBed bed;
  private Gateway gateway;

  @BeforeAll
  void startGateway() throws Exception {
    bed = new IdentityTestBed(40, 4711);
    gateway = TestGateways.start(bed.settings());
  }

  @AfterAll
  void stopGateway() throws Exception {
    TestGateways.stop(gateway);
    bed.close();
  }

  private SyntheticCitizen person(int i) {
    return bed.people.get(i);
  }

  @Test
  void anAlipayUserReachesL3ThroughTheFaceCheck() {
    SyntheticCitizen p = person(0);
    String user = bed.alipayUser(p, false);
    HttpResponse<String> login =
        login(
            gateway,
            "alipay",
            IdentityTestBed.ALIPAY_APP,
            bed.alipay.issueAuthCode(IdentityTestBed.ALIPAY_APP, user));
    assertThat(login.statusCode()).isEqualTo(201);
    API.assertValid("createSession", login);
    JsonObject session = Http.json(login);
    assertThat(session.getString("level")).isEqualTo("L1");
    assertThat(session.getBoolean("bound")).isFalse();
    String token = session.getString("token");
    HttpResponse<String> meBefore = me(gateway, token);
    API.assertValid("getMe", meBefore);
    assertThat(Http.json(meBefore).getString("level")).isEqualTo("L1");

    HttpResponse<String> started = start(gateway, token, p.name(), p.idNumber());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    API.assertValid("startVerification", started);
    JsonObject v = Http.json(started);
    assertThat(v.containsKey("session")).as("no real name shared: no L2 shortcut").isFalse();
    assertThat(v.getJsonObject("clientParams").getString("certifyUrl")).isNotBlank();

    HttpResponse<String> pending = complete(gateway, token, v.getString("verificationId"));
    assertThat(pending.statusCode()).isEqualTo(409);
    assertThat(Http.json(pending).getString("code")).isEqualTo("identity.verification_pending");
    API.assertValid("completeVerification", pending);

    bed.alipay.performFace(v.getJsonObject("clientParams").getString("certifyId"), user);
    HttpResponse<String> done = complete(gateway, token, v.getString("verificationId"));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    API.assertValid("completeVerification", done);
    JsonObject l3 = Http.json(done);
    assertThat(l3.getString("level")).isEqualTo("L3");
    assertThat(l3.getBoolean("bound")).isTrue();
    assertThat(l3.getString("faceTime")).isNotNull();

    HttpResponse<String> meAfter = me(gateway, l3.getString("token"));
    API.assertValid("getMe", meAfter);
    JsonObject m = Http.json(meAfter);
    assertThat(m.getString("idNumber")).isEqualTo(IdNumber.mask(p.idNumber()));
    assertThat(m.getString("name")).isEqualTo(Masking.maskName(p.name()));
    JsonObject claims = payload(l3.getString("token"));
    assertThat(claims.getString("acr")).isEqualTo("L3");
    assertThat(claims.getJsonArray("amr").getList()).contains("face");
    assertThat(claims.getLong("face_time")).isNotNull();

    // Logging in again later gives the binding's level with its face time.
    String again = bed.alipayToken(gateway, user);
    assertThat(payload(again).getString("acr")).isEqualTo("L3");
    assertThat(payload(again).getString("sub")).isEqualTo(claims.getString("sub"));
  }

  @Test
  void theSamePersonFromBothChannelsIsOneCitizen() {
    SyntheticCitizen p = person(1);
    String viaWechat = bed.wechatToL3(gateway, bed.wechatUser(p), p);
    String viaAlipay = bed.alipayToL3(gateway, bed.alipayUser(p, false), p);
    assertThat(payload(viaWechat).getString("acr")).isEqualTo("L3");
    assertThat(payload(viaWechat).getString("chn")).isEqualTo("wechat");
    assertThat(payload(viaWechat).getString("sub")).isEqualTo(payload(viaAlipay).getString("sub"));
    assertThat(payload(viaWechat).getString("cid"))
        .isNotEqualTo(payload(viaAlipay).getString("cid"));
    Row count =
        gateway
            .database()
            .pool()
            .query("SELECT count(*) AS n FROM citizens")
            .execute()
            .await()
            .iterator()
            .next();
    assertThat(count.getLong("n")).isPositive();
  }

  @Test
  void aReturningUsersLoginWritesTheRowOnlyWhenItsLastLoginIsOverAnHourOld() {
    SyntheticCitizen p = person(20);
    String openid = bed.wechatUser(p);
    String identityKey = payload(bed.wechatToken(gateway, openid)).getString("cid");
    Row first = loginRow(identityKey);
    // Logging in again within the hour reads the row and writes nothing (same row version).
    String again = bed.wechatToken(gateway, openid);
    assertThat(payload(again).getString("cid")).isEqualTo(identityKey);
    assertThat(loginRow(identityKey).getString("version")).isEqualTo(first.getString("version"));
    // An hour later the login is recorded.
    gateway
        .database()
        .pool()
        .preparedQuery(
            "UPDATE channel_identities SET last_login_at = now() - interval '2 hours' "
                + "WHERE identity_key = $1")
        .execute(Tuple.of(identityKey))
        .await();
    bed.wechatToken(gateway, openid);
    Row later = loginRow(identityKey);
    assertThat(later.getBoolean("recent")).isTrue();
    assertThat(later.getString("version")).isNotEqualTo(first.getString("version"));
  }

  private Row loginRow(String identityKey) {
    return gateway
        .database()
        .pool()
        .preparedQuery(
            "SELECT xmin::text AS version, last_login_at > now() - interval '1 minute' AS recent "
                + "FROM channel_identities WHERE identity_key = $1")
        .execute(Tuple.of(identityKey))
        .await()
        .iterator()
        .next();
  }

  @Test
  void alipayCertifiedRealNameMatchingTheClaimBindsAtL2WithoutFace() {
    SyntheticCitizen p = person(2);
    String user = bed.alipayUser(p, true);
    String token = bed.alipayToken(gateway, user);
    HttpResponse<String> started = start(gateway, token, p.name(), p.idNumber());
    assertThat(started.statusCode()).isEqualTo(201);
    API.assertValid("startVerification", started);
    JsonObject l2 = Http.json(started).getJsonObject("session");
    assertThat(l2.getString("level")).isEqualTo("L2");
    assertThat(l2.getBoolean("bound")).isTrue();
    assertThat(Http.json(me(gateway, l2.getString("token"))).getString("level")).isEqualTo("L2");
  }

  @Test
  void alipayRealNameOfSomeoneElseGivesNoL2() {
    SyntheticCitizen real = person(3);
    SyntheticCitizen claimed = person(4);
    String token = bed.alipayToken(gateway, bed.alipayUser(real, true));
    HttpResponse<String> started = start(gateway, token, claimed.name(), claimed.idNumber());
    assertThat(started.statusCode()).isEqualTo(201);
    assertThat(Http.json(started).containsKey("session")).isFalse();
  }

  @Test
  void aBadOrReusedAuthCodeIsRefused() {
    HttpResponse<String> bad = login(gateway, "wechat", IdentityTestBed.WECHAT_APP, "not-a-code");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(Http.json(bad).getString("code")).isEqualTo("session.invalid_auth_code");
    API.assertValid("createSession", bad);

    String user = bed.alipayUser(person(5), false);
    String code = bed.alipay.issueAuthCode(IdentityTestBed.ALIPAY_APP, user);
    assertThat(login(gateway, "alipay", IdentityTestBed.ALIPAY_APP, code).statusCode())
        .isEqualTo(201);
    HttpResponse<String> reused = login(gateway, "alipay", IdentityTestBed.ALIPAY_APP, code);
    assertThat(reused.statusCode()).isEqualTo(400);
    assertThat(Http.json(reused).getString("code")).isEqualTo("session.invalid_auth_code");

    String openid = bed.wechatUser(person(5));
    String wxCode = bed.wechat.issueAuthCode(IdentityTestBed.WECHAT_APP, openid);
    assertThat(login(gateway, "wechat", IdentityTestBed.WECHAT_APP, wxCode).statusCode())
        .isEqualTo(201);
    assertThat(login(gateway, "wechat", IdentityTestBed.WECHAT_APP, wxCode).statusCode())
        .isEqualTo(400);

    HttpResponse<String> unknownApp = login(gateway, "wechat", "wx-not-ours", "x");
    assertThat(Http.json(unknownApp).getString("code")).isEqualTo("session.unknown_app");
    HttpResponse<String> missing = Http.post(gateway.baseUrl() + "/v1/sessions", "{}");
    assertThat(missing.statusCode()).isEqualTo(400);
    Contracts.assertError(Http.json(missing));
  }

  @Test
  void aFailedFaceCheckBindsNothing() {
    SyntheticCitizen p = person(6);
    String openid = bed.wechatUser(p);
    String token = bed.wechatToken(gateway, openid);
    JsonObject v = Http.json(start(gateway, token, p.name(), p.idNumber()));
    bed.wechat.knobs().forcedVerifyRet(10003);
    try {
      bed.wechat.performFace(v.getJsonObject("clientParams").getString("verifyId"), openid);
      HttpResponse<String> failed = complete(gateway, token, v.getString("verificationId"));
      assertThat(failed.statusCode()).isEqualTo(422);
      assertThat(Http.json(failed).getString("code")).isEqualTo("identity.face_failed");
      API.assertValid("completeVerification", failed);
    } finally {
      bed.wechat.knobs().forcedVerifyRet(null);
    }
    assertThat(Http.json(me(gateway, token)).getBoolean("bound")).isFalse();
    assertThat(Http.json(me(gateway, bed.wechatToken(gateway, openid))).getString("level"))
        .isEqualTo("L1");
  }

  @Test
  void aFacePassedByAnotherPersonThanClaimedDoesNotBind() {
    SyntheticCitizen real = person(7);
    SyntheticCitizen claimed = person(8);
    String user = bed.alipayUser(real, false);
    String token = bed.alipayToken(gateway, user);
    JsonObject v = Http.json(start(gateway, token, claimed.name(), claimed.idNumber()));
    assertThat(bed.alipay.performFace(v.getJsonObject("clientParams").getString("certifyId"), user))
        .isFalse();
    HttpResponse<String> r = complete(gateway, token, v.getString("verificationId"));
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(Http.json(me(gateway, token)).getBoolean("bound")).isFalse();

    // WeChat: the face is done on someone else's phone.
    String victim = bed.wechatUser(claimed);
    String attacker = bed.wechatUser(real);
    String wxToken = bed.wechatToken(gateway, attacker);
    JsonObject w = Http.json(start(gateway, wxToken, claimed.name(), claimed.idNumber()));
    bed.wechat.performFace(w.getJsonObject("clientParams").getString("verifyId"), victim);
    assertThat(complete(gateway, wxToken, w.getString("verificationId")).statusCode())
        .isEqualTo(422);
    assertThat(Http.json(me(gateway, wxToken)).getBoolean("bound")).isFalse();
  }

  @Test
  void anIdNumberWithABadCheckDigitIsRefusedBeforeTheChannel() {
    SyntheticCitizen p = person(9);
    String token = bed.wechatToken(gateway, bed.wechatUser(p));
    String id = p.idNumber();
    char last = id.charAt(17);
    String broken = id.substring(0, 17) + (last == '1' ? '2' : '1');
    int before = bed.wechat.calls("getverifyid");
    HttpResponse<String> r = start(gateway, token, p.name(), broken);
    assertThat(r.statusCode()).isEqualTo(400);
    API.assertValid("startVerification", r);
    JsonObject e = Http.json(r);
    assertThat(e.getString("code")).isEqualTo("identity.invalid_id_number");
    assertThat(e.getJsonObject("details").getString("reason")).isEqualTo("check_digit");
    assertThat(bed.wechat.calls("getverifyid")).isEqualTo(before);
  }

  @Test
  void aCompletionIsAcceptedOnceAndOnlyFromItsOwnUser() {
    SyntheticCitizen p = person(10);
    String openid = bed.wechatUser(p);
    String token = bed.wechatToken(gateway, openid);
    JsonObject v = Http.json(start(gateway, token, p.name(), p.idNumber()));
    bed.wechat.performFace(v.getJsonObject("clientParams").getString("verifyId"), openid);

    String other = bed.wechatToken(gateway, bed.wechatUser(person(11)));
    HttpResponse<String> foreign = complete(gateway, other, v.getString("verificationId"));
    assertThat(foreign.statusCode()).isEqualTo(404);
    API.assertValid("completeVerification", foreign);

    assertThat(complete(gateway, token, v.getString("verificationId")).statusCode()).isEqualTo(200);
    HttpResponse<String> replay = complete(gateway, token, v.getString("verificationId"));
    assertThat(replay.statusCode()).isEqualTo(409);
    assertThat(Http.json(replay).getString("code"))
        .isEqualTo("identity.verification_already_completed");
    API.assertValid("completeVerification", replay);
  }

  @Test
  void attemptsAreLimitedPerChannelUserAndPerIdNumber() {
    SyntheticCitizen p = person(12);
    String token = bed.wechatToken(gateway, bed.wechatUser(p));
    for (int i = 0; i < 5; i++) {
      assertThat(start(gateway, token, p.name(), p.idNumber()).statusCode()).isEqualTo(201);
    }
    HttpResponse<String> limited = start(gateway, token, p.name(), p.idNumber());
    assertThat(limited.statusCode()).isEqualTo(429);
    API.assertValid("startVerification", limited);
    assertThat(Http.json(limited).getString("code")).isEqualTo("identity.too_many_attempts");
    assertThat(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow()))
        .isBetween(1, 3601);

    // Another user claiming the same ID number is refused too: the number has had its 5 attempts.
    String other = bed.alipayToken(gateway, bed.alipayUser(person(13), false));
    HttpResponse<String> sameId = start(gateway, other, p.name(), p.idNumber());
    assertThat(sameId.statusCode()).isEqualTo(429);
    // ...while that user may still verify their own.
    assertThat(start(gateway, other, person(13).name(), person(13).idNumber()).statusCode())
        .isEqualTo(201);
  }

  @Test
  void parallelAttemptsCannotSlipPastTheLimit() throws Exception {
    SyntheticCitizen p = person(18);
    String token = bed.wechatToken(gateway, bed.wechatUser(p));
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(10);
    try {
      List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        results.add(pool.submit(() -> start(gateway, token, p.name(), p.idNumber()).statusCode()));
      }
      List<Integer> statuses = new ArrayList<>();
      for (var f : results) statuses.add(f.get(60, TimeUnit.SECONDS));
      assertThat(statuses).filteredOn(st -> st == 201).hasSize(5);
      assertThat(statuses).filteredOn(st -> st == 429).hasSize(5);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aBoundAccountIsNeverSilentlyReboundAndUnbindingAllowsANewBinding() {
    SyntheticCitizen a = person(14);
    SyntheticCitizen b = person(15);
    String openid = bed.wechatUser(a);
    String l3 = bed.wechatToL3(gateway, openid, a);
    String citizenA = payload(l3).getString("sub");

    JsonObject v = Http.json(start(gateway, l3, b.name(), b.idNumber()));
    bed.wechat.knobs().forcedVerifyRet(10000);
    try {
      bed.wechat.performFace(v.getJsonObject("clientParams").getString("verifyId"), openid);
      HttpResponse<String> rebind = complete(gateway, l3, v.getString("verificationId"));
      assertThat(rebind.statusCode()).isEqualTo(409);
      assertThat(Http.json(rebind).getString("code")).isEqualTo("identity.already_bound");
      API.assertValid("completeVerification", rebind);
      String relogin = bed.wechatToken(gateway, openid);
      assertThat(payload(relogin).getString("sub")).isEqualTo(citizenA);

      HttpResponse<String> unbound =
          Http.send("DELETE", gateway.baseUrl() + "/v1/identity/binding", null, bearer(relogin));
      assertThat(unbound.statusCode()).isEqualTo(200);
      API.assertValid("deleteBinding", unbound);
      String l1 = Http.json(unbound).getString("token");
      assertThat(payload(l1).getString("acr")).isEqualTo("L1");
      assertThat(me(gateway, relogin).statusCode()).as("the bound token is revoked").isEqualTo(401);
      HttpResponse<String> again =
          Http.send("DELETE", gateway.baseUrl() + "/v1/identity/binding", null, bearer(l1));
      assertThat(again.statusCode()).isEqualTo(409);
      API.assertValid("deleteBinding", again);

      JsonObject w = Http.json(start(gateway, l1, b.name(), b.idNumber()));
      bed.wechat.performFace(w.getJsonObject("clientParams").getString("verifyId"), openid);
      HttpResponse<String> bound = complete(gateway, l1, w.getString("verificationId"));
      assertThat(bound.statusCode()).isEqualTo(200);
      assertThat(payload(Http.json(bound).getString("token")).getString("sub"))
          .isNotEqualTo(citizenA);
    } finally {
      bed.wechat.knobs().forcedVerifyRet(null);
    }
  }

  @Test
  void logoutStopsTheToken() {
    String token = bed.alipayToken(gateway, bed.alipayUser(person(16), false));
    HttpResponse<String> out =
        Http.send("DELETE", gateway.baseUrl() + "/v1/sessions/current", null, bearer(token));
    assertThat(out.statusCode()).isEqualTo(204);
    API.assertValid("deleteSession", out);
    HttpResponse<String> after = me(gateway, token);
    assertThat(after.statusCode()).isEqualTo(401);
    API.assertValid("getMe", after);
    assertThat(Http.json(after).getString("code")).isEqualTo("auth.invalid_token");
  }

  @Test
  void jwksPublishesTheSigningKey() {
    HttpResponse<String> r = Http.get(gateway.baseUrl() + "/.well-known/jwks.json");
    assertThat(r.statusCode()).isEqualTo(200);
    API.assertValid("getJwks", r);
    io.vertx.core.json.JsonArray keys = Http.json(r).getJsonArray("keys");
    String es256 = gateway.identity().signingKeys().current().kid();
    if (TestGateways.profile().equals("shangmi")) {
      // The SM2 proof key signs and comes first; the ES256 key stays published for proofs issued
      // before.
      assertThat(keys.getJsonObject(0).getString("crv")).isEqualTo("SM2");
      assertThat(keys.stream().map(k -> ((JsonObject) k).getString("kid")).toList())
          .contains(es256);
    } else {
      assertThat(keys.getJsonObject(0).getString("kid")).isEqualTo(es256);
    }
  }

  @Test
  void noIdNumberNameOrChannelUserIdAppearsInTheDatabaseTheLogsOrAToken() throws Exception {
    List<String> secrets = new ArrayList<>();
    SyntheticCitizen p = person(17);
    String openid = bed.wechatUser(p);
    String user = bed.alipayUser(p, true);
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    root.addAppender(logs);
    String t1;
    String t2;
    try {
      t1 = bed.wechatToL3(gateway, openid, p);
      t2 = bed.alipayToL3(gateway, user, p);
      String broken = p.idNumber().substring(0, 17) + (p.idNumber().charAt(17) == '1' ? '2' : '1');
      assertThat(start(gateway, t1, p.name(), broken).statusCode()).isEqualTo(400);
      assertThat(me(gateway, "x" + t1).statusCode()).isEqualTo(401);
    } finally {
      root.detachAppender(logs);
    }
    StringBuilder logged = new StringBuilder();
    for (ch.qos.logback.classic.spi.ILoggingEvent e : logs.list) {
      logged
          .append(e.getFormattedMessage())
          .append(' ')
          .append(java.util.Arrays.toString(e.getArgumentArray()))
          .append(' ')
          .append(e.getMDCPropertyMap())
          .append('\n');
      if (e.getThrowableProxy() != null)
        logged.append(e.getThrowableProxy().getMessage()).append('\n');
    }
    assertThat(logs.list).as("the flows were logged").isNotEmpty();
    secrets.add(p.idNumber());
    secrets.add(p.idNumber().substring(6, 14));
    secrets.add(p.name());
    secrets.add(openid);
    secrets.add(user);
    secrets.add(t1.substring(t1.lastIndexOf('.') + 1));
    secrets.add(t2.substring(t2.lastIndexOf('.') + 1));
    gateway.audit().flush().await(10, TimeUnit.SECONDS);
    StringBuilder dump = new StringBuilder();
    for (String table :
        List.of(
            "citizens",
            "channel_identities",
            "identity_verifications",
            "revoked_sessions",
            "audit_log")) {
      for (Row row :
          gateway
              .database()
              .pool()
              .query("SELECT row_to_json(t)::text AS j FROM " + table + " t")
              .execute()
              .await()) {
        dump.append(row.getString("j")).append('\n');
      }
    }
    assertThat(dump.toString()).contains("c_").contains("identity.bind");
    for (String s : secrets) {
      assertThat(dump.toString()).as("plaintext in the database").doesNotContain(s);
      assertThat(logged.toString()).as("plaintext in the logs").doesNotContain(s);
      if (s.length() < 40) {
        assertThat(payload(t1).encode() + payload(t2).encode())
            .as("plaintext in a token")
            .doesNotContain(s);
      }
    }
  }
}
