package io.sluice.bench.scan;

import static io.sluice.bench.scan.Passes.fastest;
import static io.sluice.bench.scan.Passes.fmt;
import static io.sluice.bench.scan.Passes.median;
import static io.sluice.bench.scan.Passes.medianSeconds;
import static io.sluice.bench.scan.Passes.ratio;

import io.sluice.bench.MachineInfo;
import io.sluice.bench.MarkdownReport;
import io.sluice.bench.scan.Passes.Pass;
import io.sluice.bench.scan.PrimaryKeyBench.Appends;
import io.sluice.bench.scan.PrimaryKeyBench.Held;
import io.sluice.bench.scan.PrimaryKeyBench.Result;
import io.sluice.bench.scan.PrimaryKeyBench.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/** Writes the primary-key benchmark's markdown report. */
final class PrimaryKeyReport extends MarkdownReport {

  private PrimaryKeyReport() {}

  static void write(
      Settings settings, Result result, List<String> notes, Duration took, String startLoad)
      throws IOException {
    PrimaryKeyReport r = new PrimaryKeyReport();
    r.markdown(settings, result, notes, took, startLoad);
    Files.createDirectories(settings.report().toAbsolutePath().getParent());
    Files.writeString(settings.report(), r.out.toString());
  }

  private void markdown(Settings s, Result r, List<String> notes, Duration took, String startLoad) {
    line("# Primary-key benchmark");
    line();
    line(MachineInfo.writtenBy("run-pk-bench.sh", PrimaryKeyBench.class, took));
    line();
    summary(s, r);
    out.append(MachineInfo.markdownSection(startLoad));
    line(
        "Everything runs in one JVM on local files (`file://` object store, SQLite metadata store,"
            + " Paimon filesystem catalog) in `"
            + s.workDir().toAbsolutePath().normalize()
            + "`; no network. The machine is shared: read the ratios, not the absolute times.");
    line();
    settings(s);
    appends(s, r);
    scans(s, r);
    memory(s, r);
    reading(s, r);
    line("## Checks and failures");
    line();
    line(
        "Every scan pass checks the number of rows and the sum of `id` before its time counts:"
            + " the primary-key table must return each key once (its tail's updates merged in),"
            + " the log table every row written; each tiering run must commit every appended"
            + " row.");
    line();
    if (notes.isEmpty()) {
      line("None.");
    }
    notes.forEach(n -> line("- " + n));
    line();
  }

  private void summary(Settings s, Result r) {
    line("## Summary");
    line();
    line("| measurement | primary-key table | log table | ratio pk / log |");
    line("| --- | ---: | ---: | ---: |");
    line(
        row(
            "upserts of %,d distinct keys, rows/s".formatted(s.keys()),
            "%,.0f | %,.0f | %s",
            r.pkLoad().rowsPerSecond(),
            r.logLoad().rowsPerSecond(),
            fmt(r.pkLoad().rowsPerSecond() / r.logLoad().rowsPerSecond())));
    line(
        row(
            "partial updates of %,d keys, rows/s".formatted(s.updateRows()),
            "%,.0f | %,.0f | %s",
            r.pkUpdates().rowsPerSecond(),
            r.logUpdates().rowsPerSecond(),
            fmt(r.pkUpdates().rowsPerSecond() / r.logUpdates().rowsPerSecond())));
    line(
        row(
            "first tiering run into Paimon, s",
            "%.1f | %.1f | %s",
            r.pkTierSeconds(),
            r.logTierSeconds(),
            fmt(r.pkTierSeconds() / r.logTierSeconds())));
    List<Pass> p = r.passes();
    line(
        row(
            "union scan of the whole table, s (median; CPU in brackets)",
            "%.2f (%.2f) | %.2f (%.2f) | %s (CPU %s)",
            medianSeconds(p, PrimaryKeyBench.PK_UNION),
            median(p, PrimaryKeyBench.PK_UNION, Pass::cpuSeconds),
            medianSeconds(p, PrimaryKeyBench.LOG_UNION),
            median(p, PrimaryKeyBench.LOG_UNION, Pass::cpuSeconds),
            fmt(ratio(p, PrimaryKeyBench.PK_UNION, PrimaryKeyBench.LOG_UNION, false)),
            fmt(ratio(p, PrimaryKeyBench.PK_UNION, PrimaryKeyBench.LOG_UNION, true))));
    Held pkHeld = held(r, PrimaryKeyBench.PK_UNION);
    Held logHeld = held(r, PrimaryKeyBench.LOG_UNION);
    line(
        row(
            "heap a union scan holds after its first batch, MB",
            "%,.1f | %,.1f | ",
            pkHeld.heapBytes() / 1e6,
            logHeld.heapBytes() / 1e6));
    line();
    line(
        ("Throughput ratios above 1 favour the primary-key table; time ratios below 1 do. Both"
                + " tables hold the same %,d rows in the lake and the same %,d rows of log tail; the"
                + " primary-key table's union returns %,d rows (one per key), the log table's %,d.")
            .formatted(s.keys(), s.updateRows(), s.keys(), s.keys() + s.updateRows()));
    line();
  }

