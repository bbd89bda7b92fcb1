package io.sluice.bench.scan;

import io.sluice.bench.MachineInfo;
import io.sluice.bench.scan.Passes.Pass;
import io.sluice.bench.scan.Passes.Read;
import io.sluice.core.log.SegmentKeys;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.ScanService;
import io.sluice.core.scan.ScanSource;
import io.sluice.core.scan.TableScan;
import io.sluice.core.segment.SegmentFooter;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.LogRead;
import io.sluice.core.service.LogReadService;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;

/**
 * The union-read benchmark, in one JVM on local files (object store, SQLite metadata store and lake
 * warehouse in a work directory), on one table of {@link WideRows} (20 columns, 4 buckets):
 *
 * <ol>
 *   <li>rows are appended through {@link AppendService}, and while they are all in the log, every
 *       bucket is read whole with {@link LogReadService}, 2 columns against all columns, timed and
 *       with the bytes the object store returned (the projection part);
 *   <li>one tiering run writes them into every lake format, a tail is appended that stays in the
 *       log, and a {@link ScanService} union scan of every row is timed against the sum of a
 *       lake-only scan ({@code source=LAKE}) and direct {@link LogReadService} reads of each
 *       bucket's tail, for each lake format (the union part).
 * </ol>
 *
 * Every pass checks the rows it read against what was written. Settings are system properties
 * {@code union.*} (see {@link Settings}); the report goes to the first argument or {@code
 * bench/reports/union-scan.md}.
 */
public final class UnionScanBench {

  /** The benchmark's settings. */
  record Settings(
      Path workDir,
      Path report,
      int rows,
      int tailRows,
      int batchRows,
      int warmups,
      int iterations,
      int scanWarmups,
      int scanIterations,
      List<LakeFormatName> formats,
      List<String> projection) {
    static Settings fromSystemProperties(String[] args) {
      Path root = Path.of(System.getProperty("union.root", "."));
      return new Settings(
          Path.of(
              System.getProperty("union.work", root.resolve("bench/target/union-work").toString())),
          args.length > 0 ? Path.of(args[0]) : root.resolve("bench/reports/union-scan.md"),
          Integer.getInteger("union.rows", 1_000_000),
          Integer.getInteger("union.tailRows", 100_000),
          Integer.getInteger("union.batchRows", 2_000),
          Integer.getInteger("union.warmups", 2),
          Integer.getInteger("union.iterations", 5),
          Integer.getInteger("union.scanWarmups", 1),
          Integer.getInteger("union.scanIterations", 9),
          Arrays.stream(System.getProperty("union.formats", "paimon,iceberg").split(","))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .map(LakeFormatName::parse)
              .toList(),
          Arrays.stream(System.getProperty("union.projection", "account,price").split(","))
              .map(String::trim)
              .toList());
    }
  }

  /** The table as set up: rows appended, seconds to append and to tier them, tail rows. */
  record Setup(long rows, double appendSeconds, double tierSeconds, long tailRows) {}

  /** The union-scan comparison of one lake format. */
  record UnionResult(LakeFormatName format, List<Pass> passes) {}

  /** The projection comparison, with the compressed bytes of each column in the log. */
  record ProjectionResult(
      int segments, Map<String, Long> columnBytes, long totalBytes, List<Pass> passes) {}

  static final String UNION = "union";
  static final String LAKE_PLUS_TAIL = "lake + tail";
  static final String ALL_COLUMNS = "all columns";
  static final String ALL_NAMED = "all 20 named";
  static final String PROJECTED = "2 columns";

  private final Settings settings;
  private final RootAllocator allocator = new RootAllocator();
  private final List<String> notes = new ArrayList<>();
  private long batches;

  private UnionScanBench(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    // Paimon and Iceberg log at INFO per commit and per file; keep the console readable.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    new UnionScanBench(Settings.fromSystemProperties(args)).run();
  }

