package io.sluice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs {@link SegmentCodecBenchmark} with the settings in its annotations and writes a Markdown
 * report (machine, settings, MB/s, ratios, sizes, interpretation) plus JMH's JSON results.
 *
 * <p>Usage: {@code java -jar sluice-bench-*-benchmarks.jar [report.md]}; the default report is
 * {@code bench/reports/segment-codec.md} under the working directory (or {@code
 * reports/segment-codec.md} when there is no {@code bench} directory there).
 */
public final class BenchMain {
  static final String SLUICE_ENCODE = "sluiceEncode";
  static final String SLUICE_DECODE = "sluiceDecode";
  static final String IPC_WRITE = "arrowIpcWrite";
  static final String IPC_WRITE_ZSTD = "arrowIpcWriteZstd";
  static final String IPC_READ = "arrowIpcRead";
  static final String IPC_READ_ZSTD = "arrowIpcReadZstd";
  private static final List<String> ORDER =
      List.of(SLUICE_ENCODE, IPC_WRITE, IPC_WRITE_ZSTD, SLUICE_DECODE, IPC_READ, IPC_READ_ZSTD);
  private static final double MB = 1_000_000.0;

  private BenchMain() {}

  public static void main(String[] args) throws RunnerException, IOException {
    Path report = args.length > 0 ? Path.of(args[0]) : defaultReport();
    Path json =
        report.resolveSibling(report.getFileName().toString().replaceFirst("\\.md$", "") + ".json");
    Files.createDirectories(report.toAbsolutePath().getParent());

    Sizes sizes = Sizes.measure();
    String loadBefore = MachineInfo.loadAverage();
    Options options =
        new OptionsBuilder()
            .include(SegmentCodecBenchmark.class.getName() + "\\.")
            .timeUnit(TimeUnit.SECONDS)
            .result(json.toString())
            .resultFormat(ResultFormatType.JSON)
            .build();
    Collection<RunResult> results = new Runner(options).run();
    String loadAfter = MachineInfo.loadAverage();

    Map<String, RunResult> byName = new LinkedHashMap<>();
    for (RunResult result : results) {
      String benchmark = result.getParams().getBenchmark();
      byName.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), result);
    }
    String markdown = render(byName, sizes, loadBefore, loadAfter);
    Files.writeString(report, markdown, StandardCharsets.UTF_8);
    System.out.println();
    System.out.println(markdown);
    System.out.println("Report: " + report.toAbsolutePath());
    System.out.println("JMH results: " + json.toAbsolutePath());
  }

  private static Path defaultReport() {
    Path bench = Path.of("bench");
    Path dir = Files.isDirectory(bench) ? bench.resolve("reports") : Path.of("reports");
    return dir.resolve("segment-codec.md");
  }

  /** The data sizes of one operation, measured on the same batch the benchmarks build. */
  record Sizes(
      int buckets,
      int rowsPerBucket,
      long uncompressed,
      long plainIpc,
      long zstdIpc,
      long segment,
      Map<String, Long> columns) {

    static Sizes measure() {
      SegmentCodecBenchmark state = new SegmentCodecBenchmark();
      state.setup();
      try {
        return new Sizes(
            state.buckets,
            state.rowsPerBucket,
            state.uncompressedBytes(),
            state.plainIpcBytes(),
            state.zstdIpcBytes(),
            state.segmentBytes(),
            state.columnBytes());
      } finally {
        state.tearDown();
      }
    }
  }

  /** One benchmark's throughput in MB/s of uncompressed Arrow data. */
  record Throughput(
      double mean, double error, double median, double min, double max, double opsPerSecond) {
    static Optional<Throughput> of(Map<String, RunResult> results, String name, long bytesPerOp) {
      RunResult result = results.get(name);
      if (result == null) {
        return Optional.empty();
      }
      if (!"ops/s".equals(result.getPrimaryResult().getScoreUnit())) {
        throw new IllegalStateException(
            name + " scored in " + result.getPrimaryResult().getScoreUnit() + ", expected ops/s");
      }
      Statistics stats = result.getPrimaryResult().getStatistics();
      double factor = bytesPerOp / MB;
      double error = result.getPrimaryResult().getScoreError();
      return Optional.of(
          new Throughput(
              stats.getMean() * factor,
              Double.isNaN(error) ? Double.NaN : error * factor,
              stats.getPercentile(50) * factor,
              stats.getMin() * factor,
              stats.getMax() * factor,
              stats.getMean()));
    }

    /** Whether the two ranges of per-iteration results overlap: no measurable difference. */
    boolean overlaps(Throughput other) {
      return min <= other.max && other.min <= max;
    }
  }

  /** A ratio of two throughputs, with the range its per-iteration extremes allow. */
  record Ratio(double value, double ofMedians, double low, double high, boolean overlapping) {
    static Optional<Ratio> of(Optional<Throughput> a, Optional<Throughput> b) {
      if (a.isEmpty() || b.isEmpty()) {
        return Optional.empty();
      }
      Throughput x = a.get();
      Throughput y = b.get();
      return Optional.of(
          new Ratio(
              x.mean() / y.mean(),
              x.median() / y.median(),
              x.min() / y.max(),
              x.max() / y.min(),
              x.overlaps(y)));
    }
  }

  static String render(
      Map<String, RunResult> results, Sizes sizes, String loadBefore, String loadAfter) {
    Map<String, Optional<Throughput>> mbps = new LinkedHashMap<>();
    for (String name : ORDER) {
      mbps.put(name, Throughput.of(results, name, sizes.uncompressed()));
    }
    Optional<BenchmarkParams> params =
        results.values().stream().findFirst().map(RunResult::getParams);

    StringBuilder md = new StringBuilder();
    md.append("# Segment codec benchmark: Sluice segment vs plain Arrow IPC\n\n");
    md.append("Generated ")
        .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .append(" by `bench/run-segment-bench.sh` (`io.sluice.bench.BenchMain`, benchmark ")
        .append(
            "`io.sluice.bench.SegmentCodecBenchmark`). Raw JMH results: `segment-codec.json`.\n\n");
    md.append("**The ratios are the result.** This machine is small and shared, so absolute MB/s ")
        .append("are only indicative and should not be quoted as performance figures.\n\n");

    md.append("## Machine\n\n| | |\n| --- | --- |\n");
    row(md, "CPUs (`nproc`)", MachineInfo.cores());
    row(md, "CPU model", MachineInfo.cpuModel());
    row(md, "Memory (`MemTotal`)", MachineInfo.memory());
    row(md, "OS", MachineInfo.os() + " (" + System.getProperty("os.arch") + ")");
    row(
        md,
        "JDK",
        params
            .map(p -> p.getVmName() + " " + p.getVmVersion() + " (JDK " + p.getJdkVersion() + ")")
            .orElse(MachineInfo.jdk()));
    row(md, "Load average before / after the run", loadBefore + " / " + loadAfter);

    md.append("\n## Settings\n\n| | |\n| --- | --- |\n");
    params.ifPresent(
        p -> {
          row(
              md,
              "JMH",
              p.getJmhVersion()
                  + ", mode "
                  + p.getMode().longLabel()
                  + ", "
                  + p.getThreads()
                  + " thread");
          row(md, "Warmup", p.getWarmup().getCount() + " iterations x " + p.getWarmup().getTime());
          row(
              md,
              "Measurement",
              p.getMeasurement().getCount() + " iterations x " + p.getMeasurement().getTime());
          row(md, "Forks", String.valueOf(p.getForks()));
          row(md, "Fork JVM options", "`" + String.join(" ", p.getJvmArgs()) + "`");
        });
    row(
        md,
        "Data per operation",
        "%d buckets x %,d rows = %,d rows; 10 columns (bigint id, string customer, decimal(12,2), timestamp, int, double, boolean, date, binary payload of 16-48 random bytes, low-cardinality string status; ~1-2%% nulls in customer and price)"
            .formatted(
                sizes.buckets(),
                sizes.rowsPerBucket(),
                (long) sizes.buckets() * sizes.rowsPerBucket()));
    row(
        md,
        "Throughput unit",
        "MB/s (10^6 bytes) of uncompressed Arrow data: ops/s x %s bytes per operation (the sum of the vectors' buffer sizes: validity, offsets, data). The same bytes for every benchmark, so a ratio of MB/s is a ratio of ops/s."
            .formatted(String.format(Locale.ROOT, "%,d", sizes.uncompressed())));

    md.append("\n## Throughput\n\n");
    md.append(
        "| benchmark | what one operation does | MB/s (mean) | ± error (99.9% CI) | median"
            + " | min - max of iterations | ops/s |\n");
    md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (String name : ORDER) {
      Optional<Throughput> t = mbps.get(name);
      md.append("| `").append(name).append("` | ").append(describe(name)).append(" | ");
      if (t.isEmpty()) {
        md.append("not run | | | | |\n");
        continue;
      }
      Throughput x = t.get();
      md.append(fmt(x.mean()))
          .append(" | ")
          .append(Double.isNaN(x.error()) ? "n/a" : fmt(x.error()))
          .append(" | ")
          .append(fmt(x.median()))
          .append(" | ")
          .append(fmt(x.min()))
          .append(" - ")
          .append(fmt(x.max()))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.1f", x.opsPerSecond()))
          .append(" |\n");
    }
    md.append(
            "\nThe 99.9% CI from few iterations in one fork is wide by construction; the min - max ")
        .append("column shows the spread actually measured.\n");

    Optional<Ratio> encode = Ratio.of(mbps.get(SLUICE_ENCODE), mbps.get(IPC_WRITE));
    Optional<Ratio> encodeZstd = Ratio.of(mbps.get(SLUICE_ENCODE), mbps.get(IPC_WRITE_ZSTD));
    Optional<Ratio> zstdWrite = Ratio.of(mbps.get(IPC_WRITE_ZSTD), mbps.get(IPC_WRITE));
    Optional<Ratio> decode = Ratio.of(mbps.get(SLUICE_DECODE), mbps.get(IPC_READ));
    Optional<Ratio> decodeZstd = Ratio.of(mbps.get(SLUICE_DECODE), mbps.get(IPC_READ_ZSTD));
    Optional<Ratio> zstdRead = Ratio.of(mbps.get(IPC_READ_ZSTD), mbps.get(IPC_READ));

    md.append("\n## Ratios (throughput; above 1 means the first is faster)\n\n");
    md.append(
        "| ratio | of mean MB/s | of median MB/s | range from iteration extremes |\n"
            + "| --- | ---: | ---: | ---: |\n");
    ratioRow(md, "sluice encode / Arrow IPC write", encode);
    ratioRow(md, "sluice encode / Arrow IPC+ZSTD write", encodeZstd);
    ratioRow(md, "Arrow IPC+ZSTD write / Arrow IPC write (cost of compression alone)", zstdWrite);
    ratioRow(md, "sluice decode / Arrow IPC read", decode);
    ratioRow(md, "sluice decode / Arrow IPC+ZSTD read", decodeZstd);
    ratioRow(md, "Arrow IPC+ZSTD read / Arrow IPC read (cost of decompression alone)", zstdRead);

    md.append("\n## Sizes (one operation)\n\n| | bytes | / plain IPC |\n| --- | ---: | ---: |\n");
    sizeRow(md, "uncompressed Arrow buffers", sizes.uncompressed(), sizes.plainIpc());
    sizeRow(md, "plain Arrow IPC streams (4, uncompressed)", sizes.plainIpc(), sizes.plainIpc());
    sizeRow(md, "Arrow IPC streams with ZSTD", sizes.zstdIpc(), sizes.plainIpc());
    sizeRow(md, "Sluice segment object", sizes.segment(), sizes.plainIpc());
    long overhead = sizes.segment() - sizes.zstdIpc();
    md.append("\n**Size ratio, segment bytes / plain IPC bytes: ")
        .append(String.format(Locale.ROOT, "%.3f", (double) sizes.segment() / sizes.plainIpc()))
        .append("**. The segment adds ")
        .append(String.format(Locale.ROOT, "%,d", overhead))
        .append(" bytes to the ZSTD streams (header, 8-byte bucket checks, footer, trailer).\n");
    md.append("\nUncompressed bytes by column: ");
    long total = sizes.uncompressed();
    md.append(
        String.join(
            ", ",
            sizes.columns().entrySet().stream()
                .map(e -> "%s %.0f%%".formatted(e.getKey(), 100.0 * e.getValue() / total))
                .toList()));
    md.append(".\n");

    md.append("\n## Interpretation\n\n");
    interpret(md, sizes, encode, encodeZstd, zstdWrite, decode, decodeZstd, zstdRead);
    busy(loadBefore, loadAfter)
        .ifPresent(
            load ->
                md.append("- **Busy machine.** The 1-minute load average was ")
                    .append(load)
                    .append(" on ")
                    .append(Runtime.getRuntime().availableProcessors())
                    .append(
                        " CPUs around this run: other work competed for the cores, which widens"
                            + " the ranges above; rerun on a quiet machine before reading more"
                            + " than the rough ratios into it.\n"));
    return md.toString();
  }

  private static void interpret(
      StringBuilder md,
      Sizes sizes,
      Optional<Ratio> encode,
      Optional<Ratio> encodeZstd,
      Optional<Ratio> zstdWrite,
      Optional<Ratio> decode,
      Optional<Ratio> decodeZstd,
      Optional<Ratio> zstdRead) {
    if (encode.isPresent() && encodeZstd.isPresent() && zstdWrite.isPresent()) {
      md.append("- **Encode.** A segment encodes at ")
          .append(x(encode.get()))
          .append(
              " the throughput of a plain IPC write. Compression alone (IPC+ZSTD vs plain IPC) runs at ")
          .append(x(zstdWrite.get()))
          .append(
              ", so ZSTD explains most of the gap. Against IPC+ZSTD, the segment encode runs at ")
          .append(x(encodeZstd.get()))
          .append(": ")
          .append(
              overheadSentence(
                  encodeZstd.get(),
                  "the layout parse, the CRC32C passes (whole stream and every column), the footer and copying each stream into the object"))
          .append("\n");
    }
    if (decode.isPresent() && decodeZstd.isPresent() && zstdRead.isPresent()) {
      md.append("- **Decode.** Reading a bucket decodes at ")
          .append(x(decode.get()))
          .append(" the throughput of a plain IPC read. Plain IPC read is close to a memory copy ")
          .append(
              "(the body is read into one buffer and the vectors slice it), so this gap is mostly decompression: ")
          .append("IPC+ZSTD read runs at ")
          .append(x(zstdRead.get()))
          .append(" of plain IPC read. Against IPC+ZSTD read, the segment decode runs at ")
          .append(x(decodeZstd.get()))
          .append(": ")
          .append(
              overheadSentence(
                  decodeZstd.get(),
                  "the CRC32C check of the whole stream, the layout parse and the copy of each column into its own buffer"))
          .append("\n");
    }
    md.append("- **Size.** The segment is ")
        .append(String.format(Locale.ROOT, "%.0f%%", 100.0 * sizes.segment() / sizes.plainIpc()))
        .append(" of the plain IPC bytes; the format overhead over bare ZSTD streams is ")
        .append(
            String.format(
                Locale.ROOT,
                "%.2f%%",
                100.0 * (sizes.segment() - sizes.zstdIpc()) / sizes.zstdIpc()))
        .append(
            ". How much ZSTD saves depends on the data: the random `payload` column cannot compress, ")
        .append(
            "while ids, timestamps, dates, quantities and statuses compress well, so other data will give another size ratio and another compression cost.\n");
    md.append(
            "- **Caveats.** One fork, few short iterations, one thread, on a 2-core shared machine: ")
        .append("differences within the iteration ranges above are noise. The data is synthetic. ")
        .append(
            "`sluiceDecode` uses `readBucket(bytes, allocator)` (the log-read path: bucket check only); ")
        .append(
            "the footer-verified `readBucket(key, entry, bytes, allocator)` adds a CRC32C pass over every column and is not measured here. ")
        .append(
            "No object-store I/O is included; in production the smaller objects also cost fewer bytes moved, which this benchmark does not measure.\n");
  }

  /** The load averages, when the 1-minute one was above the CPU count before or after. */
  private static Optional<String> busy(String before, String after) {
    int cpus = Runtime.getRuntime().availableProcessors();
    boolean busy = false;
    for (String load : List.of(before, after)) {
      try {
        busy |= Double.parseDouble(load.split("\\s+")[0]) > cpus;
      } catch (NumberFormatException e) {
        // unknown load: say nothing
      }
    }
    return busy
        ? Optional.of(before.split("\\s+")[0] + " before and " + after.split("\\s+")[0] + " after")
        : Optional.empty();
  }

  private static String overheadSentence(Ratio ratio, String what) {
    if (ratio.overlapping()) {
      return "the iteration ranges overlap, so the segment's own work ("
          + what
          + ") is not measurable above the noise here.";
    }
    if (ratio.value() > 1) {
      return "faster than the comparison, which the segment's extra work cannot explain; treat it as noise or a JIT difference rather than a gain.";
    }
    double share = 1 - ratio.value();
    return String.format(
        Locale.ROOT,
        "the segment's own work (%s) took about %.0f%% of its time in this run (ranges do not overlap, but expect this share to move between runs on a busy machine).",
        what,
        100 * share);
  }

  private static String describe(String name) {
    return switch (name) {
      case SLUICE_ENCODE -> "`SegmentWriter.encode` of all buckets (ZSTD streams, CRC32C, footer)";
      case IPC_WRITE ->
          "`ArrowStreamWriter`, no compression, one stream per bucket to a byte array";
      case IPC_WRITE_ZSTD ->
          "`ArrowStreamWriter` with ZSTD (`CommonsCompressionFactory`), one stream per bucket";
      case SLUICE_DECODE -> "`SegmentReader.readBucket` of every bucket's range, touch the vectors";
      case IPC_READ -> "`ArrowStreamReader` of every plain stream, touch the vectors";
      case IPC_READ_ZSTD -> "`ArrowStreamReader` of every ZSTD stream, touch the vectors";
      default -> "";
    };
  }

  private static void row(StringBuilder md, String key, String value) {
    md.append("| ").append(key).append(" | ").append(value).append(" |\n");
  }

  private static void ratioRow(StringBuilder md, String what, Optional<Ratio> ratio) {
    md.append("| ").append(what).append(" | ");
    if (ratio.isEmpty()) {
      md.append("n/a | | |\n");
      return;
    }
    Ratio r = ratio.get();
    md.append(String.format(Locale.ROOT, "**%.2f**", r.value()))
        .append(" | ")
        .append(String.format(Locale.ROOT, "%.2f", r.ofMedians()))
        .append(" | ")
        .append(String.format(Locale.ROOT, "%.2f - %.2f", r.low(), r.high()))
        .append(" |\n");
  }

  private static void sizeRow(StringBuilder md, String what, long bytes, long plain) {
    md.append("| ")
        .append(what)
        .append(" | ")
        .append(String.format(Locale.ROOT, "%,d", bytes))
        .append(" | ")
        .append(String.format(Locale.ROOT, "%.3f", (double) bytes / plain))
        .append(" |\n");
  }

  private static String x(Ratio ratio) {
    return String.format(Locale.ROOT, "%.2fx", ratio.value());
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.1f", value);
  }
}
