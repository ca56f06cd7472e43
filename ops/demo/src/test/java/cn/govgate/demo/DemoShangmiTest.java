package cn.govgate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentSimulator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.jcajce.spec.SM2ParameterSpec;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.jce.spec.ECPublicKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's "done when": the demo, started as the README starts it in the {@code shangmi} profile
 * ({@code GOVGATE_CRYPTO_PROFILE=shangmi}), protects every personal datum with SM algorithms. A
 * test citizen walks the public APIs (login on both channels, L3, a social-security read, a
 * housing-fund proof issued and verified, a complaint the department answers, a reminder, a payment
 * order); then the demo's own PostgreSQL is read over JDBC and every protection is checked
 * <em>independently of the gateway's code</em>, with Bouncy Castle directly: each sealed column
 * opens as SM4-GCM under the generated SM4 data key (and its purpose as associated data), each
 * blind index is the HMAC-SM3 of its value, backend secrets open as SM4-GCM under the registry's
 * SM4 key, every audit record names HMAC-SM3 and the operator's {@code audit-check} finds the chain
 * intact, the proof is SM3withSM2 under the SM2 key {@code /.well-known/jwks.json} publishes,
 * department requests were signed with HMAC-SM3 — and no table holds the citizen's ID number, name,
 * channel user ids or complaint text in clear, nor any AES-format value.
 */
class DemoShangmiTest {
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();
  private static final String HANGZHOU = SyntheticCitizens.HANGZHOU;
  private static final String COMPLAINT = "违法地点与实际不符，请核实监控位置";
  private static final String REPLY = "已核实，罚单地点无误，详见处罚决定书。";
  private static final String TRANSFER = "缴费基数问题请向社保经办机构咨询";

  /** The purposes (associated data) the gateway seals each column with, as it documents them. */
  private static final Map<String, String> SEALED = new LinkedHashMap<>();

  static {
    SEALED.put("citizens.id_number_enc", "citizens.id_number");
    SEALED.put("citizens.name_enc", "citizens.name");
    SEALED.put("channel_identities.subject_enc", "channel_identities.subject");
    SEALED.put("identity_verifications.claimed_enc", "identity_verifications.claim");
    SEALED.put("complaints.text_enc", "complaints.text");
    SEALED.put("complaints.reply_enc", "complaints.reply");
    SEALED.put("complaint_events.reason_enc", "complaints.transfer_reason");
    SEALED.put("reminders.fields_enc", "reminders.fields");
  }

  private static Path dataDir;
  private static Demo demo;
  private static JsonObject manifest;
  private static JsonObject person;
  private static String proof;

