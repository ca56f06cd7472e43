package cn.govgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.identity.IdNumber;
import cn.govgate.identity.IdentityTestBed;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A running deployment switches crypto profile: a database seeded under {@code international}
 * (AES-256-GCM, HMAC-SHA256), gateways restarted under {@code shangmi}, {@code reencrypt} and
 * {@code reindex} run while a gateway serves. Every citizen logs in and is found at every step,
 * nothing is stored in clear, the audit chain stays intact across the switch — and the same works
 * back. SM4 seals under its own generated key ({@code sm4k:g1}); a row an earlier release sealed
 * under the SM4 key it derived from the AES key ({@code sm4:d1}) stays readable until {@code
 * reencrypt} moves it. Proofs issued in either period verify in the other.
 */
class ProfileSwitchTest {
  private static final String HZ = SyntheticCitizens.HANGZHOU;
  private static final List<String> IDENTITY_TABLES =
      List.of("citizens", "channel_identities", "identity_verifications");

  private record Seeded(SyntheticCitizen person, String channel, String user) {}

  @Test
  void aDeploymentSwitchesToShangmiAndBackWithoutLosingACitizen() throws Exception {
    try (GatewayTestBed bed =
        new GatewayTestBed(
            12,
            1616L,
            TestClock.running(),
            "crypto.profile",
            "international",
            "registry.healthInterval",
            "1h")) {
      IdentityTestBed ids = bed.identity;
      DepartmentSimulator social =
          bed.department("hz-rsj", DepartmentFamily.SOCIAL_SECURITY, HZ, "social-security.account");
      bed.department("hz-gjj", DepartmentFamily.HOUSING_FUND, HZ, "housing-fund.proof-data");
      List<SyntheticCitizen> hangzhou =
          ids.people.stream().filter(p -> p.homeRegion().equals(HZ)).toList();
      List<Seeded> seeded = new ArrayList<>();
      String proofBefore = null;
      for (int i = 0; i < 4; i++) {
        SyntheticCitizen p = hangzhou.get(i);
        String user = i % 2 == 0 ? ids.alipayUser(p, true) : ids.wechatUser(p);
        String channel = i % 2 == 0 ? "alipay" : "wechat";
        String token =
            channel.equals("alipay")
                ? ids.alipayToL3(bed.gateway, user, p)
                : ids.wechatToL3(bed.gateway, user, p);
        assertThat(bed.get("/v1/social-security/account?region=" + HZ, token).statusCode())
            .isEqualTo(200);
        seeded.add(new Seeded(p, channel, user));
        if (i == 0) proofBefore = proof(bed, token);
      }
      assertThat(alg(proofBefore)).isEqualTo("ES256");
      assertThat(social.signatureAlgorithmsSeen()).containsOnly("HMAC-SHA256");
      bed.gateway.audit().flush().await(10, TimeUnit.SECONDS);
      assertThat(sealedPrefixes(bed)).allMatch(v -> !v.startsWith("sm4"));
      assertThat(indexes(bed)).noneMatch(v -> v.startsWith("sm3:"));
      long citizens = count(bed, "citizens");
      // One citizen as an earlier release left it under shangmi: SM4 under the key derived from d1.
      sealLikeAnEarlierRelease(bed, citizenKeyOf(bed, ids, seeded.get(1)));
      assertFound(bed, ids, seeded.get(1));
      // And every backend secret as an earlier release sealed it under shangmi: SM4 under the key
      // derived from registry.secretKey.
      resealSecretsLikeAnEarlierRelease(bed);
      assertThat(backendSecrets(bed)).isNotEmpty().allMatch(v -> v.startsWith("sm4:"));

      // Switch: every instance restarts under shangmi; nothing re-encrypted yet.
      bed.stopGateway();
      bed.settings.put("crypto.profile", "shangmi");
      bed.startGateway();
      for (Seeded s : seeded) assertFound(bed, ids, s);
      // Departments now get HMAC-SM3 signatures; proofs are SM2, and one issued before the switch
      // still verifies.
      assertThat(social.signatureAlgorithmsSeen()).contains("HMAC-SM3");
      assertThat(alg(proof(bed, ids.alipayToken(bed.gateway, seeded.get(0).user()))))
          .isEqualTo("SM3withSM2");
      assertThat(verdict(bed, proofBefore)).isTrue();
      // The same person verifying on another channel is found by the old (HMAC-SHA256) index: no
      // second citizen.
      SyntheticCitizen first = seeded.get(0).person();
      String other = ids.wechatUser(first);
      String l3 = ids.wechatToL3(bed.gateway, other, first);
      assertThat(GatewayTestBed.citizenKey(l3)).isEqualTo(citizenKeyOf(bed, ids, seeded.get(0)));
      seeded.add(new Seeded(first, "wechat", other));
      // A new citizen is sealed with SM4 and indexed with HMAC-SM3 at once.
      SyntheticCitizen newcomer = hangzhou.get(5);
      String newUser = ids.alipayUser(newcomer, false);
      ids.alipayToL3(bed.gateway, newUser, newcomer);
      seeded.add(new Seeded(newcomer, "alipay", newUser));
      assertThat(count(bed, "citizens")).isEqualTo(citizens + 1);
      assertThat(sealedPrefixes(bed))
          .anyMatch(v -> v.startsWith("sm4k:g1:"))
          .anyMatch(v -> v.startsWith("sm4:d1:"))
          .anyMatch(v -> v.startsWith("d1:"));
      String proofShangmi = proof(bed, ids.alipayToken(bed.gateway, seeded.get(0).user()));

      // reencrypt and reindex while the gateway serves; both re-runnable.
      Command re = command("reencrypt", bed.settings);
      assertThat(re.code()).as(re.out()).isZero();
      assertThat(re.out()).contains("under SM4-GCM").contains("; 2 backend secrets");
      Command ri = command("reindex", bed.settings);
      assertThat(ri.code()).as(ri.out()).isZero();
      assertThat(ri.out()).contains("re-indexed with HMAC-SM3");
      assertThat(command("reencrypt", bed.settings).out())
          .contains(
              ": 0 citizens, 0 channel_identities, "
                  + "0 identity_verifications, 0 complaints, 0 complaint_events, 0 reminders; 0 backend secrets");
      assertThat(command("reindex", bed.settings).out())
          .contains(": 0 citizens, 0 channel_identities, " + "0 identity_verifications");
      assertThat(sealedPrefixes(bed)).isNotEmpty().allMatch(v -> v.startsWith("sm4k:g1:"));
      assertThat(keyRefs(bed)).containsOnly("sm4k:g1");
      assertThat(indexes(bed)).isNotEmpty().allMatch(v -> v.startsWith("sm3:"));
      assertThat(backendSecrets(bed)).isNotEmpty().allMatch(v -> v.startsWith("sm4k:"));
      assertNoPlaintext(bed, seeded);

      // A restarted instance loads the re-sealed backend secret and signs with it; every citizen is
      // found.
      bed.stopGateway();
      bed.startGateway();
      for (Seeded s : seeded) assertFound(bed, ids, s);
      assertThat(count(bed, "citizens")).isEqualTo(citizens + 1);
      bed.gateway.audit().flush().await(10, TimeUnit.SECONDS);
      Command check = command("audit-check", bed.settings);
      assertThat(check.code()).as(check.out()).isZero();
      assertThat(auditAlgorithms(bed)).containsExactly("HMAC-SHA256", "HMAC-SM3");

      // And back: the same commands move everything to AES-256-GCM and HMAC-SHA256.
      bed.settings.put("crypto.profile", "international");
      assertThat(command("reencrypt", bed.settings).code()).isZero();
      assertThat(command("reindex", bed.settings).code()).isZero();
      assertThat(sealedPrefixes(bed)).allMatch(v -> !v.startsWith("sm4"));
      assertThat(keyRefs(bed)).containsOnly("d1");
      assertThat(indexes(bed)).noneMatch(v -> v.startsWith("sm3:"));
      assertThat(backendSecrets(bed)).allMatch(v -> v.startsWith("v1:"));
      bed.stopGateway();
      bed.startGateway();
      for (Seeded s : seeded) assertFound(bed, ids, s);
      assertNoPlaintext(bed, seeded);
      assertThat(command("audit-check", bed.settings).code()).isZero();
      // Proofs are ES256 again; the SM2 proof of the shangmi period still verifies (its key stays
      // published beside the ES256 ones), and so does the first ES256 proof.
      assertThat(alg(proof(bed, ids.alipayToken(bed.gateway, seeded.get(0).user()))))
          .isEqualTo("ES256");
      assertThat(verdict(bed, proofShangmi)).isTrue();
      assertThat(verdict(bed, proofBefore)).isTrue();
      assertThat(
              Http.json(bed.get("/.well-known/jwks.json", null)).getJsonArray("keys").stream()
                  .map(k -> ((JsonObject) k).getString("alg")))
          .contains("ES256", "SM3withSM2");
    }
  }

