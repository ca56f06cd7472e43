package cn.govgate.resilience;

import cn.govgate.error.ApiException;
import cn.govgate.error.Origin;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Last successful answer per (department, service, citizen, query), served — marked stale, with its
 * {@code asOf} — only while the department is unavailable (breaker open, timeout, 5xx). Bounded
 * (LRU on access), in memory, per gateway instance; thread-safe.
 *
 * <p>Citizen keys and queries are stored only as a SHA-256 digest inside {@link Key}, so neither
 * the key nor its {@code toString} carry ID numbers. The values themselves are citizen data and
 * stay in memory only.
 *
 * @param <V> the cached answer type (should be immutable)
 */
public final class LastKnownGoodCache<V> {

  /** Default maximal age of a copy that may still be served: a day-old balance beats no balance. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(24);

  private final int maxEntries;
  private final Duration ttl;
  private final Clock clock;
  private final DepartmentMetrics metrics;
  private final Predicate<Throwable> serveStaleOn;
  private final LinkedHashMap<Key, Stale<V>> entries;

  private LastKnownGoodCache(
      int maxEntries,
      Duration ttl,
      Clock clock,
      MeterRegistry meters,
      Predicate<Throwable> serveStaleOn) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive");
    }
    this.maxEntries = maxEntries;
    this.ttl = ttl;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = DepartmentMetrics.create(meters);
    this.serveStaleOn = Objects.requireNonNull(serveStaleOn, "serveStaleOn");
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Stale<V>> eldest) {
            return size() > LastKnownGoodCache.this.maxEntries;
          }
        };
  }

  /** A cache serving stale copies on {@link #departmentUnavailable(Throwable)} failures. */
  public static <V> LastKnownGoodCache<V> create(
      int maxEntries, Duration ttl, Clock clock, MeterRegistry meters) {
    return create(maxEntries, ttl, clock, meters, LastKnownGoodCache::departmentUnavailable);
  }

  /** As above, with the failures that allow a stale copy. */
  public static <V> LastKnownGoodCache<V> create(
      int maxEntries,
      Duration ttl,
      Clock clock,
      MeterRegistry meters,
      Predicate<Throwable> serveStaleOn) {
    return new LastKnownGoodCache<>(maxEntries, ttl, clock, meters, serveStaleOn);
  }

  /**
   * The department could not give an answer: guard refusals, deadline, or any 5xx the department
   * side produced. Citizen-caused failures (4xx) are answers and never hidden behind a stale copy.
   */
  public static boolean departmentUnavailable(Throwable failure) {
    return failure instanceof ApiException api
        && api.origin() == Origin.DEPARTMENT
        && api.status() >= 500;
  }

  /** Stores {@code value} as the last known good answer for {@code key}, as of now. */
  public void put(Key key, V value) {
    store(key, value);
  }

  private Instant store(Key key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Stale<V> entry = new Stale<>(value, clock.instant());
    synchronized (entries) {
      entries.put(key, entry);
    }
    return entry.asOf();
  }

  /**
   * The stored copy if it is younger than the TTL; expired copies are dropped. Does not count a
   * serve.
   */
  public Optional<Stale<V>> serveStale(Key key) {
    Instant now = clock.instant();
    synchronized (entries) {
      Stale<V> entry = entries.get(key);
      if (entry == null) {
        return Optional.empty();
      }
      if (Duration.between(entry.asOf(), now).compareTo(ttl) > 0) {
        entries.remove(key);
        return Optional.empty();
      }
      return Optional.of(entry);
    }
  }

  /**
   * Forgets {@code key}, e.g. after a write that made the cached answer wrong (a fine was paid).
   */
  public void invalidate(Key key) {
    synchronized (entries) {
      entries.remove(key);
    }
  }

  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  /**
   * Runs {@code fetch}; a success is stored and returned as {@link Fresh}; a failure that means the
   * department is unavailable returns the stored copy as {@link Stale} (counted in {@value
   * DepartmentMetrics#STALE_SERVES}), any other failure — or no usable copy — fails with the
   * original failure.
   */
  public Future<Served<V>> withFallback(Key key, Supplier<Future<V>> fetch) {
    Objects.requireNonNull(key, "key");
    Future<V> fresh;
    try {
      fresh = Objects.requireNonNull(fetch.get(), "fetch returned null");
    } catch (RuntimeException e) {
      fresh = Future.failedFuture(e);
    }
    return fresh
        .<Served<V>>map(value -> new Fresh<>(value, store(key, value)))
        .recover(
            failure -> {
              if (!serveStaleOn.test(failure)) {
                return Future.failedFuture(failure);
              }
              Optional<Stale<V>> stale = serveStale(key);
              if (stale.isEmpty()) {
                return Future.failedFuture(failure);
              }
              metrics.staleServed(key.department(), key.service());
              return Future.succeededFuture(stale.get());
            });
  }

  /** An answer from {@link #withFallback}: either fresh from the department or a stale copy. */
  public sealed interface Served<V> permits Fresh, Stale {
    V value();

    /** When the department gave this answer: the instant it was stored for a fresh one. */
    Instant asOf();

    boolean stale();
  }

  /**
   * Fresh from the department, stored at {@code asOf} (so that a later stale serve shows the same
   * instant).
   */
  public record Fresh<V>(V value, Instant asOf) implements Served<V> {
    @Override
    public boolean stale() {
      return false;
    }
  }

  /**
   * A stored copy, as the department answered at {@code asOf}; clients must be told it may be
   * outdated.
   */
  public record Stale<V>(V value, Instant asOf) implements Served<V> {
    @Override
    public boolean stale() {
      return true;
    }
  }

  /**
   * Cache key: bounded department and service labels plus a digest of the citizen key and query.
   *
   * @param digest hex SHA-256 of citizen key and query; never the raw values
   */
  public record Key(String department, String service, String digest) {

    public Key {
      DepartmentMetrics.requireLabel("department", department);
      DepartmentMetrics.requireLabel("service", service);
      Objects.requireNonNull(digest, "digest");
    }

    /**
     * @param citizenKey whatever identifies the citizen at the department; @param query the
     *     normalized query
     */
    public static Key of(String department, String service, String citizenKey, String query) {
      Objects.requireNonNull(citizenKey, "citizenKey");
      Objects.requireNonNull(query, "query");
      MessageDigest sha = SHA256.get();
      byte[] citizen = citizenKey.getBytes(StandardCharsets.UTF_8);
      // Length prefix, so that ("ab", "c") and ("a", "bc") differ.
      sha.update(Integer.toString(citizen.length).getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) ':');
      sha.update(citizen);
      sha.update(query.getBytes(StandardCharsets.UTF_8));
      return new Key(department, service, HexFormat.of().formatHex(sha.digest()));
    }

    /** One digest per thread, reused (digest() resets it): no provider look-up per call. */
    private static final ThreadLocal<MessageDigest> SHA256 =
        ThreadLocal.withInitial(
            () -> {
              try {
                return MessageDigest.getInstance("SHA-256");
              } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
              }
            });
  }
}