  @BeforeAll
  static void startAndWalkThePublicApis() throws Exception {
    dataDir = Files.createTempDirectory("govgate-demo-shangmi");
    demo =
        Demo.start(
                ConfigValues.of(
                    Map.of(
                        "dataDir",
                        dataDir.toString(),
                        "crypto.profile",
                        "shangmi",
                        "http.port",
                        "0",
                        "http.instances",
                        "1",
                        "http.shutdownGrace",
                        "1s",
                        "demo.citizens",
                        "40")))
            .await(3, TimeUnit.MINUTES);
    manifest = new JsonObject(Files.readString(dataDir.resolve("demo-manifest.json")));
    person = finedCitizen();

    String alipay = l3("alipay", person);
    String wechat = l3("wechat", person);
    assertThat(subject(alipay)).isEqualTo(subject(wechat));

    HttpResponse<String> account =
        Http.get(gateway() + "/v1/social-security/account?region=" + HANGZHOU, bearer(wechat));
    assertThat(account.statusCode()).as(account.body()).isEqualTo(200);

    HttpResponse<String> issued =
        Http.post(
            gateway() + "/v1/housing-fund/proofs",
            new JsonObject()
                .put("region", HANGZHOU)
                .put("purpose", "子女入学")
                .put("validDays", 15)
                .encode(),
            bearer(alipay));
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    proof = Http.json(issued).getString("proof");

    // A complaint, answered by the department with a credential the operator issued it.
    HttpResponse<String> filed =
        Http.post(
            gateway() + "/v1/complaints",
            new JsonObject()
                .put("kind", "complaint")
                .put("serviceType", "traffic.fines")
                .put("region", HANGZHOU)
                .put("text", COMPLAINT)
                .encode(),
            Map.of("Authorization", "Bearer " + alipay, "Idempotency-Key", "complaint-0001"));
    assertThat(filed.statusCode()).as(filed.body()).isEqualTo(201);
    String police = Http.json(filed).getString("departmentId");
    String credential =
        "Bearer "
            + Http.json(
                    Http.post(
                        gateway() + "/admin/v1/departments/" + police + "/credentials",
                        null,
                        Map.of("Authorization", operator())))
                .getString("token");
    HttpResponse<String> reply =
        Http.post(
            gateway()
                + "/admin/v1/departments/"
                + police
                + "/complaints/"
                + Http.json(filed).getString("id")
                + "/reply",
            new JsonObject().put("reply", REPLY).encode(),
            Map.of("Authorization", credential));
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    // A consultation the police pass on to the social-security department, with their reason.
    HttpResponse<String> asked =
        Http.post(
            gateway() + "/v1/complaints",
            new JsonObject()
                .put("kind", "consultation")
                .put("serviceType", "traffic.fines")
                .put("region", HANGZHOU)
                .put("text", "罚款能否从社保卡扣缴？")
                .encode(),
            Map.of("Authorization", "Bearer " + wechat, "Idempotency-Key", "consultation-0001"));
    assertThat(asked.statusCode()).as(asked.body()).isEqualTo(201);
    String socialSecurity =
        manifest.getJsonArray("departments").stream()
            .map(JsonObject.class::cast)
            .filter(
                d ->
                    d.getString("kind").equals("social-security")
                        && d.getString("region").equals(HANGZHOU))
            .findFirst()
            .orElseThrow()
            .getString("department");
    HttpResponse<String> transferred =
        Http.post(
            gateway()
                + "/admin/v1/departments/"
                + police
                + "/complaints/"
                + Http.json(asked).getString("id")
                + "/transfer",
            new JsonObject().put("toDepartment", socialSecurity).put("reason", TRANSFER).encode(),
            Map.of("Authorization", credential));
    assertThat(transferred.statusCode()).as(transferred.body()).isEqualTo(200);

    // A reminder of the unpaid fine through WeChat (its fields are sealed at rest).
    JsonObject wx = manifest.getJsonObject("channels").getJsonObject("wechat");
    String template = DemoChannels.WECHAT_TEMPLATES.get("traffic_fine").split(":")[0];
    Http.post(
        wx.getString("controlUrl") + "/subscribe/request",
        new JsonObject()
            .put("appId", DemoChannels.WECHAT_APP_ID)
            .put("openid", person.getString("wechatOpenid"))
            .put("choices", new JsonObject().put(template, "accept"))
            .encode());
    HttpResponse<String> subscribed =
        Http.post(
            gateway() + "/v1/reminders/subscriptions",
            new JsonObject()
                .put("topic", "traffic_fine")
                .put("templateId", template)
                .put("region", HANGZHOU)
                .encode(),
            bearer(wechat));
    assertThat(subscribed.statusCode()).as(subscribed.body()).isEqualTo(201);
    demo.gateway().reminders().findDue().await(30, TimeUnit.SECONDS);
    demo.gateway().reminders().sendDue().await(30, TimeUnit.SECONDS);

    // A payment order: the payer is kept only as a blind index.
    JsonObject fine = person.getJsonObject("payableFine");
    assertThat(fine).as("the fined citizen's payable fine in the manifest").isNotNull();
    HttpResponse<String> order =
        Http.post(
            gateway() + "/v1/payments",
            new JsonObject()
                .put("billType", "traffic_fine")
                .put("region", HANGZHOU)
                .put("decisionNumber", fine.getString("decisionNumber"))
                .encode(),
            Map.of(
                "Authorization",
                "Bearer " + alipay,
                "Idempotency-Key",
                UUID.randomUUID().toString()));
    assertThat(order.statusCode()).as(order.body()).isEqualTo(201);
  }

  @AfterAll
  static void stop() throws Exception {
    if (demo != null) demo.stop().await(1, TimeUnit.MINUTES);
  }

