package io.sluice.bench;

import io.sluice.core.segment.SegmentCompression;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link SegmentCompressionBenchmark} and writes bench/reports/segment-compression.md: per
 * compression, the segment's size and its encode and decode throughput, as ratios to ZSTD level 3
 * (Arrow's default) measured in the same run.
 */
public final class CompressionChoice extends MarkdownReport {
  private static final double MB = 1_000_000.0;

  private CompressionChoice() {}

  public static void main(String[] args) throws RunnerException, IOException {
    Path report =
        args.length > 0 ? Path.of(args[0]) : Path.of("bench/reports/segment-compression.md");
    Files.createDirectories(report.toAbsolutePath().getParent());
    Instant start = Instant.now();
    String loadBefore = MachineInfo.loadAverage();
    Map<String, Long> sizes = new HashMap<>();
    long uncompressed = 0;
    for (String name : SegmentCompressionBenchmark.COMPRESSIONS) {
      SegmentCompressionBenchmark state = new SegmentCompressionBenchmark();
      state.compression = name;
      state.setup();
      try {
        sizes.put(name, state.segmentBytes());
        uncompressed = state.uncompressedBytes();
      } finally {
        state.tearDown();
      }
    }
    Map<String, Double> encode = new HashMap<>();
    Map<String, Double> decode = new HashMap<>();
    for (RunResult result :
        new Runner(
                new OptionsBuilder()
                    .include(SegmentCompressionBenchmark.class.getName() + "\\.")
                    .timeUnit(TimeUnit.SECONDS)
                    .build())
            .run()) {
      String benchmark = result.getParams().getBenchmark();
      String name = result.getParams().getParam("compression");
      double megabytes = result.getPrimaryResult().getScore() * uncompressed / MB;
      (benchmark.endsWith(".encode") ? encode : decode).put(name, megabytes);
    }
    CompressionChoice markdown = new CompressionChoice();
    markdown.render(
        sizes, uncompressed, encode, decode, loadBefore, Duration.between(start, Instant.now()));
    Files.writeString(report, markdown.out, StandardCharsets.UTF_8);
    System.out.println(markdown.out);
    System.out.println("Report: " + report.toAbsolutePath());
  }

  private void render(
      Map<String, Long> sizes,
      long uncompressed,
      Map<String, Double> encode,
      Map<String, Double> decode,
      String loadBefore,
      Duration took) {
    String base = "zstd:3";
    line("# Segment compression: which codec the write path uses");
    line();
    line(MachineInfo.writtenBy("run-compression-bench.sh", CompressionChoice.class, took));
    line();
    line(
        "One operation encodes (or decodes) one segment of a group as the write path builds it"
            + " under load: 4 buckets of %,d rows each of the ingest benchmark's 10 columns, %,d bytes of uncompressed Arrow data."
                .formatted(4000, uncompressed)
            + " Throughput is MB/s of that uncompressed data (JMH, 1 thread, 3 x 2 s warm-up, 5 x 2 s"
            + " measured); ratios are to `"
            + base
            + "`, Arrow's default level, measured in the same run. Size is the whole segment"
            + " object: what is fsynced locally, PUT to S3 and stored until retention.");
    line();
    line(
        "| compression | segment size | of uncompressed | encode MB/s | encode vs "
            + base
            + " | decode MB/s | decode vs "
            + base
            + " |");
    line("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (String name : SegmentCompressionBenchmark.COMPRESSIONS) {
      String label =
          SegmentCompression.parse(name).equals(SegmentCompression.DEFAULT)
              ? "**`" + name + "`** (default)"
              : "`" + name + "`";
      line(
          row(
              label,
              "%,d | %.0f%% | %.1f | %.2fx | %.1f | %.2fx",
              sizes.get(name),
              100.0 * sizes.get(name) / uncompressed,
              encode.getOrDefault(name, Double.NaN),
              encode.getOrDefault(name, Double.NaN) / encode.getOrDefault(base, Double.NaN),
              decode.getOrDefault(name, Double.NaN),
              decode.getOrDefault(name, Double.NaN) / decode.getOrDefault(base, Double.NaN)));
    }
    line();
    String chosen = SegmentCompression.DEFAULT.toString();
    line(
        ("The write path compresses with `%s` (`SegmentCompression.DEFAULT`): it encodes %.2fx as fast"
                + " as `%s` for a segment %.1f%% larger, and decodes at %.2fx. The faster ZSTD levels"
                + " save little more CPU for noticeably larger objects, which cost PUT bytes, storage"
                + " and the readers' transfer; `lz4` is Apache Commons' pure-Java LZ4 frame codec (the"
                + " one Arrow Java offers), far slower than ZSTD's native one; `none` is the fastest"
                + " by far but doubles every object, the fsync and every byte tiering reads back.")
            .formatted(
                chosen,
                encode.get(chosen) / encode.get(base),
                base,
                100.0 * (sizes.get(chosen) - sizes.get(base)) / sizes.get(base),
                decode.get(chosen) / decode.get(base)));
    line();
    line(MachineInfo.markdownSection(loadBefore));
  }
}
