package cn.govgate.partners;

import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A partner's quota of one window (a second, or a Beijing day), shared by every instance without a
 * shared row being updated on every request: an instance leases a chunk of the window's quota from
 * PostgreSQL ({@link PartnerStore#lease}, one atomic statement) and admits requests from its lease
 * in memory until it is spent, then leases again. Together the instances never admit more than the
 * quota (a lease is only granted from what no instance has leased yet); the price is on the other
 * side: a request may be refused while another instance still holds an unused part of its lease —
 * at most {@link #chunk} per instance and window. Small quotas lease one request at a time, which
 * is the exact count per request.
 */
final class QuotaLeases {
  private final PartnerStore store;
  private final Map<String, Lease> leases = new ConcurrentHashMap<>();

  QuotaLeases(PartnerStore store) {
    this.store = store;
  }

  /** What this instance holds of one window; guarded by its own monitor. */
  private static final class Lease {
    long window = Long.MIN_VALUE;
    int remaining;
  }

  /**
   * How many requests one lease covers: a sixteenth of the quota per second, and of the day's at
   * most one second's quota (so a day's last requests are not held by one instance for long).
   */
  static int chunk(char kind, int quota, int perSecond) {
    int c = kind == 's' ? quota / 16 : Math.min(quota / 64, perSecond);
    return Math.max(1, c);
  }

  /**
   * Takes one request from this instance's lease of the window; leases a chunk when it is spent.
   *
   * @return true when the request is within the quota
   */
  Future<Boolean> take(String appId, char kind, long window, int quota, int perSecond) {
    Lease lease = leases.computeIfAbsent(appId + ' ' + kind, k -> new Lease());
    synchronized (lease) {
      if (lease.window == window && lease.remaining > 0) {
        lease.remaining--;
        return Future.succeededFuture(true);
      }
    }
    int chunk = chunk(kind, quota, perSecond);
    return store
        .lease(appId, kind, window, chunk, quota)
        .map(
            asked -> {
              // The counter holds every chunk asked for (it stops at quota + chunk once spent);
              // what was left for this one is the quota minus what was asked before it.
              long before = asked - chunk;
              int granted = (int) Math.max(0, Math.min(chunk, quota - before));
              if (granted == 0) return false;
              synchronized (lease) {
                if (window > lease.window) {
                  lease.window = window;
                  lease.remaining = 0;
                }
                if (window == lease.window) lease.remaining += granted - 1;
              }
              return true;
            });
  }
}
