package io.sluice.bench.scan;

import io.sluice.bench.MachineInfo;
import io.sluice.bench.ReportSections;
import io.sluice.bench.scan.PartitionScanBench.Pass;
import io.sluice.bench.scan.PartitionScanBench.Settings;
import io.sluice.bench.scan.PartitionScanBench.Setup;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.table.LakeFormatName;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Writes the partition-scan section of {@code bench/reports/partitions.md}. */
final class PartitionScanReport {
  private PartitionScanReport() {}

  static void write(
      Settings settings, Setup setup, List<Pass> passes, Duration took, String startLoad)
      throws IOException {
    int days = settings.days();
    int middle = days / 2;
    StringBuilder md = new StringBuilder();
    md.append("## Union scan of one day out of ").append(days).append("\n\n");
    md.append(MachineInfo.writtenBy("run-partition-scan-bench.sh", PartitionScanBench.class, took))
        .append(
            " Rerun from the repository root with `bench/run-partition-scan-bench.sh` (one JVM,"
                + " local files; it rewrites only this section).\n\n");

    md.append("### Summary\n\n")
        .append(
            "Bytes and requests that a union scan filtered to one day reads, over those of a"
                + " union scan of every row (Sluice's object store and the lake's files together;"
                + " the ideal is the day's share of the rows, 1/")
        .append(days)
        .append(" = ")
        .append(fmt3(1.0 / days))
        .append("):\n\n")
        .append("| lake | full scan: MB, requests | day ")
        .append(middle + 1)
        .append(
            ": MB, requests | bytes day ÷ full | over all days: median (min–max) | requests day ÷"
                + " full | lake data bytes day ÷ full | aim |\n")
        .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (LakeFormatName format : settings.formats()) {
      List<Pass> own = passes.stream().filter(p -> p.format() == format).toList();
      if (own.isEmpty()) {
        continue;
      }
      Pass full = first(own, -1);
      Pass day = first(own, middle);
      List<Double> ratios =
          own.stream()
              .filter(p -> !p.full() && p.repeat() == 1)
              .map(p -> (double) p.bytes() / full.bytes())
              .toList();
      double ratio = (double) day.bytes() / full.bytes();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.1f MB, %,d | %.2f MB, %,d | **%s** | %s (%s–%s) | %s | %s | ≈ %s: %s |\n",
              format.apiName(),
              full.bytes() / 1e6,
              full.requests(),
              day.bytes() / 1e6,
              day.requests(),
              fmt3(ratio),
              fmt3(Passes.median(ratios)),
              fmt3(ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN)),
              fmt3(ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)),
              fmt3((double) day.requests() / full.requests()),
              fmt3((double) day.lake().dataBytes() / full.lake().dataBytes()),
              fmt3(1.0 / days),
              ratio < 1.5 / days ? "met" : "not met"));
    }
    md.append(
        "\nByte and request counts depend only on the data and the code, not on the machine or"
            + " its load: every pass reads through reading services of its own (no footer,"
            + " offsets file or lake metadata cached by an earlier pass), and the second full"
            + " scan and the second scan of day "
            + (middle + 1)
            + " of each lake counted the same as the first ("
            + (repeatsAgree(passes, middle) ? "checked in this run" : "**not so in this run**")
            + "). The seconds and the `others` column (the share of the machine's CPU used by"
            + " processes outside the benchmark) only qualify the times, which are given for"
            + " reading, not compared.\n\n");

    md.append("### What was measured\n\n")
        .append(
            String.format(
                Locale.ROOT,
                "One table `events`: the 20 columns of the union-read benchmark (bench/reports/"
                    + "union-scan.md) plus `t timestamp not null` after `id`, `\"partitionBy\":"
                    + " [\"day(t)\"]`, bucket key `id`, 4 buckets per partition, lake formats"
                    + " %s; written in one JVM on local files (`file://` object store, SQLite"
                    + " metadata store, Paimon's filesystem catalog and Iceberg's JDBC catalog on"
                    + " SQLite) as `ScanStores` wires them, tiered offsets kept as the server"
                    + " keeps them (in the snapshot, or past 2,048 characters in an offsets file of"
                    + " the object store).\n\n"
                    + "- %d days from %s, %,d rows a day appended as Arrow bodies of %,d rows"
                    + " (one day per write, in %.1f s), then one tiering run of those %,d rows"
                    + " into every lake format (%.1f s), then a tail of %,d rows a day (one write"
                    + " per day) that stays in the log: %,d rows in all, each day holding 1/%d"
                    + " of them. `t` spreads over each day and hits its first and its last"
                    + " microsecond.\n"
                    + "- On disk: Paimon's data files %.1f MB, Iceberg's %.1f MB, the log's"
                    + " segments %.1f MB (the tiered rows' segments are still there: the log"
                    + " keeps them for its retention).\n"
                    + "- Per lake format: a `ScanService` union scan (source `UNION`, every"
                    + " column) of every row, then for each day the same scan with the filter"
                    + " `{\"and\": [{\"column\": \"t\", \"op\": \">=\", \"value\":"
                    + " \"<day>T00:00:00\"}, {\"column\": \"t\", \"op\": \"<\", \"value\":"
                    + " \"<next day>T00:00:00\"}]}`, the body `POST /v1/tables/events/scan` takes;"
                    + " then the full scan and day %d once more.\n"
                    + "- Counted: Sluice's object store through a counting wrapper (GETs: ranged,"
                    + " tail and whole; LISTs; bytes returned), segments (`log/`) apart from"
                    + " offsets files (`tiered-offsets/`); each lake's file reads through a"
                    + " counting file IO the format was opened with (lake options"
                    + " `paimon.file-io-loader` and `iceberg.io-impl`): data files (Parquet) apart"
                    + " from metadata files (snapshot, schema, manifest list, manifests, table"
                    + " metadata), a GET per run of contiguous reads of an open file (a seek"
                    + " elsewhere starts another, as an object-store stream issues another ranged"
                    + " GET) or per positioned read, HEADs (status, exists, length) and LISTs."
                    + " Not counted: the metadata store (the table, its partitions, the heads of"
                    + " the buckets scanned) and the Iceberg catalog's row in SQLite.\n"
                    + "- Checked: the full scan returns every row, a day's scan exactly that"
                    + " day's rows (count and sum of ids) and no `t` outside the day; the run"
                    + " fails otherwise.\n\n",
                settings.formats().stream().map(LakeFormatName::apiName).toList(),
                days,
                settings.firstDay(),
                (long) settings.rowsPerDay(),
                (long) settings.batchRows(),
                setup.appendSeconds(),
                setup.tieredRows(),
                setup.tierSeconds(),
                (long) settings.tailRowsPerDay(),
                setup.rows(),
                days,
                setup.bytesOnDisk().get("paimon") / 1e6,
                setup.bytesOnDisk().get("iceberg") / 1e6,
                setup.bytesOnDisk().get("log") / 1e6,
                middle + 1));

    md.append("### Machine\n\n| what | value |\n| --- | --- |\n")
        .append(MachineInfo.markdownRows())
        .append("| max heap | ")
        .append(MachineInfo.maxHeap())
        .append(" |\n| load average (1, 5, 15 min) at the start | ")
        .append(startLoad)
        .append(" |\n| load average at the end | ")
        .append(MachineInfo.loadAverage())
        .append(" |\n\n");

    md.append("### Passes\n\n")
        .append(
            "Requests and bytes per scan: the log's segments, the offsets file, the lake's data"
                + " files and metadata files, the lake's HEADs and LISTs; then the totals. The"
                + " rows over all days give the least, median and greatest of the "
                + days
                + " day scans.\n\n");
    for (LakeFormatName format : settings.formats()) {
      List<Pass> own = passes.stream().filter(p -> p.format() == format).toList();
      if (own.isEmpty()) {
        continue;
      }
      md.append("**").append(format.apiName()).append("**\n\n");
      md.append(
              "| scan | rows | log GETs | log KB | offsets file GETs | offsets file KB | lake"
                  + " data GETs | lake data KB | lake metadata GETs | lake metadata KB | lake"
                  + " HEADs + LISTs | requests | KB | seconds | others |\n")
          .append(
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---:"
                  + " | ---: | ---: | ---: |\n");
      for (Pass p : own) {
        boolean shown =
            p.full() || p.day() == 0 || p.day() == middle || p.day() == days - 1 || p.repeat() > 1;
        if (shown) {
          md.append(row(label(p), p));
        }
      }
      List<Pass> dayPasses = own.stream().filter(p -> !p.full() && p.repeat() == 1).toList();
      md.append(statRow("least over all days", dayPasses, 0.0))
          .append(statRow("median over all days", dayPasses, 0.5))
          .append(statRow("greatest over all days", dayPasses, 1.0))
          .append('\n');
    }

    md.append("### Where the bytes go\n\n");
    for (LakeFormatName format : settings.formats()) {
      List<Pass> own = passes.stream().filter(p -> p.format() == format).toList();
      if (own.isEmpty()) {
        continue;
      }
      Pass full = first(own, -1);
      Pass day = first(own, middle);
      long fullData = full.lake().dataBytes() + full.log().bytes();
      long dayData = day.lake().dataBytes() + day.log().bytes();
      long fullFixed = full.bytes() - fullData;
      long dayFixed = day.bytes() - dayData;
      md.append(
          String.format(
              Locale.ROOT,
              "- **%s**: the rows themselves (lake data files and log segments, footers"
                  + " included) are %.1f MB in the full scan and %.1f MB in the scan of day %d,"
                  + " a ratio of %s. Every scan also reads a part that does not shrink with the"
                  + " filter: the lake's metadata (%.1f KB in the full scan, %.1f KB for one"
                  + " day, in %d and %d GETs) and %s, %.1f KB in the full scan"
                  + " and %.1f KB in the day's. That part is %.1f%% of the day's bytes, which"
                  + " is why its ratio is %s rather than %s; with more rows a day it matters"
                  + " less, with fewer more. The lake's HEADs and LISTs: %d and %d.\n",
              format.apiName(),
              fullData / 1e6,
              dayData / 1e6,
              middle + 1,
              fmt3((double) dayData / fullData),
              full.lake().metadataBytes() / 1e3,
              day.lake().metadataBytes() / 1e3,
              full.lake().metadataReads(),
              day.lake().metadataReads(),
              day.offsetsFile().requests() == 0
                  ? String.format(
                      Locale.ROOT,
                      "no offsets file: the tiered offsets of %d partitions are %,d characters"
                          + " of JSON, within the %,d a snapshot property holds, so the lake"
                          + " snapshot holds them inline and its metadata bytes include them (past"
                          + " that, one GET of an offsets file of about that size, the same for"
                          + " any filter, since it names every partition)",
                      days,
                      setup.offsetsJsonChars(),
                      OffsetsFiles.MAX_INLINE_CHARS)
                  : String.format(
                      Locale.ROOT,
                      "the offsets file (%.1f KB in %d GET, the same in both: it names every"
                          + " partition's offsets)",
                      day.offsetsFile().bytes() / 1e3,
                      day.offsetsFile().requests()),
              fullFixed / 1e3,
              dayFixed / 1e3,
              100.0 * dayFixed / day.bytes(),
              fmt3((double) day.bytes() / full.bytes()),
              fmt3((double) dayData / fullData),
              full.lake().heads() + full.lake().lists(),
              day.lake().heads() + day.lake().lists()));
    }
    md.append(
        "\nIn the log, a day's scan reads only the segments of that day's partition: the pruner"
            + " leaves out every other partition before any head, index page or segment of it is"
            + " read, and each tail write held one day, so its segment holds nothing of another."
            + " In the lake, Paimon and Iceberg get the filter and skip the other partitions'"
            + " manifest entries and data files; a day's files are 1/"
            + days
            + " of the data files, so their bytes follow.\n\n");

    ReportSections.write(settings.report(), PartitionScanBench.SECTION, md.toString());
  }

  private static boolean repeatsAgree(List<Pass> passes, int middle) {
    for (Pass again : passes.stream().filter(p -> p.repeat() > 1).toList()) {
      Pass once =
          passes.stream()
              .filter(p -> p.format() == again.format() && p.day() == again.day())
              .findFirst()
              .orElseThrow();
      if (once.bytes() != again.bytes() || once.requests() != again.requests()) {
        return false;
      }
    }
    return true;
  }

  private static Pass first(List<Pass> passes, int day) {
    return passes.stream().filter(p -> p.day() == day).findFirst().orElseThrow();
  }

  private static String label(Pass p) {
    String what = p.full() ? "all days" : "day " + (p.day() + 1);
    return p.repeat() > 1 ? what + " (again)" : what;
  }

  private static String row(String label, Pass p) {
    return String.format(
        Locale.ROOT,
        "| %s | %,d | %,d | %,.1f | %,d | %,.1f | %,d | %,.1f | %,d | %,.1f | %,d | %,d | %,.1f |"
            + " %.2f | %.0f%% |\n",
        label,
        p.rows(),
        p.log().requests(),
        p.log().bytes() / 1e3,
        p.offsetsFile().requests(),
        p.offsetsFile().bytes() / 1e3,
        p.lake().dataReads(),
        p.lake().dataBytes() / 1e3,
        p.lake().metadataReads(),
        p.lake().metadataBytes() / 1e3,
        p.lake().heads() + p.lake().lists(),
        p.requests(),
        p.bytes() / 1e3,
        p.seconds(),
        100 * p.others());
  }

  /** A row of the {@code q}-quantile (0, 0.5 or 1) of every column over {@code passes}. */
  private static String statRow(String label, List<Pass> passes, double q) {
    return String.format(
        Locale.ROOT,
        "| %s | %,.0f | %,.0f | %,.1f | %,.0f | %,.1f | %,.0f | %,.1f | %,.0f | %,.1f | %,.0f |"
            + " %,.0f | %,.1f | %.2f | %.0f%% |\n",
        label,
        quantile(passes, q, p -> p.rows()),
        quantile(passes, q, p -> p.log().requests()),
        quantile(passes, q, p -> p.log().bytes() / 1e3),
        quantile(passes, q, p -> p.offsetsFile().requests()),
        quantile(passes, q, p -> p.offsetsFile().bytes() / 1e3),
        quantile(passes, q, p -> p.lake().dataReads()),
        quantile(passes, q, p -> p.lake().dataBytes() / 1e3),
        quantile(passes, q, p -> p.lake().metadataReads()),
        quantile(passes, q, p -> p.lake().metadataBytes() / 1e3),
        quantile(passes, q, p -> p.lake().heads() + p.lake().lists()),
        quantile(passes, q, p -> p.requests()),
        quantile(passes, q, p -> p.bytes() / 1e3),
        quantile(passes, q, Pass::seconds),
        100 * quantile(passes, q, Pass::others));
  }

  private static double quantile(List<Pass> passes, double q, ToDoubleFunction<Pass> value) {
    List<Double> values = passes.stream().map(p -> value.applyAsDouble(p)).toList();
    if (q == 0.5) {
      return Passes.median(values);
    }
    return q == 0
        ? values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN)
        : values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private static String fmt3(double value) {
    return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.3f", value);
  }
}