  @Test
  void theProofIsSm3WithSm2UnderThePublishedSm2KeyAndVerifies() throws Exception {
    String[] parts = proof.split("\\.");
    JsonObject header = new JsonObject(b64url(parts[0]));
    assertThat(header.getString("alg")).isEqualTo("SM3withSM2");
    JsonArray keys = Http.json(Http.get(gateway() + "/.well-known/jwks.json")).getJsonArray("keys");
    JsonObject jwk = keys.getJsonObject(0);
    assertThat(jwk.getString("crv")).isEqualTo("SM2");
    assertThat(jwk.getString("kid")).isEqualTo(header.getString("kid"));
    byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    byte[] rs = Base64.getUrlDecoder().decode(parts[2]);
    assertThat(sm2Verifies(sm2Key(jwk), input, rs)).isTrue();
    input[parts[0].length() + 3] ^= 1;
    assertThat(sm2Verifies(sm2Key(jwk), input, rs)).isFalse();

    HttpResponse<String> verdict =
        Http.post(gateway() + "/v1/proofs/verify", new JsonObject().put("proof", proof).encode());
    assertThat(verdict.statusCode()).as(verdict.body()).isEqualTo(200);
    assertThat(Http.json(verdict).getBoolean("valid")).isTrue();
    // The proof names its holder masked only.
    String claims = b64url(parts[1]);
    assertThat(claims)
        .doesNotContain(person.getString("idNumber"))
        .doesNotContain(person.getString("name"));
  }

  @Test
  void departmentRequestsWereSignedWithHmacSm3Only() {
    java.util.Set<String> seen = new java.util.TreeSet<>();
    int signed = 0;
    for (DepartmentSimulator s : demo.departments().simulators()) {
      seen.addAll(s.signatureAlgorithmsSeen());
      if (!s.signatureAlgorithmsSeen().isEmpty()) signed++;
    }
    // social security, housing fund and traffic police of Hangzhou at least
    assertThat(signed).isGreaterThanOrEqualTo(3);
    assertThat(seen).containsExactly("HMAC-SM3");
  }

  @Test
  void everySealedColumnOpensAsSm4GcmUnderTheGeneratedSm4DataKey() throws Exception {
    GovgateConfig config = demo.gateway().config();
    assertThat(config.identity().sm4DataKeys()).hasSize(1);
    String kid = config.identity().sm4DataKeys().get(0).id();
    byte[] key = config.identity().sm4DataKeys().get(0).key();
    assertThat(key).hasSize(16);
    assertThat(dataDir.resolve("keys").resolve("sm4-data-" + kid + ".key")).exists();
    Map<String, Integer> counted = new LinkedHashMap<>();
    Map<String, List<String>> opened = new LinkedHashMap<>();
    try (Connection db = database()) {
      for (Map.Entry<String, String> column : SEALED.entrySet()) {
        String[] tc = column.getKey().split("\\.");
        List<String> values = strings(db, "SELECT " + tc[1] + " FROM " + tc[0]);
        List<String> plain = new ArrayList<>();
        for (String v : values) {
          if (v == null) continue;
          assertThat(v).as(column.getKey()).startsWith("sm4k:" + kid + ":");
          plain.add(sm4Open(key, column.getValue(), v.substring(("sm4k:" + kid + ":").length())));
        }
        counted.put(column.getKey(), plain.size());
        opened.put(column.getKey(), plain);
      }
      for (String table : List.of("citizens", "channel_identities", "identity_verifications")) {
        assertThat(strings(db, "SELECT DISTINCT key_id FROM " + table))
            .as(table + ".key_id")
            .containsExactly("sm4k:" + kid);
      }
    }
    // Every sealed column of this walk holds values (none of the checks above is vacuous) …
    assertThat(counted).allSatisfy((column, n) -> assertThat(n).as(column).isPositive());
    // … and they open to what the citizen gave.
    assertThat(opened.get("citizens.id_number_enc")).contains(person.getString("idNumber"));
    assertThat(opened.get("citizens.name_enc")).contains(person.getString("name"));
    assertThat(opened.get("channel_identities.subject_enc"))
        .contains(person.getString("alipayUserId"), person.getString("wechatOpenid"));
    assertThat(opened.get("complaints.text_enc")).contains(COMPLAINT);
    assertThat(opened.get("complaints.reply_enc")).containsExactly(REPLY);
    assertThat(opened.get("complaint_events.reason_enc")).containsExactly(TRANSFER);
  }

