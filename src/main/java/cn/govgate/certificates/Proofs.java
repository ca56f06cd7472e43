package cn.govgate.certificates;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.identity.IdNumber;
import cn.govgate.identity.Masking;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Issues, returns, verifies and revokes electronic proofs.
 *
 * <p>A proof is a compact JWS whose header is {@code {"alg":…,"kid":…,"typ":"JWT"}} and whose
 * payload holds {@code iss} ({@value #ISSUER}), {@code jti} and {@code serial} (e.g. {@code
 * GJJ-330100-2026-000123}), {@code type}, {@code title}, {@code holder} ({@code name} and {@code
 * idNumber}, both masked), {@code issuer} ({@code departmentId}, {@code name}), {@code region},
 * {@code data}, {@code purpose} (用证事由), {@code notice} (the A-grade watermark sentence), {@code
 * iat} and {@code exp} (epoch seconds).
 *
 * <p>Verification checks, in order: the form, a known key id whose algorithm matches {@code alg},
 * the signature, expiry, that the exact proof was issued here (serial known and SHA-256 of the JWS
 * equal to the stored one) and revocation. Each failed check adds a reason; a proof is valid when
 * there is none.
 */
public final class Proofs {
  public static final String ISSUER = "govgate";
  public static final int MAX_PURPOSE = 100;
  public static final int MAX_VALID_DAYS = 90;
  private static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");
  private static final DateTimeFormatter CHINESE_DATE = DateTimeFormatter.ofPattern("yyyy年M月d日");

  private final Pool pool;
  private final ProofKeys keys;
  private final Clock clock;

  private Proofs(Pool pool, ProofKeys keys, Clock clock) {
    this.pool = pool;
    this.keys = keys;
    this.clock = clock;
  }

  public static Proofs create(Pool pool, ProofKeys keys, Clock clock) {
    return new Proofs(
        Objects.requireNonNull(pool), Objects.requireNonNull(keys), Objects.requireNonNull(clock));
  }

  /** The answer of issuing: the serial, the compact JWS and its validity. */
  public record IssuedProof(
      String serial, ProofType type, String jws, Instant issuedAt, Instant expiresAt) {

    public JsonObject toJson() {
      return new JsonObject()
          .put("serial", serial)
          .put("type", type.code())
          .put("proof", jws)
          .put("issuedAt", issuedAt.toString())
          .put("expiresAt", expiresAt.toString());
    }
  }

  /** Validates purpose and validity days; 400 {@code request.invalid} naming the fields. */
  public static void validate(String purpose, Integer validDays) {
    JsonObject fields = new JsonObject();
    if (purpose == null || purpose.isBlank()) {
      fields.put("purpose", "required (用证事由)");
    } else if (purpose.strip().length() > MAX_PURPOSE) {
      fields.put("purpose", "at most " + MAX_PURPOSE + " characters");
    }
    if (validDays == null || validDays < 1 || validDays > MAX_VALID_DAYS) {
      fields.put("validDays", "an integer from 1 to " + MAX_VALID_DAYS);
    }
    if (!fields.isEmpty()) throw ApiException.invalidFields(fields);
  }