  /**
   * Re-seals a citizen's row as the release before {@code identity.sm4DataKeys} wrote it under
   * shangmi: SM4-GCM under the key derived from the data key {@code d1}, key reference {@code
   * sm4:d1}.
   */
  private static void sealLikeAnEarlierRelease(GatewayTestBed bed, String citizenKey) {
    String d1 = bed.settings.get("identity.dataKeys");
    byte[] dataKey = java.util.Base64.getDecoder().decode(d1.substring("d1:".length()));
    cn.govgate.identity.PersonalDataCipher aes =
        cn.govgate.identity.PersonalDataCipher.create(
            List.of(new cn.govgate.config.IdentityConfig.NamedKey("d1", dataKey)), new byte[32]);
    byte[] derived = cn.govgate.crypto.SealAlgorithm.SM4_GCM.key(dataKey, "data");
    Row row =
        query(
                bed,
                "SELECT id_number_enc, name_enc FROM citizens WHERE citizen_key = '"
                    + citizenKey
                    + "'")
            .iterator()
            .next();
    String id =
        legacy(derived, "citizens.id_number", aes.open("citizens.id_number", row.getString(0)));
    String name = legacy(derived, "citizens.name", aes.open("citizens.name", row.getString(1)));
    GatewayTestBed.await(
        bed.gateway
            .database()
            .pool()
            .preparedQuery(
                "UPDATE citizens SET id_number_enc = $1, name_enc = $2, key_id = 'sm4:d1' "
                    + "WHERE citizen_key = $3")
            .execute(io.vertx.sqlclient.Tuple.of(id, name, citizenKey)));
  }