  @Test
  void everyBlindIndexIsTheHmacSm3OfItsValue() throws Exception {
    byte[] key = demo.gateway().config().identity().blindIndexKey();
    String id = person.getString("idNumber").toUpperCase(java.util.Locale.ROOT);
    try (Connection db = database()) {
      List<String> citizens = strings(db, "SELECT id_index FROM citizens");
      assertThat(citizens).isNotEmpty().allSatisfy(v -> assertThat(v).startsWith("sm3:"));
      assertThat(citizens).contains(hmacSm3(key, "id_number", id));

      // (the demo's partner consent verified another citizen at start)
      assertThat(strings(db, "SELECT claimed_index FROM identity_verifications"))
          .allSatisfy(v -> assertThat(v).startsWith("sm3:"))
          .contains(hmacSm3(key, "id_number", id));

      String alipayIndex =
          hmacSm3(
              key,
              "subject:alipay:" + DemoChannels.ALIPAY_APP_ID,
              person.getString("alipayUserId"));
      String wechatIndex =
          hmacSm3(
              key,
              "subject:wechat:" + DemoChannels.WECHAT_APP_ID,
              person.getString("wechatOpenid"));
      assertThat(strings(db, "SELECT subject_index FROM channel_identities"))
          .allSatisfy(v -> assertThat(v).startsWith("sm3:"))
          .contains(alipayIndex, wechatIndex);
      // What Alipay asserts about its certified user, compared without being kept.
      assertThat(
              strings(
                  db,
                  "SELECT realname_index FROM channel_identities WHERE realname_index IS NOT NULL"))
          .allSatisfy(v -> assertThat(v).startsWith("sm3:"))
          .contains(hmacSm3(key, "id_number", id));
      assertThat(
              strings(
                  db,
                  "SELECT realname_name_mac FROM channel_identities"
                      + " WHERE realname_name_mac IS NOT NULL"))
          .allSatisfy(v -> assertThat(v).startsWith("sm3:"))
          .contains(hmacSm3(key, "name", person.getString("name")));

      // A complaint's fingerprint (idempotent retries) is keyed too: no digest of its text.
      String complaint =
          "9:complaint13:traffic.fines6:"
              + HANGZHOU
              + COMPLAINT.getBytes(StandardCharsets.UTF_8).length
              + ":"
              + COMPLAINT
              + "0:";
      assertThat(strings(db, "SELECT request_hash FROM complaints"))
          .allSatisfy(v -> assertThat(v).startsWith("sm3:"))
          .contains(hmacSm3(key, "complaints.request", complaint));

      assertThat(strings(db, "SELECT payer_index FROM payment_orders"))
          .isNotEmpty()
          .allSatisfy(
              v ->
                  assertThat(v)
                      .isEqualTo(
                          hmacSm3(key, "payment_orders.payer", person.getString("alipayUserId"))));
    }
  }

  @Test
  void backendSecretsAreSealedWithSm4UnderTheRegistrysOwnKey() throws Exception {
    byte[] key = demo.gateway().config().registry().sm4SecretKey();
    assertThat(key).hasSize(16);
    try (Connection db = database();
        PreparedStatement q =
            db.prepareStatement(
                "SELECT id, auth_secret FROM backends WHERE auth_secret IS NOT NULL");
        ResultSet rs = q.executeQuery()) {
      int n = 0;
      while (rs.next()) {
        String sealed = rs.getString(2);
        assertThat(sealed).startsWith("sm4k:");
        JsonObject secret = new JsonObject(sm4Open(key, rs.getString(1), sealed.substring(5)));
        assertThat(secret).isNotEmpty();
        n++;
      }
      assertThat(n).as("the eight demo departments' backends").isGreaterThanOrEqualTo(8);
    }
  }

  @Test
  void everyAuditRecordIsHmacSm3AndTheOperatorsAuditCheckFindsTheChainIntact() throws Exception {
    try (Connection db = database()) {
      assertThat(
              strings(
                  db, "SELECT DISTINCT coalesce(hash_alg, 'NULL = HMAC-SHA256') FROM audit_log"))
          .containsExactly("HMAC-SM3");
    }
    // The operator's command, in its own JVM, against the demo's database and key files.
    Properties settings = new Properties();
    settings.putAll(DemoKeys.in(dataDir).gatewaySettings());
    JsonObject db = manifest.getJsonObject("database");
    settings.put("db.host", db.getString("host"));
    settings.put("db.port", db.getInteger("port").toString());
    settings.put("db.database", db.getString("database"));
    settings.put("db.user", db.getString("user"));
    settings.put("dataDir", dataDir.toString());
    settings.put("crypto.profile", "shangmi");
    Path file = dataDir.resolve("operator.properties");
    try (var out = Files.newBufferedWriter(file)) {
      settings.store(out, null);
    }
    Process check =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty(
                    "surefire.test.class.path", System.getProperty("java.class.path")),
                "cn.govgate.app.Main",
                "audit-check",
                "--config",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(check.exitValue()).as(out).isZero();
    assertThat(out).contains("audit chain intact");
  }

