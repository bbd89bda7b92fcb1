package io.sluice.bench.scan;

import io.sluice.bench.MachineInfo;
import io.sluice.bench.scan.Passes.Pass;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.ScanSource;
import io.sluice.core.scan.TableScan;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.MergeEngine;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;

/**
 * The primary-key benchmark, in one JVM on local files like {@link UnionScanBench} (whose stores,
 * rows and timed passes it shares): a log table and a primary-key table ({@code last_row}) of the
 * same {@link WideRows} columns, bucket key {@code id}, 4 buckets, tiered into Paimon.
 *
 * <ol>
 *   <li><b>upserts</b>: the same Arrow bodies of distinct keys are appended to both tables, batch
 *       by batch, alternating which table goes first, each append timed;
 *   <li>one tiering run of each table;
 *   <li><b>partial updates</b> of every {@code every}-th key (only {@code id} and a few columns),
 *       to both tables, timed the same way; they stay in the log;
 *   <li><b>union scans</b> of every row of both tables (lake snapshot + log tail), and, to split
 *       the primary-key union's cost, a lake-only scan of the primary-key table;
 *   <li><b>memory</b>: the heap a union scan holds once it returned its first batch (after a full
 *       collection), for both tables.
 * </ol>
 *
 * Settings are system properties {@code pk.*} (see {@link Settings}); the report goes to the first
 * argument or {@code bench/reports/primary-keys.md}.
 */
public final class PrimaryKeyBench {

  /** The benchmark's settings. */
  record Settings(
      Path workDir,
      Path report,
      int keys,
      int batchRows,
      int every,
      List<String> updateColumns,
      int scanWarmups,
      int scanIterations) {
    static Settings fromSystemProperties(String[] args) {
      Path root = Path.of(System.getProperty("pk.root", "."));
      Settings s =
          new Settings(
              Path.of(
                  System.getProperty("pk.work", root.resolve("bench/target/pk-work").toString())),
              args.length > 0 ? Path.of(args[0]) : root.resolve("bench/reports/primary-keys.md"),
              Integer.getInteger("pk.keys", 1_000_000),
              Integer.getInteger("pk.batchRows", 2_000),
              Integer.getInteger("pk.updateEvery", 10),
              Arrays.stream(System.getProperty("pk.updateColumns", "account,price").split(","))
                  .map(String::trim)
                  .filter(c -> !c.isEmpty())
                  .toList(),
              Integer.getInteger("pk.scanWarmups", 1),
              Integer.getInteger("pk.scanIterations", 3));
      if (s.keys() % s.batchRows() != 0 || s.updateBatches() < 1) {
        throw new IllegalArgumentException(
            "pk.keys must be a multiple of pk.batchRows, with at least one batch of updates");
      }
      return s;
    }

    int loadBatches() {
      return keys / batchRows;
    }

    /** Whole batches of partial updates, every {@code every}-th key. */
    int updateBatches() {
      return keys / every / batchRows;
    }

    long updateRows() {
      return (long) updateBatches() * batchRows;
    }
  }

  /** Seconds of each timed append of one table, in order. */
  record Appends(String table, double[] seconds, long rows) {
    double total() {
      return Arrays.stream(seconds).sum();
    }

    double rowsPerSecond() {
      return rows / total();
    }

    /** The {@code q} quantile (0 to 1) of the appends' seconds. */
    double quantile(double q) {
      double[] sorted = seconds.clone();
      Arrays.sort(sorted);
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
  }

  /**
   * Heap and Arrow memory a scan held after returning its first batch, over what was held before.
   */
  record Held(String what, long heapBytes, long arrowBytes, long tailRows) {}

  static final String LOG_TABLE = "log table";
  static final String PK_TABLE = "primary-key table";
  static final String PK_UNION = "pk union";
  static final String LOG_UNION = "log union";
  static final String PK_LAKE = "pk lake only";

  /** Everything the run measured, for the report. */
  record Result(
      Appends logLoad,
      Appends pkLoad,
      double logTierSeconds,
      double pkTierSeconds,
      Appends logUpdates,
      Appends pkUpdates,
      List<Pass> passes,
      List<Held> held) {}

  private static final TableName LOG = TableName.parse("events_log");
  private static final TableName PK = TableName.parse("events_pk");

  private final Settings settings;
  private final RootAllocator allocator = new RootAllocator();
  private final List<String> notes = new ArrayList<>();

  private PrimaryKeyBench(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    // Paimon logs at INFO per commit and per file; keep the console readable.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    new PrimaryKeyBench(Settings.fromSystemProperties(args)).run();
  }

  /** The log table's definition and the same with primary key {@code id}, {@code last_row}. */
  static TableDefinition logTable() {
    return WideRows.table(List.of(LakeFormatName.PAIMON));
  }

  static TableDefinition primaryKeyTable() {
    return logTable().toBuilder()
        .primaryKey(List.of("id"))
        .mergeEngine(MergeEngine.LAST_ROW)
        .build("create");
  }

