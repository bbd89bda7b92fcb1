package io.sluice.bench.scan;

import io.sluice.core.scan.TableScan;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Timed, checked passes of the scan benchmarks, and the medians and ratios their reports give: one
 * piece of code for every side of every comparison, so that the sides differ only in what they
 * read.
 */
final class Passes {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private Passes() {}

  /**
   * One timed pass of one side: rows it returned, wall-clock seconds, CPU seconds of the thread
   * that ran it, seconds the JVM's collectors reported in between, and what it read from the object
   * store.
   */
  record Pass(
      String what,
      int iteration,
      long rows,
      double seconds,
      double cpuSeconds,
      double gcSeconds,
      CountingObjectStore.Counts io) {
    boolean measured() {
      return iteration > 0;
    }
  }

  /** Rows read and the sum of one bigint column over them (a check that the rows are the same). */
  record Read(long rows, long sum) {
    Read plus(Read other) {
      return new Read(rows + other.rows, sum + other.sum);
    }
  }

  /** What one side of a comparison does in a pass. */
  interface Side {
    Read run() throws Exception;
  }

  /**
   * Runs {@code side} after a {@code System.gc()}, timing it, and checks that it read {@code rows}
   * rows whose checked column sums to {@code sum}.
   *
   * @param iteration 0 or less for a warm-up pass
   * @throws IllegalStateException when the side read other rows
   */
  static Pass timed(
      CountingObjectStore objects, String what, int iteration, long rows, long sum, Side side)
      throws Exception {
    System.gc();
    CountingObjectStore.Counts before = objects.counts();
    long gc0 = gcMillis();
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    Read read = side.run();
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
    double gcSeconds = (gcMillis() - gc0) / 1e3;
    CountingObjectStore.Counts io = objects.counts().minus(before);
    if (read.rows() != rows || read.sum() != sum) {
      throw new IllegalStateException(
          "%s returned %d rows with checksum %d, expected %d rows with %d"
              .formatted(what, read.rows(), read.sum(), rows, sum));
    }
    System.out.printf(
        "  %-2s %-13s %,d rows in %.3f s (cpu %.3f s, gc %.3f s); %,d object reads, %,.1f MB%n",
        iteration <= 0 ? "w" : Integer.toString(iteration),
        what,
        read.rows(),
        seconds,
        cpuSeconds,
        gcSeconds,
        io.reads(),
        io.bytes() / 1e6);
    return new Pass(what, iteration, read.rows(), seconds, cpuSeconds, gcSeconds, io);
  }

  /** Milliseconds the JVM's garbage collectors report having spent collecting, so far. */
  static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime)
        .filter(t -> t > 0)
        .sum();
  }

  /** Every batch of a scan: its rows and the sum of its {@code id} column. */
  static Read drain(TableScan scan) {
    long rows = 0;
    long sum = 0;
    while (scan.next()) {
      VectorSchemaRoot batch = scan.batch();
      rows += batch.getRowCount();
      sum += sum((BigIntVector) batch.getVector("id"), batch.getRowCount());
    }
    return new Read(rows, sum);
  }

  /** The sum of the first {@code rows} values of a bigint vector, nulls skipped. */
  static long sum(BigIntVector vector, int rows) {
    long sum = 0;
    for (int i = 0; i < rows; i++) {
      if (!vector.isNull(i)) {
        sum += vector.get(i);
      }
    }
    return sum;
  }

  // ---------------------------------------------------------------- medians and ratios

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** The median of {@code value} over the measured passes of side {@code what}. */
  static double median(List<Pass> passes, String what, ToDoubleFunction<Pass> value) {
    return median(
        passes.stream()
            .filter(x -> x.measured() && x.what().equals(what))
            .map(x -> value.applyAsDouble(x))
            .toList());
  }

  static double medianSeconds(List<Pass> passes, String what) {
    return median(passes, what, Pass::seconds);
  }

  /** The median of {@code numerator}'s passes over the median of {@code denominator}'s. */
  static double ratio(List<Pass> passes, String numerator, String denominator, boolean cpu) {
    ToDoubleFunction<Pass> time = cpu ? Pass::cpuSeconds : Pass::seconds;
    return median(passes, numerator, time) / median(passes, denominator, time);
  }

  /** The least {@code time} of the measured passes of side {@code what}. */
  static double fastest(List<Pass> passes, String what, ToDoubleFunction<Pass> time) {
    return passes.stream()
        .filter(x -> x.measured() && x.what().equals(what))
        .mapToDouble(time)
        .min()
        .orElse(Double.NaN);
  }

  /** A ratio as {@code 1.23x}, or {@code n/a}. */
  static String fmt(double ratio) {
    return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2fx", ratio);
  }

  /** Every pass as a Markdown table, ending in an empty line. */
  static String markdownTable(List<Pass> passes) {
    StringBuilder md = new StringBuilder();
    md.append(
            "| iteration | side | rows | seconds | CPU seconds | GC seconds | object reads | MB read"
                + " |\n")
        .append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Pass x : passes) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %,d | %.3f | %.3f | %.3f | %,d | %.1f |\n",
              x.measured() ? Integer.toString(x.iteration()) : "warm-up",
              x.what(),
              x.rows(),
              x.seconds(),
              x.cpuSeconds(),
              x.gcSeconds(),
              x.io().reads(),
              x.io().bytes() / 1e6));
    }
    return md.append('\n').toString();
  }
}