  @Test
  void noTableHoldsThePersonalDataInClearNorAnyAesSealedValue() throws Exception {
    String dataKeyId = demo.gateway().config().identity().dataKeys().get(0).id();
    List<String> secrets =
        List.of(
            person.getString("idNumber"),
            person.getString("idNumber").toLowerCase(java.util.Locale.ROOT),
            person.getString("name"),
            person.getString("alipayUserId"),
            person.getString("wechatOpenid"),
            COMPLAINT,
            REPLY,
            TRANSFER);
    try (Connection db = database()) {
      List<String> tables =
          strings(
              db,
              "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)"
                  + " FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
                  + " AND table_schema NOT IN ('pg_catalog', 'information_schema')");
      assertThat(tables).contains("public.citizens", "public.audit_log_default");
      for (String table : tables) {
        for (String secret : secrets) {
          assertThat(count(db, table, secret)).as(table + " holds a personal datum").isZero();
          // bytea columns show as hex in a row's text
          assertThat(
                  count(
                      db, table, HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8))))
              .as(table + " holds a personal datum as bytes")
              .isZero();
        }
        // AES-256-GCM values are "<data key id>:…", the earlier derived SM4 ones "sm4:<id>:…"
        // (backend secrets: checked above, column by column).
        assertThat(count(db, table, dataKeyId + ":")).as(table + " holds an AES value").isZero();
      }
    }
  }

  // ---------- the citizen's way through the public APIs ----------

  private static JsonObject finedCitizen() throws Exception {
    JsonArray people = manifest.getJsonObject("channels").getJsonArray("testCitizens");
    JsonArray asked = new JsonArray();
    for (int i = 0; i < people.size(); i++) {
      JsonObject p = people.getJsonObject(i);
      if (!p.getString("region").equals(HANGZHOU) || !p.containsKey("payableFine")) continue;
      asked.add(
          new JsonObject()
              .put("ref", Integer.toString(i))
              .put("idNumber", p.getString("idNumber"))
              .put("name", p.getString("name")));
    }
    JsonObject due =
        demo.gateway()
            .departments()
            .call(
                "traffic.due-fines",
                HANGZHOU,
                null,
                new JsonObject().put("dueBefore", "2100-01-01").put("citizens", asked),
                "demo-shangmi-find",
                false)
            .await(30, TimeUnit.SECONDS)
            .data();
    assertThat(due.getJsonArray("items")).isNotEmpty();
    return people.getJsonObject(
        Integer.parseInt(due.getJsonArray("items").getJsonObject(0).getString("ref")));
  }

  /** Login on {@code channel}, real name and face: an L3 token. */
  private static String l3(String channel, JsonObject who) {
    JsonObject ch = manifest.getJsonObject("channels").getJsonObject(channel);
    boolean alipay = channel.equals("alipay");
    String userField = alipay ? "userId" : "openid";
    String user = who.getString(alipay ? "alipayUserId" : "wechatOpenid");
    JsonObject code =
        Http.json(
            Http.post(
                ch.getString("controlUrl") + "/auth-codes",
                new JsonObject()
                    .put("appId", ch.getString("appId"))
                    .put(userField, user)
                    .encode()));
    HttpResponse<String> login =
        Http.post(
            gateway() + "/v1/sessions",
            new JsonObject()
                .put("channel", channel)
                .put("appId", ch.getString("appId"))
                .put("authCode", code.getString(alipay ? "authCode" : "code"))
                .encode());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(201);
    String token = Http.json(login).getString("token");
    HttpResponse<String> v =
        Http.post(
            gateway() + "/v1/identity/verifications",
            new JsonObject()
                .put("name", who.getString("name"))
                .put("idNumber", who.getString("idNumber"))
                .encode(),
            bearer(token));
    assertThat(v.statusCode()).as(v.body()).isEqualTo(201);
    JsonObject started = Http.json(v);
    String ref = alipay ? "certifyId" : "verifyId";
    Http.post(
        ch.getString("controlUrl") + "/face/perform",
        new JsonObject()
            .put(ref, started.getJsonObject("clientParams").getString(ref))
            .put(userField, user)
            .encode());
    HttpResponse<String> done =
        Http.send(
            "POST",
            gateway()
                + "/v1/identity/verifications/"
                + started.getString("verificationId")
                + "/complete",
            null,
            bearer(token));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    assertThat(Http.json(done).getString("level")).isEqualTo("L3");
    return Http.json(done).getString("token");
  }

  private static String gateway() {
    return demo.gateway().baseUrl();
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  private static String operator() throws Exception {
    return "Bearer "
        + Files.readString(
                Path.of(manifest.getJsonObject("admin").getString("bootstrapKeyFile")),
                StandardCharsets.UTF_8)
            .trim();
  }

  private static String subject(String jwt) {
    return new JsonObject(b64url(jwt.split("\\.")[1])).getString("sub");
  }

  private static String b64url(String part) {
    return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
  }

  // ---------- the database, over JDBC ----------

  private static Connection database() throws SQLException {
    JsonObject db = manifest.getJsonObject("database");
    return DriverManager.getConnection(
        "jdbc:postgresql://"
            + db.getString("host")
            + ":"
            + db.getInteger("port")
            + "/"
            + db.getString("database"),
        db.getString("user"),
        "");
  }

  /** Names are constants of this test, never input. */
  private static List<String> strings(Connection db, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement q = db.prepareStatement(sql);
        ResultSet rs = q.executeQuery()) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }

  /** Rows of {@code table} whose text (every column) contains {@code needle}. */
  private static long count(Connection db, String table, String needle) throws SQLException {
    try (PreparedStatement q =
        db.prepareStatement("SELECT count(*) FROM " + table + " t WHERE strpos(t::text, ?) > 0")) {
      q.setString(1, needle);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  // ---------- the SM algorithms, straight from Bouncy Castle ----------

  /** SM4-GCM open of Base64(nonce ‖ ciphertext ‖ tag) with {@code aad}. */
  private static String sm4Open(byte[] key, String aad, String base64) {
    byte[] all = Base64.getDecoder().decode(base64);
    GCMModeCipher gcm = GCMBlockCipher.newInstance(new SM4Engine());
    gcm.init(
        false,
        new AEADParameters(
            new KeyParameter(key),
            128,
            Arrays.copyOf(all, 12),
            aad.getBytes(StandardCharsets.UTF_8)));
    byte[] out = new byte[gcm.getOutputSize(all.length - 12)];
    int n = gcm.processBytes(all, 12, all.length - 12, out, 0);
    try {
      n += gcm.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new AssertionError("not SM4-GCM under this key and purpose (" + aad + ")", e);
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  /** {@code sm3:} + Base64url(HMAC-SM3(key, purpose ‖ 0x00 ‖ value)). */
  private static String hmacSm3(byte[] key, String purpose, String value) {
    HMac mac = new HMac(new SM3Digest());
    mac.init(new KeyParameter(key));
    byte[] p = purpose.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    mac.update(p, 0, p.length);
    mac.update((byte) 0);
    mac.update(v, 0, v.length);
    byte[] out = new byte[mac.getMacSize()];
    mac.doFinal(out, 0);
    return "sm3:" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
  }

  private static PublicKey sm2Key(JsonObject jwk) throws Exception {
    ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec("sm2p256v1");
    BigInteger x = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("x")));
    BigInteger y = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("y")));
    return KeyFactory.getInstance("EC", BC)
        .generatePublic(new ECPublicKeySpec(spec.getCurve().createPoint(x, y), spec));
  }

  /** JCA SM3withSM2 with the default user id; the JWS carries R‖S, the JCA wants DER. */
  private static boolean sm2Verifies(PublicKey key, byte[] input, byte[] rs) throws Exception {
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(rs, 0, 32))));
    v.add(new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(rs, 32, 64))));
    Signature s = Signature.getInstance("SM3withSM2", BC);
    s.setParameter(new SM2ParameterSpec("1234567812345678".getBytes(StandardCharsets.US_ASCII)));
    s.initVerify(key);
    s.update(input);
    return s.verify(new DERSequence(v).getEncoded());
  }
}