  /** Signs and stores a proof. */
  public Future<IssuedProof> issue(ProofIssue issue) {
    try {
      validate(issue.purpose(), issue.validDays());
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
    Instant expires = now.plus(Duration.ofDays(issue.validDays()));
    return pool.query("SELECT nextval('proof_serial_seq') AS n")
        .execute()
        .compose(
            rows -> {
              String serial =
                  serial(issue.type(), issue.region(), now, rows.iterator().next().getLong("n"));
              String jws = sign(claims(issue, serial, now, expires));
              return pool.preparedQuery(
                      "INSERT INTO proofs (serial, citizen_key, department_id, proof_type, jws, "
                          + "jws_sha256, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                  .execute(
                      Tuple.of(
                          serial,
                          issue.citizenKey(),
                          issue.departmentId(),
                          issue.type().code(),
                          jws,
                          Buffer.buffer(
                              ProofCrypto.sha256(jws.getBytes(StandardCharsets.US_ASCII))),
                          utc(now),
                          utc(expires)))
                  .map(v -> new IssuedProof(serial, issue.type(), jws, now, expires));
            });
  }

  static String serial(ProofType type, String region, Instant at, long sequence) {
    return String.format(
        "%s-%s-%d-%06d", type.serialPrefix(), region, at.atZone(CHINA).getYear(), sequence);
  }

  private static JsonObject claims(ProofIssue issue, String serial, Instant now, Instant expires) {
    JsonObject data = issue.data().copy();
    data.remove("holderName");
    String accountNo = data.getString("accountNo");
    if (accountNo != null && accountNo.length() > 4) {
      data.put(
          "accountNo",
          "*".repeat(accountNo.length() - 4) + accountNo.substring(accountNo.length() - 4));
    }
    LocalDate until = expires.atZone(CHINA).toLocalDate();
    String purpose = issue.purpose().strip();
    return new JsonObject()
        .put("iss", ISSUER)
        .put("jti", serial)
        .put("serial", serial)
        .put("type", issue.type().code())
        .put("title", issue.type().title())
        .put(
            "holder",
            new JsonObject()
                .put("name", Masking.maskName(issue.holderName()))
                .put("idNumber", IdNumber.mask(issue.holderIdNumber())))
        .put(
            "issuer",
            new JsonObject()
                .put("departmentId", issue.departmentId())
                .put("name", issue.departmentName()))
        .put("region", issue.region())
        .put("data", data)
        .put("purpose", purpose)
        .put(
            "notice",
            "此件由"
                + issue.departmentName()
                + "提供，仅供"
                + purpose
                + "使用，有效期至"
                + CHINESE_DATE.format(until))
        .put("iat", now.getEpochSecond())
        .put("exp", expires.getEpochSecond());
  }

  private String sign(JsonObject claims) {
    ProofKey key = keys.current();
    JsonObject header =
        new JsonObject()
            .put("alg", key.algorithm().jwsAlg())
            .put("kid", key.kid())
            .put("typ", "JWT");
    String input =
        ProofCrypto.b64(header.encode().getBytes(StandardCharsets.UTF_8))
            + "."
            + ProofCrypto.b64(claims.encode().getBytes(StandardCharsets.UTF_8));
    byte[] signature = ProofCrypto.sign(key, input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + ProofCrypto.b64(signature);
  }

  /**
   * The proof with this serial if {@code citizenKey} holds it.
   *
   * @return fails with 404 {@code proof.unknown} when there is no such proof of this citizen
   */
  public Future<JsonObject> find(String serial, String citizenKey) {
    return pool.preparedQuery(
            "SELECT serial, proof_type, jws, issued_at, expires_at, revoked_at FROM proofs "
                + "WHERE serial = $1 AND citizen_key = $2")
        .execute(Tuple.of(serial, citizenKey))
        .compose(
            rows -> {
              if (rows.size() == 0) return Future.failedFuture(unknown());
              Row r = rows.iterator().next();
              JsonObject j =
                  new JsonObject()
                      .put("serial", r.getString("serial"))
                      .put("type", r.getString("proof_type"))
                      .put("proof", r.getString("jws"))
                      .put("issuedAt", r.getOffsetDateTime("issued_at").toInstant().toString())
                      .put("expiresAt", r.getOffsetDateTime("expires_at").toInstant().toString())
                      .put("revoked", r.getOffsetDateTime("revoked_at") != null);
              return Future.succeededFuture(j);
            });
  }

  /**
   * Revokes a proof of {@code departmentId}; 404 {@code proof.unknown}, 409 {@code
   * proof.already_revoked}.
   */
  public Future<JsonObject> revoke(String departmentId, String serial, String reason) {
    OffsetDateTime now = utc(clock.instant());
    return pool.preparedQuery(
            "UPDATE proofs SET revoked_at = $3, revoke_reason = $4 "
                + "WHERE serial = $1 AND department_id = $2 AND revoked_at IS NULL RETURNING serial")
        .execute(Tuple.of(serial, departmentId, now, reason))
        .compose(
            rows -> {
              if (rows.size() == 1) {
                return Future.succeededFuture(
                    new JsonObject()
                        .put("serial", serial)
                        .put("revoked", true)
                        .put("revokedAt", now.toInstant().toString()));
              }
              return pool.preparedQuery(
                      "SELECT 1 FROM proofs WHERE serial = $1 AND department_id = $2")
                  .execute(Tuple.of(serial, departmentId))
                  .compose(
                      found ->
                          Future.failedFuture(
                              found.size() == 0
                                  ? unknown()
                                  : ErrorCode.PROOF_ALREADY_REVOKED.error()));
            });
  }

  private static ApiException unknown() {
    return ErrorCode.PROOF_UNKNOWN.error();
  }

  /**
   * Verifies a presented proof; the answer is {@code {valid, reasons[], serial, expiresAt,
   * revoked}}.
   */
  public Future<JsonObject> verify(String jws) {
    List<String> reasons = new ArrayList<>();
    JsonObject claims = checkSignature(jws, reasons);
    if (claims == null) return Future.succeededFuture(answer(reasons, null, null, false));
    String serial = claims.getValue("serial") instanceof String s ? s : null;
    Long exp = claims.getValue("exp") instanceof Number n ? n.longValue() : null;
    String expiresAt = exp == null ? null : Instant.ofEpochSecond(exp).toString();
    if (exp == null || clock.instant().getEpochSecond() >= exp) reasons.add("expired");
    if (serial == null) {
      reasons.add("not_issued");
      return Future.succeededFuture(answer(reasons, null, expiresAt, false));
    }
    return pool.preparedQuery("SELECT jws_sha256, revoked_at FROM proofs WHERE serial = $1")
        .execute(Tuple.of(serial))
        .map(
            rows -> {
              boolean revoked = false;
              if (rows.size() == 0) {
                reasons.add("not_issued");
              } else {
                Row r = rows.iterator().next();
                byte[] stored = r.getBuffer("jws_sha256").getBytes();
                if (!MessageDigest.isEqual(
                    stored, ProofCrypto.sha256(jws.getBytes(StandardCharsets.US_ASCII)))) {
                  reasons.add("not_issued");
                }
                revoked = r.getOffsetDateTime("revoked_at") != null;
                if (revoked) reasons.add("revoked");
              }
              return answer(reasons, serial, expiresAt, revoked);
            });
  }

  /** The claims when form, key and signature are right; null (with the reason added) otherwise. */
  private JsonObject checkSignature(String jws, List<String> reasons) {
    String[] parts = jws == null ? new String[0] : jws.strip().split("\\.", -1);
    JsonObject header;
    JsonObject claims;
    byte[] signature;
    try {
      if (parts.length != 3) throw new IllegalArgumentException("not three parts");
      Base64.Decoder d = Base64.getUrlDecoder();
      header = new JsonObject(new String(d.decode(parts[0]), StandardCharsets.UTF_8));
      claims = new JsonObject(new String(d.decode(parts[1]), StandardCharsets.UTF_8));
      signature = d.decode(parts[2]);
    } catch (RuntimeException e) {
      reasons.add("malformed");
      return null;
    }
    ProofKey key = header.getValue("kid") instanceof String kid ? keys.find(kid) : null;
    if (key == null || !key.algorithm().jwsAlg().equals(header.getValue("alg"))) {
      reasons.add("unknown_key");
      return null;
    }
    byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    if (!ProofCrypto.verify(key, input, signature)) {
      reasons.add("bad_signature");
      return null;
    }
    return claims;
  }

  private static JsonObject answer(
      List<String> reasons, String serial, String expiresAt, boolean revoked) {
    JsonObject j =
        new JsonObject().put("valid", reasons.isEmpty()).put("reasons", new JsonArray(reasons));
    if (serial != null) j.put("serial", serial);
    if (expiresAt != null) j.put("expiresAt", expiresAt);
    return j.put("revoked", revoked);
  }

  private static OffsetDateTime utc(Instant i) {
    return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }
}
