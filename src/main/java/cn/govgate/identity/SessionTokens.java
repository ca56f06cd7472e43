package cn.govgate.identity;

import cn.govgate.channel.spi.Channel;
import cn.govgate.config.IdentityConfig;
import cn.govgate.config.IdentityConfig.NamedKey;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Issues session JWTs (HS256 under the first session key, with its {@code kid}) and checks them
 * under every configured key. Claims: {@code iss, aud, sub, iat, exp, jti, acr, amr, auth_time,
 * face_time} and {@code cid} (channel identity key), {@code chn} (channel), {@code app} (app id).
 * Never personal data.
 *
 * <p>{@link #verify} is the one claim check of every route: it accepts exactly what {@link #issue}
 * produces — the compact form and nothing around it, HS256 under a configured {@code kid}, every
 * claim of the right JSON type, a lifetime no longer than {@code identity.sessionTtl} (plus {@code
 * identity.clockSkew} for an issuing instance whose clock runs ahead), and claims that agree with
 * each other: L1 is an unbound channel identity with {@code amr [channel]}, L2 a bound one with
 * {@code [channel, realname]}, L3 a bound one with {@code [channel, realname, face]} and a {@code
 * face_time}.
 */
public final class SessionTokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Header, payload and a 32-byte HMAC, base64url without padding; nothing before, between or
   * after.
   */
  static final Pattern COMPACT =
      Pattern.compile("[A-Za-z0-9_-]{16,512}\\.[A-Za-z0-9_-]{16,3000}\\.[A-Za-z0-9_-]{43}");

  /**
   * Whether {@code token} matches {@link #COMPACT}, by one pass over its characters: the regular
   * expression is the definition (and what the tests hold this to), this loop what every request
   * runs.
   */
  static boolean compact(String token) {
    int n = token.length();
    if (n < 16 + 1 + 16 + 1 + 43 || n > 512 + 1 + 3000 + 1 + 43) return false;
    int first = -1;
    int second = -1;
    for (int i = 0; i < n; i++) {
      char c = token.charAt(i);
      if (c == '.') {
        if (first < 0) first = i;
        else if (second < 0) second = i;
        else return false;
      } else if (!((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '-')) {
        return false;
      }
    }
    if (second < 0) return false;
    int header = first;
    int payload = second - first - 1;
    int signature = n - second - 1;
    return header >= 16 && header <= 512 && payload >= 16 && payload <= 3000 && signature == 43;
  }

  private static final int MAX_ID = 128;

  private final IdentityConfig config;
  private final Clock clock;
  private final NamedKey signing;
  private final Map<String, MACVerifier> verifiers = new HashMap<>();

  /**
   * What a session is issued for.
   *
   * @param identityKey channel identity key
   * @param citizenKey citizen key, null when unbound
   * @param level assurance level
   * @param channel channel
   * @param appId app id
   * @param authTime login time
   * @param faceTime face time; required for L3, ignored below
   */
  public record Grant(
      String identityKey,
      String citizenKey,
      Level level,
      Channel channel,
      String appId,
      Instant authTime,
      Instant faceTime) {}

  /** An issued token and its claims as a {@link Session}. */
  public record Issued(String token, Session session) {
    @Override
    public String toString() {
      return "Issued[" + session + "]";
    }
  }

  private SessionTokens(IdentityConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.signing = config.sessionKeys().get(0);
    for (NamedKey k : config.sessionKeys()) {
      try {
        verifiers.put(k.id(), new MACVerifier(k.key()));
      } catch (JOSEException e) {
        throw new IllegalArgumentException(
            "identity.sessionKeys: key " + k.id() + " is not a 256-bit HMAC key", e);
      }
    }
  }

  public static SessionTokens create(IdentityConfig config, Clock clock) {
    return new SessionTokens(config, clock);
  }

  /** Signs a session token for {@code grant}, valid for the configured TTL from now. */
  public Issued issue(Grant grant) {
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant exp = now.plus(config.sessionTtl());
    String jti = randomId();
    String sub = grant.citizenKey() != null ? grant.citizenKey() : grant.identityKey();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(config.issuer())
            .audience(config.audience())
            .subject(sub)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(exp))
            .jwtID(jti)
            .claim("acr", grant.level().name())
            .claim("amr", new ArrayList<>(amr(grant.level())))
            .claim("auth_time", grant.authTime().getEpochSecond())
            .claim("cid", grant.identityKey())
            .claim("chn", grant.channel().wireName())
            .claim("app", grant.appId());
    Instant face = grant.level() == Level.L3 ? grant.faceTime() : null;
    if (grant.level() == Level.L3 && face == null)
      throw new IllegalArgumentException("an L3 grant needs a face time");
    if (face != null) claims.claim("face_time", face.getEpochSecond());
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256)
                .keyID(signing.id())
                .type(JOSEObjectType.JWT)
                .build(),
            claims.build());
    try {
      jwt.sign(new MACSigner(signing.key()));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign session", e);
    }
    Session session =
        new Session(
            sub,
            grant.identityKey(),
            grant.citizenKey(),
            grant.level(),
            grant.channel(),
            grant.appId(),
            Instant.ofEpochSecond(grant.authTime().getEpochSecond()),
            face == null ? null : Instant.ofEpochSecond(face.getEpochSecond()),
            jti,
            exp);
    return new Issued(jwt.serialize(), session);
  }

  /**
   * The session a presented token stands for, or null when it is not exactly a genuine, current,
   * consistent session token of this gateway. CPU only (one HMAC): safe on an event loop.
   */
  public Session verify(String token) {
    try {
      return check(token);
    } catch (ParseException | JOSEException | RuntimeException e) {
      return null;
    }
  }

  private Session check(String token) throws ParseException, JOSEException {
    if (token == null || !compact(token)) return null;
    SignedJWT jwt = SignedJWT.parse(token);
    JWSHeader header = jwt.getHeader();
    MACVerifier verifier = header.getKeyID() == null ? null : verifiers.get(header.getKeyID());
    if (!JWSAlgorithm.HS256.equals(header.getAlgorithm())
        || verifier == null
        || header.getCriticalParams() != null
        || header.getType() != null && !JOSEObjectType.JWT.equals(header.getType())
        || !jwt.verify(verifier)) {
      return null;
    }
    // Typed reads: a claim of the wrong JSON type (a string "exp") is a ParseException, hence
    // refused.
    JWTClaimsSet c = jwt.getJWTClaimsSet();
    Instant now = clock.instant();
    Duration skew = config.clockSkew();
    Instant iat = instant(c.getIssueTime());
    Instant exp = instant(c.getExpirationTime());
    Long authTime = c.getLongClaim("auth_time");
    if (iat == null
        || exp == null
        || authTime == null
        || !now.isBefore(exp)
        || iat.isAfter(now.plus(skew))
        || exp.isAfter(iat.plus(config.sessionTtl()))
        || exp.isAfter(now.plus(config.sessionTtl()).plus(skew))
        || authTime > iat.getEpochSecond() + skew.toSeconds()
        || c.getNotBeforeTime() != null) {
      return null;
    }
    if (!config.issuer().equals(c.getIssuer())
        || !List.of(config.audience()).equals(c.getAudience())) return null;
    String sub = id(c.getSubject());
    String cid = id(c.getStringClaim("cid"));
    String jti = id(c.getJWTID());
    String app = id(c.getStringClaim("app"));
    Level level = Level.parse(c.getStringClaim("acr"));
    Channel channel = Channel.fromWire(c.getStringClaim("chn"));
    Long face = c.getLongClaim("face_time");
    if (sub == null
        || cid == null
        || jti == null
        || app == null
        || level == null
        || channel == null
        || !amr(level).equals(c.getStringListClaim("amr"))) {
      return null;
    }
    String citizenKey = sub.equals(cid) ? null : sub;
    boolean consistent =
        (level == Level.L1) == (citizenKey == null)
            && (level == Level.L3) == (face != null)
            && (face == null || face <= iat.getEpochSecond() + skew.toSeconds());
    if (!consistent) return null;
    return new Session(
        sub,
        cid,
        citizenKey,
        level,
        channel,
        app,
        Instant.ofEpochSecond(authTime),
        face == null ? null : Instant.ofEpochSecond(face),
        jti,
        exp);
  }

  /** The {@code amr} a session of {@code level} carries. */
  static List<String> amr(Level level) {
    return switch (level) {
      case L1 -> List.of("channel");
      case L2 -> List.of("channel", "realname");
      case L3 -> List.of("channel", "realname", "face");
    };
  }

  private static Instant instant(Date date) {
    return date == null ? null : date.toInstant();
  }

  private static String id(String value) {
    return value == null || value.isEmpty() || value.length() > MAX_ID ? null : value;
  }

  private static String randomId() {
    byte[] b = new byte[18];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