  private static void resealSecretsLikeAnEarlierRelease(GatewayTestBed bed) {
    byte[] key = java.util.Base64.getDecoder().decode(bed.settings.get("registry.secretKey"));
    byte[] derived = cn.govgate.crypto.SealAlgorithm.SM4_GCM.key(key, "registry");
    for (Row r : query(bed, "SELECT id, auth_secret FROM backends WHERE auth_secret IS NOT NULL")) {
      byte[] aad = r.getString(0).getBytes(StandardCharsets.UTF_8);
      byte[] plain =
          cn.govgate.crypto.SealAlgorithm.AES_256_GCM.open(
              key,
              aad,
              java.util.Base64.getDecoder().decode(r.getString(1).substring("v1:".length())));
      String legacy =
          "sm4:"
              + java.util.Base64.getEncoder()
                  .encodeToString(
                      cn.govgate.crypto.SealAlgorithm.SM4_GCM.seal(derived, aad, plain));
      GatewayTestBed.await(
          bed.gateway
              .database()
              .pool()
              .preparedQuery("UPDATE backends SET auth_secret = $1 WHERE id = $2")
              .execute(io.vertx.sqlclient.Tuple.of(legacy, r.getString(0))));
    }
  }

  private static String legacy(byte[] derivedKey, String purpose, String plaintext) {
    return "sm4:d1:"
        + java.util.Base64.getEncoder()
            .encodeToString(
                cn.govgate.crypto.SealAlgorithm.SM4_GCM.seal(
                    derivedKey,
                    purpose.getBytes(StandardCharsets.UTF_8),
                    plaintext.getBytes(StandardCharsets.UTF_8)));
  }

