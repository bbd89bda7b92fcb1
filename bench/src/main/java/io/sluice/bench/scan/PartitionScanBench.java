package io.sluice.bench.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.bench.MachineInfo;
import io.sluice.bench.ingest.IngestBench;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.ScanService;
import io.sluice.core.scan.ScanSource;
import io.sluice.core.scan.TableScan;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Partition pruning of union scans, in bytes: a table partitioned by {@code day(t)} ({@link
 * WideRows#timedTable}) holds rows of {@code days} days, most of them tiered into Paimon and
 * Iceberg and a tail of every day left in the log; per lake format, a union scan of every row is
 * compared with a union scan filtered to one day ({@code t >= day and t < day + 1}), for every day.
 * Every request and byte is counted: Sluice's object store through {@link CountingObjectStore}
 * (segments apart from offsets files), each lake's file reads through its own file IO ({@link
 * LakeReads}). Each pass reads through reading services of its own ({@link ScanStores#reader}), so
 * no cache of an earlier pass hides a read and the counts do not depend on the order of passes.
 *
 * <p>Every pass checks its rows: the full scan returns every row, a day's scan exactly that day's
 * (their number, the sum of their ids, and every {@code t} within the day); a wrong answer fails
 * the run. Settings are system properties {@code pscan.*} ({@link Settings}); the report is the
 * section {@value #SECTION} of the first argument or {@code bench/reports/partitions.md}.
 */
public final class PartitionScanBench {
  static final String SECTION = "partition-scan";
  static final long DAY_MICROS = 86_400_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The benchmark's settings. */
  record Settings(
      Path workDir,
      Path report,
      int days,
      int rowsPerDay,
      int tailRowsPerDay,
      int batchRows,
      LocalDate firstDay,
      List<LakeFormatName> formats) {
    static Settings fromSystemProperties(String[] args) {
      Path root = Path.of(System.getProperty("pscan.root", ".")).toAbsolutePath().normalize();
      return new Settings(
          Path.of(
              System.getProperty(
                  "pscan.work", root.resolve("bench/target/partition-scan-work").toString())),
          args.length > 0
              ? Path.of(args[0]).toAbsolutePath()
              : root.resolve("bench/reports/partitions.md"),
          Integer.getInteger("pscan.days", 30),
          Integer.getInteger("pscan.rowsPerDay", 30_000),
          Integer.getInteger("pscan.tailRowsPerDay", 1_000),
          Integer.getInteger("pscan.batchRows", 2_500),
          LocalDate.parse(System.getProperty("pscan.firstDay", "2026-11-01")),
          Arrays.stream(System.getProperty("pscan.formats", "paimon,iceberg").split(","))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .map(LakeFormatName::parse)
              .toList());
    }

    long dayStartMicros(int day) {
      return firstDay.plusDays(day).atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
    }
  }

  /** What a scan must return: its rows and the sum of their ids. */
  record Expected(long rows, long idSum) {
    Expected plus(long firstId, int count) {
      long last = firstId + count - 1;
      return new Expected(rows + count, idSum + (firstId + last) * count / 2);
    }
  }

  /** The table as set up. */
  record Setup(
      long rows,
      long tailRows,
      long tieredRows,
      double appendSeconds,
      double tierSeconds,
      Map<String, Long> bytesOnDisk,
      int offsetsJsonChars) {}

  /**
   * One counted scan: {@code day} is -1 for the full scan; {@code log} and {@code offsetsFile} are
   * the object store's requests for segments and offsets files, {@code objects} all of them.
   */
  record Pass(
      LakeFormatName format,
      int day,
      int repeat,
      long rows,
      double seconds,
      double others,
      CountingObjectStore.Counts objects,
      CountingObjectStore.Counts log,
      CountingObjectStore.Counts offsetsFile,
      LakeReads.Counts lake) {
    boolean full() {
      return day < 0;
    }

    long bytes() {
      return objects.bytes() + lake.bytes();
    }

    long requests() {
      return objects.requests() + lake.requests();
    }
  }

  private final Settings settings;
  private final RootAllocator allocator = new RootAllocator();
  private final Expected[] expected;
  private Expected all = new Expected(0, 0);
  private long nextId;
  private long batches;

  private PartitionScanBench(Settings settings) {
    this.settings = settings;
    this.expected = new Expected[settings.days()];
    Arrays.fill(expected, new Expected(0, 0));
  }

  public static void main(String[] args) throws Exception {
    // Paimon and Iceberg log at INFO per commit and per file; keep the console readable.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    new PartitionScanBench(Settings.fromSystemProperties(args)).run();
    System.exit(0);
  }

  private void run() throws Exception {
    long start = System.nanoTime();
    String startLoad = MachineInfo.loadAverage();
    ScanStores.deleteRecursively(settings.workDir());
    Files.createDirectories(settings.workDir());

    Setup setup;
    List<Pass> passes = new ArrayList<>();
    Map<String, String> lakeOptions =
        Map.of(
            "paimon.file-io-loader",
            CountingPaimonFileIO.Loader.class.getName(),
            "iceberg.io-impl",
            CountingIcebergFileIO.class.getName());
    try (ScanStores stores = new ScanStores(settings.workDir(), allocator, lakeOptions)) {
      TableName name = TableName.parse("events");
      TableEntry table = stores.create(name, WideRows.timedTable(settings.formats()));
      System.out.printf(
          "appending %d days of %,d rows%n", settings.days(), (long) settings.rowsPerDay());
      long t0 = System.nanoTime();
      for (int day = 0; day < settings.days(); day++) {
        for (int written = 0; written < settings.rowsPerDay(); written += settings.batchRows()) {
          append(
              stores, name, day, Math.min(settings.batchRows(), settings.rowsPerDay() - written));
        }
      }
      double appendSeconds = (System.nanoTime() - t0) / 1e9;
      long tiered = all.rows();
      System.out.printf("tiering %,d rows into %s%n", tiered, settings.formats());
      t0 = System.nanoTime();
      stores.tier(table, tiered);
      double tierSeconds = (System.nanoTime() - t0) / 1e9;
      // The tail: rows of every day that arrive after the tiering run and stay in the log.
      for (int day = 0; day < settings.days(); day++) {
        if (settings.tailRowsPerDay() > 0) {
          append(stores, name, day, settings.tailRowsPerDay());
        }
      }
      setup =
          new Setup(
              all.rows(),
              all.rows() - tiered,
              tiered,
              appendSeconds,
              tierSeconds,
              bytesOnDisk(settings.workDir()),
              new OffsetsFiles(stores.objects, Clock.systemUTC())
                  .tiered(stores.metadata, table).values().stream()
                      .mapToInt(offsets -> LogOffsets.json(offsets).length())
                      .max()
                      .orElse(0));

      for (LakeFormatName format : settings.formats()) {
        System.out.println("scans, " + format.apiName());
        passes.add(pass(stores, name, format, -1, 1));
        for (int day = 0; day < settings.days(); day++) {
          passes.add(pass(stores, name, format, day, 1));
        }
        // Once more, to show that a pass's counts do not depend on what ran before it.
        passes.add(pass(stores, name, format, -1, 2));
        passes.add(pass(stores, name, format, settings.days() / 2, 2));
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    PartitionScanReport.write(settings, setup, passes, took, startLoad);
    System.out.println("report: " + settings.report());
    allocator.close();
  }

  /** Appends {@code rows} rows of day {@code day} as one write. */
  private void append(ScanStores stores, TableName name, int day, int rows) {
    long firstId = nextId;
    long dayStart = settings.dayStartMicros(day);
    stores.append(
        name, WideRows.timedBody(allocator, batches++, firstId, rows, id -> time(dayStart, id)));
    nextId += rows;
    expected[day] = expected[day].plus(firstId, rows);
    all = all.plus(firstId, rows);
  }

  /**
   * The time of row {@code id} within the day starting at {@code dayStart}: spread over the day,
   * with some rows on its first and on its last microsecond.
   */
  static long time(long dayStart, long id) {
    return switch ((int) (id % 1000)) {
      case 0 -> dayStart;
      case 1 -> dayStart + DAY_MICROS - 1;
      default -> dayStart + Math.floorMod(id * 7_919_003_011L, DAY_MICROS);
    };
  }

  /** One scan through reading services of its own, counted and checked. */
  private Pass pass(ScanStores stores, TableName name, LakeFormatName format, int day, int repeat)
      throws IOException {
    Optional<JsonNode> filter = day < 0 ? Optional.empty() : Optional.of(dayFilter(day));
    LakeReads lakeReads = LakeReads.of(format);
    System.gc();
    IngestBench.CpuSample cpu = IngestBench.CpuSample.take(ProcessHandle.current().pid());
    CountingObjectStore.Counts objects0 = stores.objects.counts();
    CountingObjectStore.Counts log0 = stores.objects.counts("log");
    CountingObjectStore.Counts offsets0 = stores.objects.counts("tiered-offsets");
    LakeReads.Counts lake0 = lakeReads.counts();
    long t0 = System.nanoTime();
    Read read;
    try (ScanStores.Reader reader = stores.reader();
        TableScan scan =
            reader.scans.scan(
                new ScanService.Request(
                    name,
                    Optional.empty(),
                    filter,
                    ScanSource.UNION,
                    Optional.of(format),
                    Long.MAX_VALUE))) {
      read = drain(scan);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Pass pass =
        new Pass(
            format,
            day,
            repeat,
            read.rows(),
            seconds,
            IngestBench.CpuSample.take(ProcessHandle.current().pid()).othersShare(cpu),
            stores.objects.counts().minus(objects0),
            stores.objects.counts("log").minus(log0),
            stores.objects.counts("tiered-offsets").minus(offsets0),
            lakeReads.counts().minus(lake0));
    check(pass, read);
    System.out.printf(
        "  %-8s %-10s %,9d rows %6.2f s; log %,6d GETs %,11d B; offsets %,3d GETs %,7d B;"
            + " lake data %,5d GETs %,11d B, metadata %,4d GETs %,9d B, %,4d HEAD/LIST%n",
        format.apiName(),
        day < 0 ? "all days" : "day " + (day + 1),
        pass.rows(),
        seconds,
        pass.log().requests(),
        pass.log().bytes(),
        pass.offsetsFile().requests(),
        pass.offsetsFile().bytes(),
        pass.lake().dataReads(),
        pass.lake().dataBytes(),
        pass.lake().metadataReads(),
        pass.lake().metadataBytes(),
        pass.lake().heads() + pass.lake().lists());
    return pass;
  }

  /** {@code t >= day and t < day + 1}, as the body of {@code POST .../scan} gives it. */
  private JsonNode dayFilter(int day) throws IOException {
    LocalDate date = settings.firstDay().plusDays(day);
    return JSON.readTree(
        """
        {"and": [{"column": "t", "op": ">=", "value": "%sT00:00:00"},
                 {"column": "t", "op": "<", "value": "%sT00:00:00"}]}
        """
            .formatted(date, date.plusDays(1)));
  }

  /** Rows read, the sum of their ids, and the least and greatest {@code t}. */
  private record Read(long rows, long idSum, long minTime, long maxTime) {}

  private static Read drain(TableScan scan) {
    long rows = 0;
    long sum = 0;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    while (scan.next()) {
      VectorSchemaRoot batch = scan.batch();
      int count = batch.getRowCount();
      rows += count;
      sum += Passes.sum((BigIntVector) batch.getVector("id"), count);
      TimeStampMicroVector t = (TimeStampMicroVector) batch.getVector("t");
      for (int i = 0; i < count; i++) {
        long value = t.get(i);
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
    }
    return new Read(rows, sum, min, max);
  }

  /**
   * @throws IllegalStateException when the scan returned other rows than its day's (or all)
   */
  private void check(Pass pass, Read read) {
    Expected want = pass.full() ? all : expected[pass.day()];
    String what =
        pass.format().apiName() + (pass.full() ? " full scan" : " scan of day " + pass.day());
    if (read.rows() != want.rows() || read.idSum() != want.idSum()) {
      throw new IllegalStateException(
          "%s returned %,d rows with id sum %d, expected %,d rows with id sum %d"
              .formatted(what, read.rows(), read.idSum(), want.rows(), want.idSum()));
    }
    if (!pass.full()) {
      long from = settings.dayStartMicros(pass.day());
      if (read.minTime() < from || read.maxTime() >= from + DAY_MICROS) {
        throw new IllegalStateException(
            "%s returned times from %d to %d, outside [%d, %d)"
                .formatted(what, read.minTime(), read.maxTime(), from, from + DAY_MICROS));
      }
    }
  }

  /** Bytes of the lake's data files per format and of the log's segments, on disk. */
  private static Map<String, Long> bytesOnDisk(Path work) throws IOException {
    return Map.of(
        "paimon", size(work.resolve("lake/paimon"), ".parquet"),
        "iceberg", size(work.resolve("lake/iceberg"), ".parquet"),
        "log", size(work.resolve("objects/log"), ".seg"));
  }

  private static long size(Path dir, String suffix) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(suffix))
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .sum();
    }
  }
}
