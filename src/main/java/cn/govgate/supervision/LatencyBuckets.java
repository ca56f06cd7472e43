package cn.govgate.supervision;

/**
 * The fixed log histogram of department-call latencies that instances write and the published
 * percentiles are read from. Bucket 0 holds calls under {@value #BASE_MICROS} µs; bucket {@code i ≥
 * 1} holds {@code [BASE·RATIO^(i−1), BASE·RATIO^i)} µs; the last bucket is open-ended (over about
 * 134 s, beyond any deadline). Histograms of any instances and minutes add bucket by bucket, so
 * percentiles of a month are exact up to the bucket width.
 *
 * <p>Tolerance: a percentile is the nearest-rank value ({@code ⌈p·N⌉}-th smallest) reported as the
 * geometric middle of its bucket, so it is within a factor {@code √1.1} (−4.7 %, +4.9 %) of the
 * exact nearest-rank value; in bucket 0 it is reported as 0.05 ms (within 0.05 ms).
 */
public final class LatencyBuckets {
  /** Growth factor from one bucket to the next. */
  public static final double RATIO = 1.1;

  /** Upper bound of bucket 0 in microseconds (0.1 ms). */
  public static final long BASE_MICROS = 100;

  /** Number of buckets. */
  public static final int COUNT = 150;

  /** Largest relative error of a reported percentile outside bucket 0: √RATIO − 1. */
  public static final double RELATIVE_TOLERANCE = Math.sqrt(RATIO) - 1;

  private static final double LOG_RATIO = Math.log(RATIO);

  private LatencyBuckets() {}

  /** The bucket of a latency. */
  public static int index(long micros) {
    if (micros < BASE_MICROS) return 0;
    int i = (int) Math.floor(Math.log((double) micros / BASE_MICROS) / LOG_RATIO) + 1;
    return Math.min(i, COUNT - 1);
  }

  /**
   * The value a bucket stands for, in milliseconds: its geometric middle (0.05 ms for bucket 0).
   */
  public static double millis(int index) {
    if (index <= 0) return BASE_MICROS / 2000.0;
    return BASE_MICROS * Math.pow(RATIO, index - 0.5) / 1000.0;
  }

  /**
   * The nearest-rank percentile {@code p} (0 &lt; p ≤ 1) of a histogram given as counts per bucket,
   * in milliseconds; NaN when it is empty.
   */
  public static double percentile(long[] counts, double p) {
    long total = 0;
    for (long c : counts) total += c;
    if (total == 0) return Double.NaN;
    long rank = (long) Math.ceil(p * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) return millis(i);
    }
    return millis(counts.length - 1);
  }
}
