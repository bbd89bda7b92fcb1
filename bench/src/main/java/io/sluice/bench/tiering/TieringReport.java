package io.sluice.bench.tiering;

import io.sluice.bench.MachineInfo;
import io.sluice.bench.MarkdownReport;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Writes the tiering benchmark's markdown report. */
final class TieringReport extends MarkdownReport {

  private TieringReport() {}

  static void write(
      TieringBench.Settings settings,
      List<TieringBench.Timed> timings,
      TieringBench.Freshness freshness,
      List<String> notes,
      Duration took,
      String startLoad)
      throws IOException {
    TieringReport r = new TieringReport();
    r.markdown(settings, timings, freshness, notes, took, startLoad);
    Files.createDirectories(settings.report().toAbsolutePath().getParent());
    Files.writeString(settings.report(), r.out.toString());
  }

  private void markdown(
      TieringBench.Settings s,
      List<TieringBench.Timed> timings,
      TieringBench.Freshness f,
      List<String> notes,
      Duration took,
      String startLoad) {
    line("# Tiering benchmark");
    line();
    line(
        MachineInfo.writtenBy("run-tiering-bench.sh", TieringBench.class, took)
            + " Rerun from the repository root with `bench/run-tiering-bench.sh`.");
    line();
    out.append(MachineInfo.markdownSection(startLoad));
    line(
        "Everything runs in one JVM on local files: the object store (`file://`), the SQLite"
            + " metadata store and the lake warehouse (Paimon filesystem catalog, Iceberg JDBC"
            + " catalog on SQLite) sit in `"
            + s.workDir()
            + "`. No network is involved.");
    line();
    line("## Settings");
    line();
    line(
        "Table: 6 columns (bigint id not null, string, decimal(12,2), timestamp, int, double),"
            + " bucket key `id`, 4 buckets, lake formats `[\"paimon\"]` (`[\"iceberg\"]` for the"
            + " Iceberg rows).");
    line();
    line("| setting | value |");
    line("| --- | --- |");
    line("| rows per throughput round | " + s.rows() + " |");
    line("| rows per Arrow request body | " + s.batchRows() + " |");
    line(
        "| measured rounds (after one warm-up round of "
            + s.warmupRows()
            + " rows) | "
            + s.rounds()
            + " |");
    line(
        "| freshness phase | "
            + s.freshnessSeconds()
            + " s of writes, "
            + s.writesPerSecond()
            + " requests/s of "
            + s.rowsPerWrite()
            + " rows |");
    line("| table lake freshness | " + s.freshness() + " |");
    line("| scheduler | `ScheduledRun.runOnce()` every 1 s |");
    line();

    line("## Throughput: tiering against the lake libraries' own writers");
    line();
    line(
        "- **sluice-paimon**: the rows are appended through `AppendService` first (not timed);"
            + " the clock covers one `TieringService.tier` run: lease, reading the log slices from"
            + " the object store, decoding the segments, converting Arrow to Paimon rows, Paimon's"
            + " writer (`TableWriteImpl.write(row, bucket)`), the fenced commit and the metadata"
            + " update.");
    line(
        "- **paimon-writer** (baseline): Paimon's `BatchWriteBuilder` writing the same rows from"
            + " memory (pre-built `GenericRow`s, built before the clock starts) into a fresh table"
            + " of the same schema and options (created by the same adapter), then committing.");
    line(
        "- **sluice-iceberg**: the same tiering run into Iceberg (Sluice's Iceberg adapter: Parquet"
            + " data files per bucket partition, the fenced catalog commit).");
    line(
        "- **iceberg-writer** (baseline): Iceberg's `GenericAppenderFactory` Parquet writers,"
            + " fanned out by the table's bucket partition (`PartitionedFanoutWriter`), writing the"
            + " same rows from memory (pre-built records) into a fresh table of the same schema,"
            + " spec and properties (created by the same adapter), then one append commit.");
    line();
    line("| round | what | rows | seconds | rows/s |");
    line("| --- | --- | ---: | ---: | ---: |");
    for (TieringBench.Timed t : timings) {
      line(
          String.format(
              Locale.ROOT,
              "| %s | %s | %,d | %.2f | %,.0f |",
              t.round() == 0 ? "warm-up" : Integer.toString(t.round()),
              t.what(),
              t.rows(),
              t.seconds(),
              t.rowsPerSecond()));
    }
    line();
    double sluice = medianRate(timings, "sluice-paimon");
    double paimon = medianRate(timings, "paimon-writer");
    double iceberg = medianRate(timings, "sluice-iceberg");
    double icebergWriter = medianRate(timings, "iceberg-writer");
    double ratio = sluice / paimon;
    line("Medians over the measured rounds:");
    line();
    line("| what | rows/s | ratio to the format's own writer | aim |");
    line("| --- | ---: | ---: | --- |");
    line(
        String.format(
            Locale.ROOT, "| sluice-paimon | %,.0f | %s | >= 0.80x |", sluice, ratio(ratio, 0.8)));
    line(String.format(Locale.ROOT, "| paimon-writer | %,.0f | 1.00x | |", paimon));
    if (!Double.isNaN(iceberg) && !Double.isNaN(icebergWriter)) {
      line(
          String.format(
              Locale.ROOT,
              "| sluice-iceberg | %,.0f | %s | >= 0.80x |",
              iceberg,
              ratio(iceberg / icebergWriter, 0.8)));
      line(String.format(Locale.ROOT, "| iceberg-writer | %,.0f | 1.00x | |", icebergWriter));
    }
    line();

    line("## Lake freshness");
    line();
    line(
        "A writer thread sends "
            + s.writesPerSecond()
            + " Arrow requests/s of "
            + s.rowsPerWrite()
            + " rows through `AppendService` (paced; each request waits for its acknowledgement)."
            + " A scheduler thread calls `ScheduledRun.runOnce()` every second, which tiers the"
            + " table when its freshness ("
            + s.freshness()
            + ") has elapsed since its last tiering. A polling loop on the main thread checks"
            + " `LakeTable.latestTiered()` every 100 ms through its own Paimon catalog. A write's"
            + " lake freshness is the time from its acknowledgement until the reader first sees"
            + " lake offsets at or past the write's end offset in every bucket it wrote to.");
    line();
    line("| metric | value | aim |");
    line("| --- | ---: | --- |");
    line("| acknowledged writes | " + f.writes() + " (" + f.rows() + " rows) | |");
    line("| writes seen in the lake | " + f.covered() + " | all |");
    line(
        "| scheduler passes | "
            + f.tierRuns()
            + " in "
            + String.format(Locale.ROOT, "%.0f", f.seconds())
            + " s | |");
    double p50 = TieringBench.percentile(f.lagSeconds(), 50);
    double p99 = TieringBench.percentile(f.lagSeconds(), 99);
    double max =
        f.lagSeconds().length == 0 ? Double.NaN : f.lagSeconds()[f.lagSeconds().length - 1];
    line(String.format(Locale.ROOT, "| freshness p50 | %.2f s | |", p50));
    line(
        String.format(
            Locale.ROOT,
            "| freshness p99 | %s | <= 15 s |",
            p99 <= 15
                ? String.format(Locale.ROOT, "**%.2f s**", p99)
                : String.format(Locale.ROOT, "%.2f s", p99)));
    line(String.format(Locale.ROOT, "| freshness max | %.2f s | |", max));
    line();

    line("## Interpretation");
    line();
    line(
        String.format(
            Locale.ROOT,
            "- Throughput: tiering into Paimon ran at %,.0f rows/s, %.2fx Paimon's own writer"
                + " (%,.0f rows/s) on the same rows; the aim is 0.80x, %s. The difference is the"
                + " work the baseline does not do: reading and decoding the log segments from the"
                + " object store and turning Arrow vectors into Paimon rows, plus the lease and the"
                + " fenced commit. Both sides share Paimon's Parquet writing, which dominates.",
            sluice,
            ratio,
            paimon,
            ratio >= 0.8 ? "met" : "not met"));
    line(
        String.format(
            Locale.ROOT,
            "- Freshness: with freshness %s a write waits for the next tiering that is due, so"
                + " its lag is roughly uniform between the tiering run's duration and the"
                + " freshness plus the scheduler's 1 s tick plus a run: p50 %.2f s, p99 %.2f s"
                + " (aim <= 15 s, %s). The reader's 100 ms polling adds up to 0.1 s.",
            s.freshness(),
            p50,
            p99,
            p99 <= 15 ? "met" : "not met"));
    line(
        "- One JVM on 2 cores and a local disk: the numbers compare Sluice with the lake"
            + " library on the same machine; they are not what an object store (S3) would give.");
    line();
    line("## Not measured");
    line();
    line("- Lake freshness into Iceberg, and freshness under heavier or bursty load.");
    line();
    line("## Checks and failures");
    line();
    line(
        "Every timed tiering run must end TIERED with lake offsets summing to the rows written,"
            + " or the run fails.");
    line();
    if (notes.isEmpty()) {
      line("None.");
    }
    notes.forEach(n -> line("- " + n));
    line();
  }

  private static double medianRate(List<TieringBench.Timed> timings, String what) {
    return TieringBench.median(
        timings.stream()
            .filter(t -> t.round() > 0 && t.what().equals(what))
            .map(TieringBench.Timed::rowsPerSecond)
            .toList());
  }

  private static String ratio(double value, double aim) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    String text = String.format(Locale.ROOT, "%.2fx", value);
    return value >= aim ? "**" + text + "**" : text;
  }
}
