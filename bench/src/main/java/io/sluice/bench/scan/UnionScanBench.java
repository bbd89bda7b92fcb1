package io.sluice.bench.scan;

import io.sluice.bench.MachineInfo;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.SegmentKeys;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.ScanService;
import io.sluice.core.scan.ScanSource;
import io.sluice.core.scan.TableScan;
import io.sluice.core.segment.SegmentFooter;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.LogRead;
import io.sluice.core.service.LogReadService;
import io.sluice.core.service.LogWaiter;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.service.TableService;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import io.sluice.core.tiering.TieringService;
import io.sluice.metadata.sqlite.SqliteMetadataStore;
import io.sluice.objectstore.ObjectStores;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

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

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Settings settings;
  private final RootAllocator allocator = new RootAllocator();
  private final List<String> notes = new ArrayList<>();

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
    deleteRecursively(settings.workDir());
    Files.createDirectories(settings.workDir());

    Setup setup;
    ProjectionResult projection;
    List<UnionResult> unions = new ArrayList<>();
    try (Stores stores = new Stores(settings.workDir())) {
      TableName name = TableName.parse("wide");
      TableEntry table = stores.create(name, settings.formats());
      System.out.printf("appending %,d rows%n", settings.rows());
      long t0 = System.nanoTime();
      stores.append(name, settings.rows());
      double append = (System.nanoTime() - t0) / 1e9;
      long rows = stores.batches() * settings.batchRows();

      // The projection part, while every row is in the log and none in the lake.
      projection = projection(stores, table, rows);

      // The union part: tier every row, then append a tail that stays in the log.
      double tier = 0;
      long tailRows = 0;
      if (!settings.formats().isEmpty()) {
        System.out.printf("tiering %,d rows into %s%n", rows, settings.formats());
        t0 = System.nanoTime();
        tier(stores, table, rows);
        tier = (System.nanoTime() - t0) / 1e9;
        stores.append(name, settings.tailRows());
        tailRows = stores.batches() * settings.batchRows() - rows;
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

  // ---------------------------------------------------------------- stores

  /** Stores and services on one work directory, wired like the local server wires them. */
  private final class Stores implements AutoCloseable {
    final CountingObjectStore objects;
    final MetadataStore metadata;
    final LakeFormats lakes;
    final ExecutorService executor = Executors.newFixedThreadPool(4);
    final TableService tables;
    final AppendService appends;
    final TieringService tiering;
    final LogReadService reads;
    final ScanService scans;
    private long nextBatch;

    Stores(Path dir) throws IOException {
      Files.createDirectories(dir.resolve("objects"));
      Files.createDirectories(dir.resolve("lake"));
      objects =
          new CountingObjectStore(ObjectStores.open(dir.resolve("objects").toUri().toString()));
      metadata = SqliteMetadataStore.open(dir.resolve("metadata.db"));
      String warehouse = dir.resolve("lake").toUri().toString();
      lakes =
          new LakeFormats(
              new LakeSettings(warehouse.substring(0, warehouse.length() - 1), Map.of()));
      Clock clock = Clock.systemUTC();
      LogWaiter waiter = new LogWaiter();
      tables = new TableService(metadata, clock, Optional.of(lakes), dropped -> {});
      appends =
          new AppendService(
              tables, new AppendCommitter(objects, metadata, executor, clock), allocator, waiter);
      tiering =
          new TieringService(
              metadata, objects, lakes, allocator, clock, TieringService.Limits.DEFAULT);
      reads = new LogReadService(tables, metadata, objects, waiter, allocator);
      scans = new ScanService(tables, metadata, reads, Optional.of(lakes), allocator);
    }

    TableEntry create(TableName name, List<LakeFormatName> formats) {
      TableEntry entry = tables.create(name, WideRows.table(formats)).table();
      for (LakeFormatName format : formats) {
        lakes.format(format).createOrLoad(entry);
      }
      return entry;
    }

    /** Appends the next {@code rows} rows (whole batches of the settings' size). */
    void append(TableName name, int rows) {
      for (int written = 0; written < rows; written += settings.batchRows()) {
        byte[] body = WideRows.arrowBody(allocator, nextBatch++, settings.batchRows());
        appends.append(name, new RowBody(RowFormat.ARROW, body), Optional.empty());
      }
    }

    long batches() {
      return nextBatch;
    }

    @Override
    public void close() throws Exception {
      executor.shutdownNow();
      lakes.close();
      metadata.close();
      objects.close();
    }
  }

  // ---------------------------------------------------------------- union scan

  private static void tier(Stores stores, TableEntry table, long rows) {
    TieringService.Result tiered = stores.tiering.tier(table, "bench");
    for (TieringService.FormatResult f : tiered.formats()) {
      long sum =
          f.snapshot()
              .map(s -> s.offsets().values().stream().mapToLong(Long::longValue).sum())
              .orElse(0L);
      if (f.outcome() != TieringService.Outcome.TIERED || sum != rows) {
        throw new IllegalStateException(
            "Tiering into " + f.format().apiName() + " did not tier " + rows + " rows: " + f);
      }
    }
  }

  private UnionResult union(
      Stores stores, TableName name, LakeFormatName format, long lakeRows, long tailRows)
      throws Exception {
    System.out.println("union scan, " + format.apiName());
    long total = lakeRows + tailRows;
    long idSum = WideRows.idSum(stores.batches(), settings.batchRows());
    List<Pass> passes = new ArrayList<>();
    for (int i = 1 - settings.scanWarmups(); i <= settings.scanIterations(); i++) {
      // Alternate which side goes first, so that neither always runs on a warmer cache.
      boolean unionFirst = Math.floorMod(i, 2) == 0;
      for (int side = 0; side < 2; side++) {
        if ((side == 0) == unionFirst) {
          passes.add(
              timed(
                  stores,
                  UNION,
                  i,
                  total,
                  idSum,
                  () -> scan(stores, name, format, ScanSource.UNION)));
        } else {
          passes.add(
              timed(
                  stores,
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

  /** Rows read and the sum of one bigint column over them (a check that the rows are the same). */
  private record Read(long rows, long sum) {
    Read plus(Read other) {
      return new Read(rows + other.rows, sum + other.sum);
    }
  }

  private interface Side {
    Read run() throws Exception;
  }

  private Pass timed(Stores stores, String what, int iteration, long rows, long sum, Side side)
      throws Exception {
    System.gc();
    CountingObjectStore.Counts before = stores.objects.counts();
    long gc0 = gcMillis();
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    Read read = side.run();
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
    double gcSeconds = (gcMillis() - gc0) / 1e3;
    CountingObjectStore.Counts io = stores.objects.counts().minus(before);
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
  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime)
        .filter(t -> t > 0)
        .sum();
  }

  /** Every column of every row of {@code source}, reading {@code format} as the lake. */
  private static TableScan open(
      Stores stores, TableName name, LakeFormatName format, ScanSource source) {
    return stores.scans.scan(
        new ScanService.Request(
            name, Optional.empty(), Optional.empty(), source, Optional.of(format), Long.MAX_VALUE));
  }

  private static Read scan(
      Stores stores, TableName name, LakeFormatName format, ScanSource source) {
    try (TableScan scan = open(stores, name, format, source)) {
      return drain(scan);
    }
  }

  private static Read lakePlusTail(Stores stores, TableName name, LakeFormatName format)
      throws InterruptedException {
    Read read;
    Map<Integer, Long> tiered;
    try (TableScan lake = open(stores, name, format, ScanSource.LAKE)) {
      read = drain(lake);
      tiered = lake.offsets();
    }
    for (Map.Entry<Integer, Long> bucket : tiered.entrySet()) {
      read =
          read.plus(
              readBucket(stores, name, bucket.getKey(), bucket.getValue(), Optional.empty(), "id"));
    }
    return read;
  }

  private static Read drain(TableScan scan) {
    long rows = 0;
    long sum = 0;
    while (scan.next()) {
      VectorSchemaRoot batch = scan.batch();
      rows += batch.getRowCount();
      sum += sum((BigIntVector) batch.getVector("id"), batch.getRowCount());
    }
    return new Read(rows, sum);
  }

  private static long sum(BigIntVector vector, int rows) {
    long sum = 0;
    for (int i = 0; i < rows; i++) {
      if (!vector.isNull(i)) {
        sum += vector.get(i);
      }
    }
    return sum;
  }

  /**
   * Reads one bucket from {@code from} up to the high watermark of the first read, {@link
   * LogReadService#MAX_LIMIT} rows at a time, summing the bigint column {@code summed}.
   */
  private static Read readBucket(
      Stores stores,
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
        sum += sum((BigIntVector) read.rows().getVector(summed), count);
        next = read.nextOffset();
      }
    }
    return new Read(rows, sum);
  }

  // ---------------------------------------------------------------- projection

  private ProjectionResult projection(Stores stores, TableEntry table, long rows) throws Exception {
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
        passes.add(timed(stores, what, i, rows, sum, () -> logPass(stores, name, columns, summed)));
      }
    }
    return new ProjectionResult(segments, columnBytes, totalBytes, passes);
  }

  private Read logPass(Stores stores, TableName name, Optional<List<String>> columns, String summed)
      throws InterruptedException {
    Read read = new Read(0, 0);
    for (int bucket = 0; bucket < 4; bucket++) {
      read = read.plus(readBucket(stores, name, bucket, 0, columns, summed));
    }
    return read;
  }

  // ---------------------------------------------------------------- helpers

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
