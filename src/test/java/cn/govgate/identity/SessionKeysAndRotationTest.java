package cn.govgate.identity;

import static cn.govgate.identity.IdentityTestBed.bearer;
import static cn.govgate.identity.IdentityTestBed.me;
import static cn.govgate.identity.IdentityTestBed.payload;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.app.MainAccess;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Session tokens under attack and under rotation, revocation across instances sharing a database,
 * data-key rotation with the {@code reencrypt} command, and the audit chain check over identity
 * records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionKeysAndRotationTest {
  private static final ApiContract API = ApiContract.of("gateway-api.yaml");

  private IdentityTestBed bed;
  private Map<String, String> settings;
  private Gateway a;
  private byte[] k1;

  @BeforeAll
  void startGateway() throws Exception {
    bed = new IdentityTestBed(10, 99);
    settings = bed.settings();
    k1 = Base64.getDecoder().decode(settings.get("identity.sessionKeys").substring(3));
    a = TestGateways.start(settings);
  }

  @AfterAll
  void stopGateway() throws Exception {
    TestGateways.stop(a);
    bed.close();
  }

  private String mint(String alg, String kid, byte[] key, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt =
        new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.parse(alg)).keyID(kid).build(), claims);
    jwt.sign(new MACSigner(key));
    return jwt.serialize();
  }

  /**
   * Claims as the gateway would issue them for an unbound user, with the given audience and expiry.
   */
  private JWTClaimsSet.Builder claims(String aud, Instant exp) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer("govgate")
        .audience(aud)
        .subject("ci_x")
        .jwtID("j" + System.nanoTime())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(exp))
        .claim("acr", "L1")
        .claim("amr", List.of("channel"))
        .claim("auth_time", now.getEpochSecond())
        .claim("cid", "ci_x")
        .claim("chn", "wechat")
        .claim("app", "wx");
  }

  private int status(String token) {
    HttpResponse<String> r = me(a, token);
    if (r.statusCode() == 401) {
      API.assertValid("getMe", r);
      assertThat(Http.json(r).getString("code")).isEqualTo("auth.invalid_token");
    }
    return r.statusCode();
  }

  @Test
  void aWellFormedTokenIsAcceptedAndEveryForgeryRefused() throws Exception {
    Instant later = Instant.now().plusSeconds(600);
    assertThat(status(mint("HS256", "s1", k1, claims("govgate-citizen", later).build())))
        .as("the control: a correctly minted token works")
        .isEqualTo(200);

    assertThat(status(mint("HS256", "s1", k1, claims("someone-else", later).build())))
        .as("wrong aud")
        .isEqualTo(401);
    assertThat(
            status(
                mint(
                    "HS256",
                    "s1",
                    k1,
                    claims("govgate-citizen", Instant.now().minusSeconds(5)).build())))
        .as("expired")
        .isEqualTo(401);
    assertThat(
            status(
                mint("HS256", "s1", k1, claims("govgate-citizen", later).issuer("evil").build())))
        .as("wrong iss")
        .isEqualTo(401);
    byte[] other = new byte[32];
    new java.security.SecureRandom().nextBytes(other);
    assertThat(status(mint("HS256", "s1", other, claims("govgate-citizen", later).build())))
        .as("right kid, wrong key")
        .isEqualTo(401);
    assertThat(status(mint("HS256", "s9", k1, claims("govgate-citizen", later).build())))
        .as("unknown kid")
        .isEqualTo(401);

    String good = bed.wechatToken(a, bed.wechatUser(bed.people.get(0)));
    String[] parts = good.split("\\.");
    JsonObject body = payload(good).put("acr", "L3");
    String tampered = parts[0] + "." + b64(body.encode()) + "." + parts[2];
    assertThat(status(tampered)).as("tampered payload").isEqualTo(401);
    String none = b64("{\"alg\":\"none\",\"kid\":\"s1\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
    assertThat(status(none)).as("alg none").isEqualTo(401);
    assertThat(status(b64("{\"alg\":\"none\"}") + "." + parts[1] + "."))
        .as("alg none, no kid")
        .isEqualTo(401);
    String esHeader = b64("{\"alg\":\"ES256\",\"kid\":\"s1\",\"typ\":\"JWT\"}");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(k1, "HmacSHA256"));
    String confused =
        esHeader
            + "."
            + parts[1]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    mac.doFinal((esHeader + "." + parts[1]).getBytes(StandardCharsets.US_ASCII)));
    assertThat(status(confused)).as("ES256 header, HMAC key as the 'public key'").isEqualTo(401);
    assertThat(status("garbage")).isEqualTo(401);
    assertThat(Http.get(a.baseUrl() + "/v1/me").statusCode()).as("no token").isEqualTo(401);
    assertThat(status(good)).isEqualTo(200);
  }

  @Test
  void onlyTheExactCompactFormIsAccepted() {
    String good = bed.wechatToken(a, bed.wechatUser(bed.people.get(6)));
    assertThat(status(good)).as("the control").isEqualTo(200);
    for (String bent :
        List.of(
            good + ".",
            good + "..",
            " " + good,
            "  " + good,
            "\t" + good,
            good + " .",
            good + "=",
            good.replaceFirst("\\.", ". "))) {
      HttpResponse<String> r =
          Http.get(a.baseUrl() + "/v1/me", Map.of("Authorization", "Bearer " + bent));
      assertThat(r.statusCode()).as("'%s'", bent.replace(good, "<token>")).isEqualTo(401);
      assertThat(Http.json(r).getString("code")).isEqualTo("auth.invalid_token");
    }
  }

  @Test
  void aLifetimeBeyondTheSessionTtlIsRefused() throws Exception {
    Instant now = Instant.now();
    assertThat(
            status(
                mint(
                    "HS256",
                    "s1",
                    k1,
                    claims("govgate-citizen", now.plus(Duration.ofMinutes(15))).build())))
        .as("the control: exactly the TTL")
        .isEqualTo(200);
    assertThat(
            status(
                mint(
                    "HS256",
                    "s1",
                    k1,
                    claims("govgate-citizen", now.plus(Duration.ofDays(3650))).build())))
        .as("ten years")
        .isEqualTo(401);
    assertThat(
            status(
                mint(
                    "HS256",
                    "s1",
                    k1,
                    claims("govgate-citizen", now.plus(Duration.ofMinutes(16))).build())))
        .as("a minute more than the TTL")
        .isEqualTo(401);
    assertThat(
            status(
                mint(
                    "HS256",
                    "s1",
                    k1,
                    claims("govgate-citizen", now.plus(Duration.ofHours(2)))
                        .issueTime(
                            Date.from(now.plus(Duration.ofHours(2)).minus(Duration.ofMinutes(15))))
                        .build())))
        .as("issued in the future so that iat + TTL reaches far")
        .isEqualTo(401);
  }

  @Test
  void claimsOfTheWrongTypeAre401NotAServerError() throws Exception {
    Instant now = Instant.now();
    JsonObject good =
        new JsonObject(claims("govgate-citizen", now.plusSeconds(600)).build().toJSONObject());
    assertThat(status(signed(good))).as("the control").isEqualTo(200);
    for (String claim :
        List.of("exp", "iat", "auth_time", "face_time", "acr", "amr", "sub", "cid", "jti", "chn")) {
      Object wrong =
          claim.equals("exp") || claim.equals("iat") || claim.endsWith("_time")
              ? String.valueOf(now.plusSeconds(600).getEpochSecond())
              : (Object) 42;
      assertThat(status(signed(good.copy().put(claim, wrong))))
          .as(claim + " of the wrong type")
          .isEqualTo(401);
      if (!"face_time".equals(claim)) {
        JsonObject absent = good.copy();
        absent.remove(claim);
        assertThat(status(signed(absent))).as(claim + " missing").isEqualTo(401);
      }
    }
  }

  @Test
  void inconsistentClaimsAreRefusedEverywhere() throws Exception {
    SyntheticCitizen p = bed.people.get(7);
    String l3 = bed.wechatToL3(a, bed.wechatUser(p), p);
    assertThat(status(l3)).as("the control").isEqualTo(200);
    JsonObject claims = payload(l3);
    assertThat(status(resign(l3, claims.copy().put("acr", "L3").putNull("face_time"))))
        .as("L3 without face_time")
        .isEqualTo(401);
    JsonObject noFace = claims.copy();
    noFace.remove("face_time");
    assertThat(status(resign(l3, noFace))).as("L3 without face_time").isEqualTo(401);
    assertThat(status(resign(l3, claims.copy().put("acr", "L2"))))
        .as("L2 with a face time")
        .isEqualTo(401);
    assertThat(
            status(
                resign(
                    l3,
                    claims.copy().put("amr", new io.vertx.core.json.JsonArray().add("channel")))))
        .as("L3 with amr [channel]")
        .isEqualTo(401);
    assertThat(status(resign(l3, claims.copy().put("cid", claims.getString("sub")))))
        .as("L3 but unbound")
        .isEqualTo(401);
    assertThat(status(resign(l3, claims.copy().put("face_time", claims.getLong("iat") + 3600))))
        .as("a face check after the token was issued")
        .isEqualTo(401);
    // The same token on a route with an assurance gate: the one claim check runs before any route's
    // own checks.
    HttpResponse<String> account =
        Http.get(
            a.baseUrl() + "/v1/social-security/account?region=330100", bearer(resign(l3, noFace)));
    assertThat(account.statusCode()).isEqualTo(401);
  }

  /**
   * The token with its payload replaced, signed again with the real session key (an insider's
   * forgery test).
   */
  private String resign(String token, JsonObject payload) {
    return sign(token.split("\\.")[0], payload);
  }

  /** A token of exactly this payload under the real session key. */
  private String signed(JsonObject payload) {
    return sign(b64("{\"alg\":\"HS256\",\"kid\":\"s1\",\"typ\":\"JWT\"}"), payload);
  }

  private String sign(String header, JsonObject payload) {
    String signingInput = header + "." + b64(payload.encode());
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(k1, "HmacSHA256"));
      return signingInput
          + "."
          + Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aTokenIssuedByTheGatewayExpires() {
    SessionTokens past =
        SessionTokens.create(
            a.config().identity(), Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-16)));
    SessionTokens.Issued old =
        past.issue(
            new SessionTokens.Grant(
                "ci_old",
                null,
                Level.L1,
                cn.govgate.channel.spi.Channel.WECHAT,
                IdentityTestBed.WECHAT_APP,
                Instant.now().minusSeconds(960),
                null));
    assertThat(status(old.token())).isEqualTo(401);
  }

  @Test
  void keysRotateWithoutLoggingAnyoneOutAndRowsStayReadableThroughReencryption() throws Exception {
    SyntheticCitizen p = bed.people.get(1);
    String openid = bed.wechatUser(p);
    String oldToken = bed.wechatToL3(a, openid, p);
    String k2 = TestGateways.randomKey(32);
    // The key list that seals in the profile under test: the AES data keys, or the SM4 data keys
    // (until now the one generated at first start, g1).
    boolean sm4 = TestGateways.profile().equals("shangmi");
    String keyList = sm4 ? "identity.sm4DataKeys" : "identity.dataKeys";
    String oldKid = sm4 ? "g1" : "d1";
    String d1 =
        sm4
            ? "g1:file:"
                + java.nio.file.Path.of(settings.get("dataDir")).resolve("keys/sm4-data-g1.key")
            : settings.get("identity.dataKeys");
    String d2 = "d2:" + TestGateways.randomKey(sm4 ? 16 : 32);
    Map<String, String> rotated =
        TestGateways.with(
            settings,
            "identity.sessionKeys",
            "s2:" + k2 + "," + settings.get("identity.sessionKeys"),
            keyList,
            d2 + "," + d1);
    Gateway b = TestGateways.start(rotated);
    try {
      // The old token (kid s1) still works on the rotated instance; old rows decrypt there.
      HttpResponse<String> viaB = me(b, oldToken);
      assertThat(viaB.statusCode()).isEqualTo(200);
      assertThat(Http.json(viaB).getString("idNumber")).isEqualTo(IdNumber.mask(p.idNumber()));
      // New tokens are signed with the new key, which the old instance does not know.
      String newToken = bed.wechatToken(b, openid);
      assertThat(header(newToken).getString("kid")).isEqualTo("s2");
      assertThat(me(b, newToken).statusCode()).isEqualTo(200);
      assertThat(status(newToken)).isEqualTo(401);
      // A citizen created on the rotated instance is sealed under the new data key.
      SyntheticCitizen q = bed.people.get(2);
      bed.alipayToL3(b, bed.alipayUser(q, false), q);
      assertThat(keyIds()).contains(ref(oldKid), ref("d2"));
    } finally {
      TestGateways.stop(b);
    }

    CommandOutput re = command("reencrypt", rotated);
    assertThat(re.code()).as(re.stdout()).isZero();
    assertThat(re.stdout()).contains("with data key " + ref("d2"));
    assertThat(keyIds()).containsOnly(ref("d2"));

    // The old keys retired: old tokens refused, every row readable with the new key alone.
    Map<String, String> retired =
        TestGateways.with(settings, "identity.sessionKeys", "s2:" + k2, keyList, d2);
    Gateway c = TestGateways.start(retired);
    try {
      assertThat(me(c, oldToken).statusCode()).as("retired key").isEqualTo(401);
      String fresh = bed.wechatToken(c, openid);
      HttpResponse<String> m = me(c, fresh);
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(Http.json(m).getString("name")).isEqualTo(Masking.maskName(p.name()));
      for (Row row :
          c.database().pool().query("SELECT citizen_key FROM citizens").execute().await()) {
        Citizen citizen =
            c.identity()
                .directory()
                .resolve(row.getString("citizen_key"))
                .await(10, TimeUnit.SECONDS);
        assertThat(IdNumber.validate(citizen.idNumber()).valid()).isTrue();
      }
    } finally {
      TestGateways.stop(c);
    }
  }

  @Test
  void aRevokedTokenIsRefusedByAnotherInstanceSharingTheDatabase() throws Exception {
    Gateway b = TestGateways.start(settings);
    try {
      String token = bed.alipayToken(a, bed.alipayUser(bed.people.get(3), false));
      assertThat(me(b, token).statusCode()).isEqualTo(200);
      assertThat(
              Http.send("DELETE", a.baseUrl() + "/v1/sessions/current", null, bearer(token))
                  .statusCode())
          .isEqualTo(204);
      assertThat(eventually(() -> me(b, token).statusCode() == 401)).as("LISTEN/NOTIFY").isTrue();

      // The poll catches a revocation whose notification was lost.
      String other = bed.alipayToken(a, bed.alipayUser(bed.people.get(4), false));
      assertThat(me(b, other).statusCode()).isEqualTo(200);
      JsonObject claims = payload(other);
      b.database()
          .pool()
          .preparedQuery(
              "INSERT INTO revoked_sessions (jti, expires_at) VALUES ($1, now() + "
                  + "interval '10 minutes')")
          .execute(Tuple.of(claims.getString("jti")))
          .await(10, TimeUnit.SECONDS);
      assertThat(eventually(() -> me(b, other).statusCode() == 401)).as("poll").isTrue();
    } finally {
      TestGateways.stop(b);
    }
  }

  @Test
  void anAlteredIdentityAuditRecordIsReportedByTheCheckCommand() throws Exception {
    bed.alipayToken(a, bed.alipayUser(bed.people.get(5), false));
    a.audit().flush().await(10, TimeUnit.SECONDS);
    assertThat(command("audit-check", settings).code()).isZero();
    // Someone with the database owner's rights goes around the append-only trigger.
    a.database()
        .pool()
        .query("ALTER TABLE audit_log DISABLE TRIGGER USER")
        .execute()
        .await(10, TimeUnit.SECONDS);
    a.database()
        .pool()
        .query(
            "UPDATE audit_log SET outcome = 'failure' WHERE seq = "
                + "(SELECT max(seq) FROM audit_log WHERE action = 'identity.login' AND outcome = 'success')")
        .execute()
        .await(10, TimeUnit.SECONDS);
    CommandOutput broken = command("audit-check", settings);
    assertThat(broken.code()).isEqualTo(3);
    assertThat(broken.stdout()).contains("BROKEN");
    // put it back for the other tests of this class
    a.database()
        .pool()
        .query(
            "UPDATE audit_log SET outcome = 'success' WHERE seq = "
                + "(SELECT max(seq) FROM audit_log WHERE action = 'identity.login' AND outcome = 'failure')")
        .execute()
        .await(10, TimeUnit.SECONDS);
    a.database()
        .pool()
        .query("ALTER TABLE audit_log ENABLE TRIGGER USER")
        .execute()
        .await(10, TimeUnit.SECONDS);
  }

  /**
   * The key reference rows sealed under data key {@code kid} carry in the profile under test (SM4
   * data keys are their own: {@code sm4k:}).
   */
  private static String ref(String kid) {
    return TestGateways.profile().equals("shangmi") ? "sm4k:" + kid : kid;
  }

  private List<String> keyIds() {
    List<String> ids = new java.util.ArrayList<>();
    for (String table : List.of("citizens", "channel_identities", "identity_verifications")) {
      for (Row r :
          a.database().pool().query("SELECT DISTINCT key_id FROM " + table).execute().await()) {
        ids.add(r.getString("key_id"));
      }
    }
    return ids;
  }

  private static JsonObject header(String jwt) {
    return new JsonObject(
        new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8));
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean eventually(java.util.function.BooleanSupplier check)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until) {
      if (check.getAsBoolean()) return true;
      Thread.sleep(100);
    }
    return false;
  }

  private record CommandOutput(int code, String stdout) {}

  private static synchronized CommandOutput command(String name, Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    settings.forEach((k, v) -> env.put("GOVGATE_" + k.replace('.', '_').toUpperCase(), v));
    PrintStream original = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int code = MainAccess.run(new String[] {name}, env, System.err);
      return new CommandOutput(code, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }
}