  private void run() throws Exception {
    long start = System.nanoTime();
    String startLoad = MachineInfo.loadAverage();
    ScanStores.deleteRecursively(settings.workDir());
    Files.createDirectories(settings.workDir());

    Setup setup;
    ProjectionResult projection;
    List<UnionResult> unions = new ArrayList<>();
    try (ScanStores stores = new ScanStores(settings.workDir(), allocator)) {
      TableName name = TableName.parse("wide");
      TableEntry table = stores.create(name, WideRows.table(settings.formats()));
      System.out.printf("appending %,d rows%n", settings.rows());
      long t0 = System.nanoTime();
      append(stores, name, settings.rows());
      double append = (System.nanoTime() - t0) / 1e9;
      long rows = batches * settings.batchRows();

      // The projection part, while every row is in the log and none in the lake.
      projection = projection(stores, table, rows);

      // The union part: tier every row, then append a tail that stays in the log.
      double tier = 0;
      long tailRows = 0;
      if (!settings.formats().isEmpty()) {
        System.out.printf("tiering %,d rows into %s%n", rows, settings.formats());
        t0 = System.nanoTime();
        stores.tier(table, rows);
        tier = (System.nanoTime() - t0) / 1e9;
        append(stores, name, settings.tailRows());
        tailRows = batches * settings.batchRows() - rows;
        for (LakeFormatName format : settings.formats()) {
          try {
            unions.add(union(stores, name, format, rows, tailRows));
          } catch (RuntimeException e) {
            notes.add("The " + format.apiName() + " union scans failed: " + e);
            e.printStackTrace();
          }
        }
      }
      setup = new Setup(rows, append, tier, tailRows);
    }

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    UnionScanReport.write(settings, setup, unions, projection, notes, took, startLoad);
    System.out.println("report: " + settings.report().toAbsolutePath());
    allocator.close();
  }

  // ---------------------------------------------------------------- union scan

  /**
   * Appends the next {@code rows} rows of {@link WideRows} (whole batches of the settings' size).
   */
  private void append(ScanStores stores, TableName name, int rows) {
    for (int written = 0; written < rows; written += settings.batchRows()) {
      stores.append(name, WideRows.arrowBody(allocator, batches++, settings.batchRows()));
    }
  }

  private UnionResult union(
      ScanStores stores, TableName name, LakeFormatName format, long lakeRows, long tailRows)
      throws Exception {
    System.out.println("union scan, " + format.apiName());
    long total = lakeRows + tailRows;
    long idSum = WideRows.idSum(batches, settings.batchRows());
    List<Pass> passes = new ArrayList<>();
    for (int i = 1 - settings.scanWarmups(); i <= settings.scanIterations(); i++) {
      // Alternate which side goes first, so that neither always runs on a warmer cache.
      boolean unionFirst = Math.floorMod(i, 2) == 0;
      for (int side = 0; side < 2; side++) {
        if ((side == 0) == unionFirst) {
          passes.add(
              Passes.timed(
                  stores.objects,
                  UNION,
                  i,
                  total,
                  idSum,
                  () -> scan(stores, name, format, ScanSource.UNION)));
        } else {
          passes.add(
              Passes.timed(
                  stores.objects,
                  LAKE_PLUS_TAIL,
                  i,
                  total,
                  idSum,
                  () -> lakePlusTail(stores, name, format)));
        }
      }
    }
    return new UnionResult(format, passes);
  }

  private static Read scan(
      ScanStores stores, TableName name, LakeFormatName format, ScanSource source) {
    try (TableScan scan = stores.open(name, format, source)) {
      return Passes.drain(scan);
    }
  }

  private static Read lakePlusTail(ScanStores stores, TableName name, LakeFormatName format)
      throws InterruptedException {
    Read read;
    Map<Integer, Long> tiered;
    try (TableScan lake = stores.open(name, format, ScanSource.LAKE)) {
      read = Passes.drain(lake);
      tiered = LogOffsets.buckets(lake.offsets());
    }
    for (Map.Entry<Integer, Long> bucket : tiered.entrySet()) {
      read =
          read.plus(
              readBucket(stores, name, bucket.getKey(), bucket.getValue(), Optional.empty(), "id"));
    }
    return read;
  }

