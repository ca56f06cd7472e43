package cn.govgate.demo.bench;

import cn.govgate.partner.client.Algorithm;
import cn.govgate.partner.client.Keys;
import cn.govgate.partner.client.PartnerSigner;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Scenario (e): the same social-security query as (a), made by a partner with an RSA2 signature
 * under a citizen's consent. The partner's key lives in this process only; requests are signed
 * ahead of a run (each nonce is single-use and a signature holds for ±300 s), round-robin over the
 * consents, with the reference client.
 */
final class PartnerRequests {
  static final String APP_ID = "bench-bank";
  static final String KEY_ID = "bench-rsa2";

  private final KeyPair key = Keys.generate(Algorithm.RSA2);
  private final PartnerSigner signer =
      PartnerSigner.create(APP_ID, KEY_ID, Algorithm.RSA2, key.getPrivate());

  /** A signed request: the path with its query, and the Authorization header. */
  record Signed(String path, String authorization) {}

  String publicKey() {
    return Keys.spki(key.getPublic());
  }

  /**
   * {@code count} requests signed now, round-robin over {@code consents}, on all cores. CPU-bound.
   */
  List<Signed> sign(List<String> consents, String region, int count, Clock clock) {
    long now = clock.instant().getEpochSecond();
    String path = "/open/v1/social-security/account";
    return new ArrayList<>(
        IntStream.range(0, count)
            .parallel()
            .mapToObj(
                i -> {
                  String consent = consents.get(i % consents.size());
                  var query = List.of(Map.entry("region", region), Map.entry("consentId", consent));
                  PartnerSigner.Signed s =
                      signer.sign("GET", path, query, new byte[0], now, PartnerSigner.newNonce());
                  return new Signed(
                      path + "?consentId=" + consent + "&region=" + region, s.authorization());
                })
            .toList());
  }
}
