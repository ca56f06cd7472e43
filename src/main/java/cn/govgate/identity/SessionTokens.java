package cn.govgate.identity;

import cn.govgate.channel.spi.Channel;
import cn.govgate.config.IdentityConfig;
import cn.govgate.config.IdentityConfig.NamedKey;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Issues session JWTs (HS256 under the first session key, with its {@code kid}) and builds the verifier that
 * accepts every configured key. Claims: {@code iss, aud, sub, iat, exp, jti, acr, amr, auth_time, face_time}
 * and {@code cid} (channel identity key), {@code chn} (channel), {@code app} (app id). Never personal data.
 */
public final class SessionTokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final IdentityConfig config;
  private final Clock clock;
  private final NamedKey signing;
  private final Set<String> kids = new HashSet<>();

  /**
   * What a session is issued for.
   *
   * @param identityKey channel identity key
   * @param citizenKey citizen key, null when unbound
   * @param level assurance level
   * @param channel channel
   * @param appId app id
   * @param authTime login time
   * @param faceTime face time, null when none
   * @param amr authentication methods ({@code channel}, {@code realname}, {@code face})
   */
  public record Grant(String identityKey, String citizenKey, Level level, Channel channel, String appId,
      Instant authTime, Instant faceTime, List<String> amr) {}

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
    config.sessionKeys().forEach(k -> kids.add(k.id()));
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
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(config.issuer())
        .audience(config.audience())
        .subject(sub)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(exp))
        .jwtID(jti)
        .claim("acr", grant.level().name())
        .claim("amr", new ArrayList<>(grant.amr()))
        .claim("auth_time", grant.authTime().getEpochSecond())
        .claim("cid", grant.identityKey())
        .claim("chn", grant.channel().wireName())
        .claim("app", grant.appId());
    if (grant.faceTime() != null) claims.claim("face_time", grant.faceTime().getEpochSecond());
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(signing.id()).type(JOSEObjectType.JWT).build(), claims.build());
    try {
      jwt.sign(new MACSigner(signing.key()));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign session", e);
    }
    Session session = new Session(sub, grant.identityKey(), grant.citizenKey(), grant.level(), grant.channel(),
        grant.appId(), Instant.ofEpochSecond(grant.authTime().getEpochSecond()),
        grant.faceTime() == null ? null : Instant.ofEpochSecond(grant.faceTime().getEpochSecond()), jti, exp);
    return new Issued(jwt.serialize(), session);
  }

  /** A verifier for one event loop: every configured session key, {@code iss} and {@code aud} checked. */
  public JWTAuth verifier(Vertx vertx) {
    JWTAuthOptions options = new JWTAuthOptions()
        .setJWTOptions(new JWTOptions().setIssuer(config.issuer()).setAudience(List.of(config.audience())));
    for (NamedKey k : config.sessionKeys()) {
      options.addJwk(new JsonObject()
          .put("kty", "oct")
          .put("kid", k.id())
          .put("alg", "HS256")
          .put("k", Base64.getUrlEncoder().withoutPadding().encodeToString(k.key())));
    }
    return JWTAuth.create(vertx, options);
  }

  /** Whether {@code kid} names a configured session key. */
  boolean knownKid(String kid) {
    return kid != null && kids.contains(kid);
  }

  private static String randomId() {
    byte[] b = new byte[18];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