  /**
   * Reads one bucket from {@code from} up to the high watermark of the first read, {@link
   * LogReadService#MAX_LIMIT} rows at a time, summing the bigint column {@code summed}.
   */
  private static Read readBucket(
      ScanStores stores,
      TableName name,
      int bucket,
      long from,
      Optional<List<String>> columns,
      String summed)
      throws InterruptedException {
    long rows = 0;
    long sum = 0;
    long next = from;
    long end = Long.MAX_VALUE;
    while (next < end) {
      try (LogRead read =
          stores.reads.read(
              new LogReadService.Request(
                  name, bucket, next, LogReadService.MAX_LIMIT, columns, 0))) {
        end = Math.min(end, read.highWatermark());
        int count = read.rows().getRowCount();
        if (count == 0) {
          break;
        }
        rows += count;
        sum += Passes.sum((BigIntVector) read.rows().getVector(summed), count);
        next = read.nextOffset();
      }
    }
    return new Read(rows, sum);
  }

  // ---------------------------------------------------------------- projection

  private ProjectionResult projection(ScanStores stores, TableEntry table, long rows)
      throws Exception {
    System.out.println("projection: " + String.join(",", settings.projection()) + " of 20 columns");
    TableName name = table.name();
    // What the log holds, by column: the compressed column parts of every segment's footer.
    Map<String, Long> columnBytes = new LinkedHashMap<>();
    WideRows.COLUMNS.forEach(c -> columnBytes.put(c.name(), 0L));
    long totalBytes = 0;
    int segments = 0;
    List<String> keys = new ArrayList<>();
    for (String prefix : SegmentKeys.tablePrefixes(table.tableId())) {
      try (Stream<ObjectInfo> objects = stores.objects.list(prefix)) {
        objects.map(ObjectInfo::key).forEach(keys::add);
      }
    }
    for (String key : keys) {
      SegmentFooter footer = SegmentFooter.read(stores.objects, key);
      segments++;
      for (SegmentFooter.BucketEntry entry : footer.buckets()) {
        totalBytes += entry.length();
        for (SegmentFooter.ColumnChunk column : entry.columns()) {
          columnBytes.merge(column.name(), column.length(), Long::sum);
        }
      }
    }

    String summed = settings.projection().get(0);
    List<String> all = WideRows.COLUMNS.stream().map(c -> c.name()).toList();
    // The reference checksum, from a full read before any clock starts.
    long sum = logPass(stores, name, Optional.empty(), summed).sum();
    List<Pass> passes = new ArrayList<>();
    List<String> order = List.of(ALL_COLUMNS, PROJECTED, ALL_NAMED);
    for (int i = 1 - settings.warmups(); i <= settings.iterations(); i++) {
      // Rotate the order of the sides from one iteration to the next.
      for (int s = 0; s < order.size(); s++) {
        String what = order.get(Math.floorMod(s + i, order.size()));
        Optional<List<String>> columns =
            switch (what) {
              case PROJECTED -> Optional.of(settings.projection());
              case ALL_NAMED -> Optional.of(all);
              default -> Optional.empty();
            };
        passes.add(
            Passes.timed(
                stores.objects, what, i, rows, sum, () -> logPass(stores, name, columns, summed)));
      }
    }
    return new ProjectionResult(segments, columnBytes, totalBytes, passes);
  }

  private Read logPass(
      ScanStores stores, TableName name, Optional<List<String>> columns, String summed)
      throws InterruptedException {
    Read read = new Read(0, 0);
    for (int bucket = 0; bucket < 4; bucket++) {
      read = read.plus(readBucket(stores, name, bucket, 0, columns, summed));
    }
    return read;
  }
}