  private void settings(Settings s) {
    line("## Settings");
    line();
    line(
        "Two tables of the union-scan benchmark's 20 columns (`id` bigint not null, 5 more"
            + " bigint, 5 double, 5 string, 4 decimal(18,4)), bucket key `id`, 4 buckets, lake"
            + " format Paimon: `events_log` (a log table) and `events_pk` (primary key `id`,"
            + " `mergeEngine` `last_row`).");
    line();
    line("| setting | value |");
    line("| --- | --- |");
    line(row("distinct keys upserted into each table (`pk.keys`)", "%,d", s.keys()));
    line(row("rows per Arrow request body (`pk.batchRows`)", "%,d", s.batchRows()));
    line(
        row(
            "partial updates: every n-th key (`pk.updateEvery`)",
            "%d, so %,d rows giving `id` and %s (`pk.updateColumns`)",
            s.every(),
            s.updateRows(),
            String.join(", ", s.updateColumns().stream().map(c -> "`" + c + "`").toList())));
    line(
        row(
            "scans: warm-up, then measured iterations (`pk.scanWarmups`, `pk.scanIterations`)",
            "%d, %d",
            s.scanWarmups(),
            s.scanIterations()));
    line();
    line("Rerun from the repository root:");
    line();
    line("```sh");
    line("bench/run-pk-bench.sh                                   # 1,000,000 keys");
    line("PK_OPTS=\"-Dpk.keys=200000\" bench/run-pk-bench.sh /tmp/pk.md   # smaller");
    line("```");
    line();
  }

  private void appends(Settings s, Result r) {
    line("## 1. Upserts and partial updates");
    line();
    line(
        "Each Arrow body is built once, outside the clock, and appended through `AppendService`"
            + " to both tables, one after the other, alternating which table goes first from one"
            + " body to the next; each `append` call is timed (decode, checks, segment encode,"
            + " object put, metadata commit). Rows/s is the rows over the sum of a table's append"
            + " times.");
    line();
    line("| phase | table | rows | seconds | rows/s | append p50 (ms) | append p99 (ms) |");
    line("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for (Appends a : List.of(r.pkLoad(), r.logLoad())) {
      appendRow("upserts of new keys", a);
    }
    for (Appends a : List.of(r.pkUpdates(), r.logUpdates())) {
      appendRow("partial updates", a);
    }
    line();
    line(
        "Tiering, once after the upserts, one `TieringService.tier` run per table: the"
            + " primary-key table %.1f s, the log table %.1f s (%s)."
                .formatted(
                    r.pkTierSeconds(),
                    r.logTierSeconds(),
                    fmt(r.pkTierSeconds() / r.logTierSeconds())));
    line();
  }

  private void appendRow(String phase, Appends a) {
    line(
        row(
            phase,
            "%s | %,d | %.2f | %,.0f | %.1f | %.1f",
            a.table(),
            a.rows(),
            a.total(),
            a.rowsPerSecond(),
            a.quantile(0.5) * 1e3,
            a.quantile(0.99) * 1e3));
  }

  private void scans(Settings s, Result r) {
    List<Pass> p = r.passes();
    line("## 2. Union scans");
    line();
    line(
        "- **pk union**: `ScanService` union scan (all columns, lake Paimon) of the primary-key"
            + " table: reads the whole log tail into memory, then streams the lake snapshot and"
            + " merges each key's tail rows into its lake row, then the keys only the log holds.");
    line(
        "- **log union**: the same scan of the log table: the lake snapshot's rows plus the log"
            + " tail's rows, streamed.");
    line(
        "- **pk lake only**: the primary-key table with `source=LAKE`: the lake read without the"
            + " tail or the merge, to split the primary-key union's cost.");
    line();
    line(
        "The three sides run back to back, their order rotating per iteration; a `System.gc()`"
            + " runs before each pass; the consumer counts rows and sums `id`.");
    line();
    out.append(Passes.markdownTable(p));
    line("| side | median s | median CPU s | fastest s | / log union (wall) | / log union (CPU) |");
    line("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (String what :
        List.of(PrimaryKeyBench.PK_UNION, PrimaryKeyBench.LOG_UNION, PrimaryKeyBench.PK_LAKE)) {
      line(
          row(
              what,
              "%.2f | %.2f | %.2f | %s | %s",
              medianSeconds(p, what),
              median(p, what, Pass::cpuSeconds),
              fastest(p, what, Pass::seconds),
              fmt(ratio(p, what, PrimaryKeyBench.LOG_UNION, false)),
              fmt(ratio(p, what, PrimaryKeyBench.LOG_UNION, true))));
    }
    line();
  }

