package cn.govgate.identity;

import cn.govgate.error.ErrorCode;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resolves a citizen key (from {@link Session#citizenKey()}) to the decrypted {@link Citizen}: a
 * small bounded cache in front of the database, decryption in memory only. Entries live for a few
 * minutes, so a re-encrypted or corrected row is picked up soon; the plaintext never leaves the
 * process.
 */
public final class CitizenDirectory {
  /**
   * Above the citizens one instance serves within the TTL at high load, so a busy instance does not
   * thrash.
   */
  static final int MAX_ENTRIES = 100_000;

  static final Duration TTL = Duration.ofMinutes(5);
  static final String ID_PURPOSE = "citizens.id_number";
  static final String NAME_PURPOSE = "citizens.name";

  private final IdentityStore store;
  private final PersonalDataCipher cipher;
  private final Clock clock;
  private final Map<String, Entry> cache =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  private record Entry(Citizen citizen, Instant until) {}

  CitizenDirectory(IdentityStore store, PersonalDataCipher cipher, Clock clock) {
    this.store = store;
    this.cipher = cipher;
    this.clock = clock;
  }

  /**
   * The citizen with this key; fails with 404 {@code identity.citizen_not_found} when there is none
   * (a token for a citizen that no longer exists).
   */
  public Future<Citizen> resolve(String citizenKey) {
    Instant now = clock.instant();
    synchronized (cache) {
      Entry e = cache.get(citizenKey);
      if (e != null && e.until().isAfter(now)) return Future.succeededFuture(e.citizen());
    }
    return store
        .citizen(citizenKey)
        .compose(
            row -> {
              if (row == null) {
                return Future.failedFuture(ErrorCode.IDENTITY_CITIZEN_NOT_FOUND.error());
              }
              Citizen c =
                  new Citizen(
                      row.citizenKey(),
                      cipher.open(ID_PURPOSE, row.idNumberEnc()),
                      cipher.open(NAME_PURPOSE, row.nameEnc()));
              synchronized (cache) {
                cache.put(citizenKey, new Entry(c, now.plus(TTL)));
              }
              return Future.succeededFuture(c);
            });
  }
}