  private void run() throws Exception {
    long start = System.nanoTime();
    String startLoad = MachineInfo.loadAverage();
    ScanStores.deleteRecursively(settings.workDir());
    Files.createDirectories(settings.workDir());
    Result result;
    try (ScanStores stores = new ScanStores(settings.workDir(), allocator)) {
      TableEntry log = stores.create(LOG, logTable());
      TableEntry pk = stores.create(PK, primaryKeyTable());
      int keys = settings.keys();

      System.out.printf("upserting %,d keys into both tables%n", keys);
      Appends[] load =
          appendBoth(
              stores,
              settings.loadBatches(),
              n -> WideRows.arrowBody(allocator, n, settings.batchRows()));

      System.out.println("tiering both tables into paimon");
      long t0 = System.nanoTime();
      stores.tier(log, keys);
      double logTier = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      stores.tier(pk, keys);
      double pkTier = (System.nanoTime() - t0) / 1e9;
      System.out.printf("  log table %.1f s, primary-key table %.1f s%n", logTier, pkTier);

      System.out.printf(
          "partial updates of %,d keys (every %d-th; %s)%n",
          settings.updateRows(), settings.every(), settings.updateColumns());
      Appends[] updates =
          appendBoth(
              stores,
              settings.updateBatches(),
              n ->
                  WideRows.updateBody(
                      allocator,
                      n,
                      settings.batchRows(),
                      settings.every(),
                      settings.updateColumns()));

      List<Pass> passes = scans(stores);
      List<Held> held =
          List.of(
              held(stores, PK_UNION, PK, ScanSource.UNION),
              held(stores, LOG_UNION, LOG, ScanSource.UNION));
      result = new Result(load[0], load[1], logTier, pkTier, updates[0], updates[1], passes, held);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    PrimaryKeyReport.write(settings, result, notes, took, startLoad);
    System.out.println("report: " + settings.report().toAbsolutePath());
    allocator.close();
  }

  private interface Body {
    byte[] of(long n);
  }

  /**
   * Appends body {@code n} of {@code batches} to both tables, alternating which goes first; times
   * each append (not building the body). Returns the log table's appends, then the primary-key
   * table's.
   */
  private Appends[] appendBoth(ScanStores stores, int batches, Body bodies) {
    double[] log = new double[batches];
    double[] pk = new double[batches];
    for (int n = 0; n < batches; n++) {
      byte[] body = bodies.of(n);
      for (int side = 0; side < 2; side++) {
        boolean pkNow = (side == 0) == (n % 2 == 1);
        long t0 = System.nanoTime();
        stores.append(pkNow ? PK : LOG, body);
        double seconds = (System.nanoTime() - t0) / 1e9;
        (pkNow ? pk : log)[n] = seconds;
      }
    }
    long rows = (long) batches * settings.batchRows();
    Appends l = new Appends(LOG_TABLE, log, rows);
    Appends p = new Appends(PK_TABLE, pk, rows);
    System.out.printf(
        "  %,d rows: log table %,.0f rows/s, primary-key table %,.0f rows/s%n",
        rows, l.rowsPerSecond(), p.rowsPerSecond());
    return new Appends[] {l, p};
  }

  /** Union scans of both tables and a lake-only scan of the primary-key table, rotating order. */
  private List<Pass> scans(ScanStores stores) throws Exception {
    long keys = settings.keys();
    long idSum = WideRows.idSum(settings.loadBatches(), settings.batchRows());
    long updateSum =
        WideRows.updateIdSum(settings.updateBatches(), settings.batchRows(), settings.every());
    long updates = settings.updateRows();
    List<String> order = List.of(PK_UNION, LOG_UNION, PK_LAKE);
    List<Pass> passes = new ArrayList<>();
    System.out.println("union scans");
    for (int i = 1 - settings.scanWarmups(); i <= settings.scanIterations(); i++) {
      for (int s = 0; s < order.size(); s++) {
        String what = order.get(Math.floorMod(s + i, order.size()));
        passes.add(
            switch (what) {
              case PK_UNION ->
                  Passes.timed(
                      stores.objects,
                      what,
                      i,
                      keys,
                      idSum,
                      () -> scan(stores, PK, ScanSource.UNION));
              case LOG_UNION ->
                  Passes.timed(
                      stores.objects,
                      what,
                      i,
                      keys + updates,
                      idSum + updateSum,
                      () -> scan(stores, LOG, ScanSource.UNION));
              default ->
                  Passes.timed(
                      stores.objects,
                      what,
                      i,
                      keys,
                      idSum,
                      () -> scan(stores, PK, ScanSource.LAKE));
            });
      }
    }
    return passes;
  }

  private static Passes.Read scan(ScanStores stores, TableName name, ScanSource source) {
    try (TableScan scan = stores.open(name, LakeFormatName.PAIMON, source)) {
      return Passes.drain(scan);
    }
  }

  /**
   * The heap (after a full collection) and Arrow memory a scan holds once it has returned its first
   * batch, over what was held before it opened: for a primary-key table's union, the log tail it
   * keeps in memory while the lake streams.
   */
  private Held held(ScanStores stores, String what, TableName name, ScanSource source) {
    long heap0 = liveHeap();
    long arrow0 = allocator.getAllocatedMemory();
    long heap;
    long arrow;
    try (TableScan scan = stores.open(name, LakeFormatName.PAIMON, source)) {
      if (!scan.next()) {
        throw new IllegalStateException(what + " returned no rows");
      }
      heap = liveHeap() - heap0;
      arrow = allocator.getAllocatedMemory() - arrow0;
      Passes.drain(scan);
    }
    Held held = new Held(what, heap, arrow, settings.updateRows());
    System.out.printf(
        "  %s holds %,.1f MB of heap and %,.1f MB of Arrow buffers after its first batch%n",
        what, heap / 1e6, arrow / 1e6);
    return held;
  }

  /** Heap in use after two full collections: what is still reachable. */
  private static long liveHeap() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
