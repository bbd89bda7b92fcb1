package io.sluice.bench.ingest;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A histogram of latencies that any number of threads record into without locks: buckets 1 % wide
 * on a logarithmic scale from 1 ns to about 10^11 ns (100 s), so a quantile is exact to 1 %.
 */
final class Latencies {
  /** Buckets per factor e: each bucket is e^(1/100) wide, about 1 %. */
  private static final double PER_E = 100;

  private final AtomicLongArray buckets = new AtomicLongArray(2600);

  /** Records one latency in nanoseconds (below 1 ns counts as 1 ns). */
  void record(long nanos) {
    int index = (int) (Math.log(Math.max(1, nanos)) * PER_E);
    buckets.incrementAndGet(Math.min(index, buckets.length() - 1));
  }

  long count() {
    long count = 0;
    for (int i = 0; i < buckets.length(); i++) {
      count += buckets.get(i);
    }
    return count;
  }

  /**
   * The latency at quantile {@code q} (nearest rank) in milliseconds; NaN when none was recorded.
   */
  double millis(double q) {
    long count = count();
    if (count == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * count));
    long seen = 0;
    for (int i = 0; i < buckets.length(); i++) {
      seen += buckets.get(i);
      if (seen >= rank) {
        return Math.exp((i + 0.5) / PER_E) / 1e6; // the bucket's middle
      }
    }
    return Double.NaN; // never: seen reaches count
  }
}