  private void memory(Settings s, Result r) {
    line("## 3. What a union scan holds");
    line();
    line(
        "Measured in an untimed pass per table: the live heap (used heap after two"
            + " `System.gc()`) and the Arrow buffers allocated, once the scan has returned its"
            + " first batch, minus the same before it opened.");
    line();
    line("| scan | heap held, MB | Arrow buffers, MB | log tail rows | heap per tail row, bytes |");
    line("| --- | ---: | ---: | ---: | ---: |");
    for (Held h : r.held()) {
      line(
          row(
              h.what(),
              "%,.1f | %,.1f | %,d | %,.0f",
              h.heapBytes() / 1e6,
              h.arrowBytes() / 1e6,
              h.tailRows(),
              (double) h.heapBytes() / h.tailRows()));
    }
    line();
  }

  private void reading(Settings s, Result r) {
    List<Pass> p = r.passes();
    double union = ratio(p, PrimaryKeyBench.PK_UNION, PrimaryKeyBench.LOG_UNION, true);
    double lake = ratio(p, PrimaryKeyBench.PK_LAKE, PrimaryKeyBench.LOG_UNION, true);
    double pkUnionCpu = median(p, PrimaryKeyBench.PK_UNION, Pass::cpuSeconds);
    double pkLakeCpu = median(p, PrimaryKeyBench.PK_LAKE, Pass::cpuSeconds);
    Held held = held(r, PrimaryKeyBench.PK_UNION);
    double perRow = (double) held.heapBytes() / held.tailRows();
    line("## Reading");
    line();
    line(
        ("- **Upserts** (%s by rows/s, %d bodies per table): a primary-key table's append is the"
                + " log table's append plus two string columns (`_op`, `_unset`) filled per row"
                + " and a per-row check (`PrimaryKeyRows.check`: `_op` parsed from a new String,"
                + " the `_unset` list split, each key and non-null column looked at). No key is"
                + " looked up at write time, so an upsert costs about what an append costs; on"
                + " this busy machine single appends vary by tens of percent, so a ratio within"
                + " about 0.8x-1.25x says \"the same\". The partial updates (%s) are %d bodies"
                + " per table, too few for a steady ratio; their bodies carry 3 of 20 columns and"
                + " both tables store the other 17 as nulls (the log table) or as unset (the"
                + " primary-key table).")
            .formatted(
                fmt(r.pkLoad().rowsPerSecond() / r.logLoad().rowsPerSecond()),
                s.loadBatches(),
                fmt(r.pkUpdates().rowsPerSecond() / r.logUpdates().rowsPerSecond()),
                s.updateBatches()));
    line(
        ("- **First tiering** (%s): the primary-key table's run turns each bucket's log rows into"
                + " boxed `LogRow`s, folds them in a `KeyedRows` map and writes `+I` changes,"
                + " where the log table's run copies Arrow batches; the lake was empty, so no"
                + " lake rows were looked up. The log table was tiered first and so also paid the"
                + " Paimon writer's warm-up: read this ratio as a rough one.")
            .formatted(fmt(r.pkTierSeconds() / r.logTierSeconds())));
    line(
        ("- **Union scan** (%s by CPU, %s by wall clock): a scan of a primary-key table with"
                + " no log tail reads the lake as a log table's scan does (the lake-only side,"
                + " %s of the log union: Paimon's merge reader of a primary-key table). With a"
                + " tail, `ScanService` reads the whole tail into memory as boxed rows (an"
                + " `Object[]`, a set of unset columns and a `RowKey` per row) before the first"
                + " row is returned, then reads every column of the lake (a filter cannot be"
                + " pushed down, since a lake row it drops may be the base of a partial update),"
                + " builds a `RowKey` from each lake row's key columns and looks it up; rows the"
                + " tail does not touch are copied as Arrow, merged ones rebuilt from values."
                + " The tail and the per-row key lookups are the remaining %.0f%% of the"
                + " primary-key union's CPU.")
            .formatted(
                fmt(union),
                fmt(ratio(p, PrimaryKeyBench.PK_UNION, PrimaryKeyBench.LOG_UNION, false)),
                fmt(lake),
                pkUnionCpu > 0 ? 100 * (pkUnionCpu - pkLakeCpu) / pkUnionCpu : Double.NaN));
    line(
        ("- **Memory**: the primary-key union holds its log tail on the heap, about %,.0f bytes"
                + " per tail row of this 20-column table, so %,.0f MB for the %,d-row tail here"
                + " and about %,.0f MB per million untiered rows. It grows with the tail, not the"
                + " table: what keeps it bounded is tiering (lake freshness). The log table's"
                + " union streams its tail (a few batches at a time; its reading is within the"
                + " noise of a heap measurement, a few MB).")
            .formatted(perRow, held.heapBytes() / 1e6, held.tailRows(), perRow));
    line();
  }

  private static Held held(Result r, String what) {
    return r.held().stream().filter(h -> h.what().equals(what)).findFirst().orElseThrow();
  }
}