  private static String proof(GatewayTestBed bed, String l3) {
    HttpResponse<String> r =
        bed.post(
            "/v1/housing-fund/proofs",
            new JsonObject().put("purpose", "子女入学").put("validDays", 15).put("region", HZ),
            l3);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).getString("proof");
  }

  private static String alg(String jws) {
    return new JsonObject(
            new String(
                java.util.Base64.getUrlDecoder().decode(jws.split("\\.")[0]),
                StandardCharsets.UTF_8))
        .getString("alg");
  }

  private static boolean verdict(GatewayTestBed bed, String proof) {
    return Http.json(bed.post("/v1/proofs/verify", new JsonObject().put("proof", proof), null))
        .getBoolean("valid");
  }

  /**
   * Logs in through the person's channel: bound to their citizen, who is resolved and served by the
   * department.
   */
  private static void assertFound(GatewayTestBed bed, IdentityTestBed ids, Seeded s) {
    String token =
        s.channel().equals("alipay")
            ? ids.alipayToken(bed.gateway, s.user())
            : ids.wechatToken(bed.gateway, s.user());
    HttpResponse<String> me = IdentityTestBed.me(bed.gateway, token);
    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    JsonObject body = Http.json(me);
    assertThat(body.getString("level")).as("still bound at L3").isEqualTo("L3");
    assertThat(body.getString("idNumber")).isEqualTo(IdNumber.mask(s.person().idNumber()));
    assertThat(bed.get("/v1/social-security/account?region=" + HZ, token).statusCode())
        .isEqualTo(200);
  }

  private static String citizenKeyOf(GatewayTestBed bed, IdentityTestBed ids, Seeded s) {
    return GatewayTestBed.citizenKey(
        s.channel().equals("alipay")
            ? ids.alipayToken(bed.gateway, s.user())
            : ids.wechatToken(bed.gateway, s.user()));
  }

  private static void assertNoPlaintext(GatewayTestBed bed, List<Seeded> seeded) {
    StringBuilder all = new StringBuilder();
    for (String table : IDENTITY_TABLES) {
      for (Row r : query(bed, "SELECT row_to_json(t)::text FROM " + table + " t"))
        all.append(r.getString(0));
    }
    for (Row r : query(bed, "SELECT row_to_json(t)::text FROM audit_log t"))
      all.append(r.getString(0));
    for (Seeded s : seeded) {
      assertThat(all.toString())
          .doesNotContain(s.person().idNumber())
          .doesNotContain(s.person().name())
          .doesNotContain(s.user());
    }
  }

  private static List<String> sealedPrefixes(GatewayTestBed bed) {
    return strings(
        bed,
        "SELECT id_number_enc FROM citizens UNION ALL SELECT name_enc FROM citizens UNION ALL "
            + "SELECT subject_enc FROM channel_identities UNION ALL SELECT claimed_enc FROM identity_verifications");
  }

  private static List<String> keyRefs(GatewayTestBed bed) {
    return strings(
        bed,
        "SELECT DISTINCT key_id FROM citizens UNION SELECT key_id FROM channel_identities UNION "
            + "SELECT key_id FROM identity_verifications");
  }

  private static List<String> indexes(GatewayTestBed bed) {
    return strings(
        bed,
        "SELECT id_index FROM citizens UNION ALL SELECT subject_index FROM channel_identities "
            + "UNION ALL SELECT claimed_index FROM identity_verifications");
  }

  private static List<String> backendSecrets(GatewayTestBed bed) {
    return strings(bed, "SELECT auth_secret FROM backends WHERE auth_secret IS NOT NULL");
  }

  private static List<String> auditAlgorithms(GatewayTestBed bed) {
    return strings(bed, "SELECT hash_alg FROM audit_log GROUP BY hash_alg ORDER BY min(seq)");
  }

  private static long count(GatewayTestBed bed, String table) {
    return query(bed, "SELECT count(*) FROM " + table).iterator().next().getLong(0);
  }

  private static List<String> strings(GatewayTestBed bed, String sql) {
    List<String> out = new ArrayList<>();
    for (Row r : query(bed, sql)) out.add(r.getString(0));
    return out;
  }

  private static Iterable<Row> query(GatewayTestBed bed, String sql) {
    return GatewayTestBed.await(bed.gateway.database().pool().query(sql).execute());
  }

  private record Command(int code, String out) {}

  private static synchronized Command command(String name, Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    new LinkedHashMap<>(settings)
        .forEach((k, v) -> env.put("GOVGATE_" + k.replace('.', '_').toUpperCase(), v));
    PrintStream original = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(new String[] {name}, env, System.err);
      return new Command(code, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }
}
