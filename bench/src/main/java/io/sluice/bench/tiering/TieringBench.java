package io.sluice.bench.tiering;

import io.sluice.bench.MachineInfo;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.CommitResult;
import io.sluice.core.log.RecoveryService;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.LogWaiter;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.service.TableService;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import io.sluice.core.tiering.RetentionService;
import io.sluice.core.tiering.ScheduledRun;
import io.sluice.core.tiering.TieringService;
import io.sluice.metadata.sqlite.SqliteMetadataStore;
import io.sluice.objectstore.ObjectStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.PartitionedFanoutWriter;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.options.Options;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.sink.BatchTableCommit;
import org.apache.paimon.table.sink.BatchTableWrite;
import org.apache.paimon.table.sink.BatchWriteBuilder;
import org.apache.paimon.table.sink.CommitMessage;

/**
 * The tiering benchmark, in one JVM on local files (object store, SQLite metadata store and lake
 * warehouse in a work directory):
 *
 * <ol>
 *   <li>throughput: rows appended through {@link AppendService} (Arrow bodies), then one timed
 *       {@link TieringService#tier} run into Paimon, against Paimon's own batch writer writing the
 *       same rows from memory (pre-built {@link GenericRow}s) into a lake table created with the
 *       same schema and options; Sluice's tiering into Iceberg against Iceberg's generic Parquet
 *       writers fanned out by bucket partition;
 *   <li>freshness: a steady writer and a scheduler calling {@link ScheduledRun#runOnce()} every
 *       second on a table with lake freshness 10 s; for every acknowledged write, the time until a
 *       reader polling {@link LakeTable#latestTiered()} sees offsets covering it.
 * </ol>
 *
 * Settings are system properties {@code tiering.*} (see {@link Settings}); the report goes to the
 * first argument or {@code bench/reports/tiering.md}.
 */
public final class TieringBench {

  /** The benchmark's settings. */
  record Settings(
      Path workDir,
      Path report,
      int rows,
      int batchRows,
      int rounds,
      int warmupRows,
      boolean iceberg,
      int freshnessSeconds,
      int writesPerSecond,
      int rowsPerWrite,
      String freshness) {
    static Settings fromSystemProperties(String[] args) {
      Path root = Path.of(System.getProperty("tiering.root", "."));
      return new Settings(
          Path.of(
              System.getProperty(
                  "tiering.work", root.resolve("bench/target/tiering-work").toString())),
          args.length > 0 ? Path.of(args[0]) : root.resolve("bench/reports/tiering.md"),
          Integer.getInteger("tiering.rows", 200_000),
          Integer.getInteger("tiering.batchRows", 2_000),
          Integer.getInteger("tiering.rounds", 3),
          Integer.getInteger("tiering.warmupRows", 40_000),
          Boolean.parseBoolean(System.getProperty("tiering.iceberg", "true")),
          Integer.getInteger("tiering.freshnessSeconds", 60),
          Integer.getInteger("tiering.writesPerSecond", 2),
          Integer.getInteger("tiering.rowsPerWrite", 500),
          System.getProperty("tiering.freshness", "10s"));
    }
  }

  /** One timed write of {@code rows} rows. */
  record Timed(String what, int round, long rows, double seconds) {
    double rowsPerSecond() {
      return rows / seconds;
    }
  }

  /** The freshness phase's outcome. */
  record Freshness(
      int writes, int covered, double[] lagSeconds, int tierRuns, double seconds, long rows) {}

  private final Settings settings;
  private final RootAllocator allocator = new RootAllocator();
  private final List<String> notes = new ArrayList<>();

  private TieringBench(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    // Paimon and Iceberg log at INFO per commit; keep the console readable.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    Settings settings = Settings.fromSystemProperties(args);
    new TieringBench(settings).run();
  }

  private void run() throws Exception {
    long start = System.nanoTime();
    String startLoad = MachineInfo.loadAverage();
    deleteRecursively(settings.workDir());
    Files.createDirectories(settings.workDir());

    List<Timed> timings = new ArrayList<>();
    System.out.println("warm-up (" + settings.warmupRows() + " rows each side)");
    throughputRound(0, settings.warmupRows(), timings, settings.iceberg());
    for (int round = 1; round <= settings.rounds(); round++) {
      System.out.println("throughput round " + round + " (" + settings.rows() + " rows)");
      throughputRound(round, settings.rows(), timings, settings.iceberg());
    }
    System.out.println(
        "freshness: "
            + settings.freshnessSeconds()
            + " s of steady writes, freshness "
            + settings.freshness());
    Freshness freshness = freshness();

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    TieringReport.write(settings, timings, freshness, notes, took, startLoad);
    System.out.println("report: " + settings.report().toAbsolutePath());
    allocator.close();
  }

  // ---------------------------------------------------------------- throughput

  /** Stores for one phase: object store, SQLite metadata and lake warehouse under {@code dir}. */
  private final class Stores implements AutoCloseable {
    final ObjectStore objects;
    final MetadataStore metadata;
    final LakeFormats lakes;
    final ExecutorService executor = Executors.newFixedThreadPool(4);
    final TableService tables;
    final AppendService appends;
    final TieringService tiering;
    final Path dir;

    Stores(Path dir) throws IOException {
      this.dir = dir;
      Files.createDirectories(dir.resolve("objects"));
      Files.createDirectories(dir.resolve("lake"));
      objects = ObjectStores.open(dir.resolve("objects").toUri().toString());
      metadata = SqliteMetadataStore.open(dir.resolve("metadata.db"));
      lakes = new LakeFormats(new LakeSettings(warehouse(), Map.of()));
      Clock clock = Clock.systemUTC();
      tables =
          new TableService(metadata, clock, Optional.of(lakes), dropped -> {}, OffsetsFiles.INLINE);
      appends =
          new AppendService(
              tables,
              new AppendCommitter(objects, metadata, executor, clock),
              executor,
              allocator,
              new LogWaiter(),
              AppendService.Settings.DEFAULT);
      tiering =
          new TieringService(
              metadata, objects, lakes, allocator, clock, TieringService.Limits.DEFAULT);
    }

    String warehouse() {
      return stripSlash(dir.resolve("lake").toUri().toString());
    }

    TableEntry create(TableName name, String formats, String freshness) {
      TableEntry entry =
          tables
              .create(
                  name,
                  TableDefinitionJson.parse(
                      "create", TieringRows.definitionJson(formats, freshness)))
              .table();
      // The lake tables exist before any clock starts.
      for (LakeFormatName format : entry.definition().lakeFormats()) {
        lakes.format(format).createOrLoad(entry);
      }
      return entry;
    }

    void appendAll(TableName name, TieringRows rows) {
      for (int from = 0; from < rows.count; from += settings.batchRows()) {
        int to = Math.min(rows.count, from + settings.batchRows());
        appends.append(
            name,
            new RowBody(RowFormat.ARROW, rows.arrowBody(allocator, from, to)),
            Optional.empty());
      }
    }

    @Override
    public void close() throws Exception {
      executor.shutdownNow();
      lakes.close();
      metadata.close();
      objects.close();
    }
  }

  private static String stripSlash(String uri) {
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }

  private void throughputRound(int round, int rowCount, List<Timed> timings, boolean iceberg)
      throws Exception {
    TieringRows rows = new TieringRows(0, rowCount, 42 + round);
    try (Stores stores = new Stores(settings.workDir().resolve("throughput-" + round))) {
      // Sluice into Paimon: the rows are in the log first; the lake table exists (created with
      // the Sluice table); the clock covers one tiering run.
      TableName sluiceName = TableName.parse("tier_paimon");
      TableEntry table = stores.create(sluiceName, "\"paimon\"", "1h");
      stores.appendAll(sluiceName, rows);
      timings.add(timeTier(stores, table, "sluice-paimon", round, rowCount));

      // Paimon's own writer: a lake table of the same schema and options, created by the same
      // adapter, written with BatchWriteBuilder from pre-built rows.
      TableEntry baseline = stores.create(TableName.parse("paimon_baseline"), "\"paimon\"", "1h");
      timings.add(paimonBaseline(stores, baseline, rows.paimonRows(), round));

      if (iceberg) {
        try {
          TableName icebergName = TableName.parse("tier_iceberg");
          TableEntry icebergTable = stores.create(icebergName, "\"iceberg\"", "1h");
          stores.appendAll(icebergName, rows);
          timings.add(timeTier(stores, icebergTable, "sluice-iceberg", round, rowCount));
          TableEntry icebergBaseline =
              stores.create(TableName.parse("iceberg_baseline"), "\"iceberg\"", "1h");
          timings.add(icebergBaseline(stores, icebergBaseline, rows, round));
        } catch (RuntimeException e) {
          notes.add("Iceberg round " + round + " failed: " + e);
          e.printStackTrace();
        }
      }
    }
  }

  private Timed timeTier(Stores stores, TableEntry table, String what, int round, long rows) {
    long t0 = System.nanoTime();
    TieringService.Result result = stores.tiering.tier(table, "bench");
    double seconds = (System.nanoTime() - t0) / 1e9;
    for (TieringService.FormatResult f : result.formats()) {
      if (f.outcome() != TieringService.Outcome.TIERED) {
        throw new IllegalStateException(what + " round " + round + ": " + f);
      }
      long tiered =
          f.snapshot()
              .map(s -> s.offsets().values().stream().mapToLong(Long::longValue).sum())
              .orElse(0L);
      if (tiered != rows) {
        throw new IllegalStateException(
            what + " round " + round + " tiered offsets sum " + tiered + ", expected " + rows);
      }
    }
    System.out.printf(
        "  %-15s %,d rows in %.2f s = %,.0f rows/s%n", what, rows, seconds, rows / seconds);
    return new Timed(what, round, rows, seconds);
  }

  private Timed paimonBaseline(Stores stores, TableEntry entry, GenericRow[] rows, int round)
      throws Exception {
    Options options = new Options();
    options.set("metastore", "filesystem");
    options.set("warehouse", stores.warehouse() + "/paimon");
    options.set("cache-enabled", "false");
    try (Catalog catalog = CatalogFactory.createCatalog(CatalogContext.create(options))) {
      FileStoreTable table =
          (FileStoreTable)
              catalog.getTable(Identifier.create(entry.name().database(), entry.name().table()));
      long t0 = System.nanoTime();
      BatchWriteBuilder builder = table.newBatchWriteBuilder();
      List<CommitMessage> messages;
      try (BatchTableWrite write = builder.newWrite()) {
        for (GenericRow row : rows) {
          write.write(row);
        }
        messages = write.prepareCommit();
      }
      try (BatchTableCommit commit = builder.newCommit()) {
        commit.commit(messages);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "  %-15s %,d rows in %.2f s = %,.0f rows/s%n",
          "paimon-writer", rows.length, seconds, rows.length / seconds);
      return new Timed("paimon-writer", round, rows.length, seconds);
    }
  }

  /**
   * Iceberg's own writer: the generic Parquet appenders of the table's schema and properties,
   * fanned out by the table's bucket partition, then one append commit.
   */
  private Timed icebergBaseline(Stores stores, TableEntry entry, TieringRows rows, int round)
      throws Exception {
    Path lake = stores.dir.resolve("lake");
    Map<String, String> properties =
        Map.of(
            CatalogProperties.URI,
            "jdbc:sqlite:" + lake.resolve("iceberg-catalog.db"),
            CatalogProperties.WAREHOUSE_LOCATION,
            stores.warehouse() + "/iceberg",
            JdbcCatalog.PROPERTY_PREFIX + "init-catalog-tables",
            "false");
    try (JdbcCatalog catalog = new JdbcCatalog()) {
      catalog.setConf(new Configuration());
      catalog.initialize("sluice", properties);
      Table table =
          catalog.loadTable(TableIdentifier.of(entry.name().database(), entry.name().table()));
      Record[] records = rows.icebergRecords(table.schema());
      long t0 = System.nanoTime();
      PartitionKey key = new PartitionKey(table.spec(), table.schema());
      InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
      PartitionedFanoutWriter<Record> writer =
          new PartitionedFanoutWriter<>(
              table.spec(),
              FileFormat.PARQUET,
              new GenericAppenderFactory(table.schema(), table.spec()),
              OutputFileFactory.builderFor(table, 1, 1).format(FileFormat.PARQUET).build(),
              table.io(),
              TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT) {
            @Override
            protected PartitionKey partition(Record record) {
              key.partition(wrapper.wrap(record));
              return key;
            }
          };
      try (writer) {
        for (Record record : records) {
          writer.write(record);
        }
      }
      AppendFiles append = table.newAppend();
      for (DataFile file : writer.dataFiles()) {
        append.appendFile(file);
      }
      append.commit();
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "  %-15s %,d rows in %.2f s = %,.0f rows/s%n",
          "iceberg-writer", records.length, seconds, records.length / seconds);
      return new Timed("iceberg-writer", round, records.length, seconds);
    }
  }

  // ---------------------------------------------------------------- freshness

  /** One acknowledged write: when, and the end offset per bucket it must be covered to. */
  private record Ack(long ackNanos, Map<Integer, Long> ends) {}

  private Freshness freshness() throws Exception {
    TableName name = TableName.parse("fresh");
    try (Stores stores = new Stores(settings.workDir().resolve("freshness"));
        LakeFormats readerLakes = new LakeFormats(new LakeSettings(stores.warehouse(), Map.of()))) {
      TableEntry table = stores.create(name, "\"paimon\"", settings.freshness());
      ScheduledRun scheduled =
          new ScheduledRun(
              stores.metadata,
              new RecoveryService(stores.metadata, stores.executor, Clock.systemUTC()),
              stores.tiering,
              new RetentionService(
                  stores.metadata,
                  stores.objects,
                  Clock.systemUTC(),
                  RetentionService.Settings.DEFAULT),
              Clock.systemUTC(),
              "bench-scheduler",
              ScheduledRun.Intervals.DEFAULT);
      LakeTable reader = readerLakes.format(LakeFormatName.PAIMON).createOrLoad(table);

      int writes = settings.freshnessSeconds() * settings.writesPerSecond();
      // Pre-built bodies, so the writer's pace is the requests' and not the encoding's.
      TieringRows rows = new TieringRows(0, writes * settings.rowsPerWrite(), 7);
      List<byte[]> bodies = new ArrayList<>();
      for (int w = 0; w < writes; w++) {
        bodies.add(
            rows.arrowBody(
                allocator, w * settings.rowsPerWrite(), (w + 1) * settings.rowsPerWrite()));
      }

      ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      int[] tierRuns = {0};
      Thread scheduler =
          new Thread(
              () -> {
                while (!stop.get()) {
                  long next = System.nanoTime() + 1_000_000_000L;
                  scheduled.runOnce();
                  tierRuns[0]++;
                  sleepUntil(next);
                }
              },
              "scheduler");
      Thread writer =
          new Thread(
              () -> {
                long period = 1_000_000_000L / settings.writesPerSecond();
                long next = System.nanoTime();
                for (byte[] body : bodies) {
                  sleepUntil(next);
                  next += period;
                  CommitResult result =
                      stores.appends.append(
                          name, new RowBody(RowFormat.ARROW, body), Optional.empty());
                  long now = System.nanoTime();
                  Map<Integer, Long> ends = new HashMap<>();
                  for (CommitResult.BucketOffsets b : result.buckets()) {
                    ends.put(b.bucket(), b.baseOffset() + b.count());
                  }
                  acks.add(new Ack(now, ends));
                }
              },
              "writer");

      long t0 = System.nanoTime();
      scheduler.start();
      writer.start();
      List<Ack> pending = new ArrayList<>();
      List<Double> lags = new ArrayList<>();
      long deadline = Long.MAX_VALUE;
      while (true) {
        Thread.sleep(100);
        for (Ack a; (a = acks.poll()) != null; ) {
          pending.add(a);
        }
        Map<Integer, Long> lake =
            reader.latestTiered().map(LakeSnapshot::bucketOffsets).orElse(Map.of());
        long seen = System.nanoTime();
        pending.removeIf(
            a -> {
              boolean covered =
                  a.ends().entrySet().stream()
                      .allMatch(e -> lake.getOrDefault(e.getKey(), 0L) >= e.getValue());
              if (covered) {
                lags.add((seen - a.ackNanos()) / 1e9);
              }
              return covered;
            });
        if (!writer.isAlive() && acks.isEmpty()) {
          if (deadline == Long.MAX_VALUE) {
            // Let the scheduler catch up with the last writes: at most three freshness periods.
            deadline =
                System.nanoTime() + 3 * Duration.parse("PT" + settings.freshness()).toNanos();
          }
          if (pending.isEmpty() || System.nanoTime() > deadline) {
            break;
          }
        }
      }
      stop.set(true);
      scheduler.join();
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (!pending.isEmpty()) {
        notes.add(pending.size() + " acknowledged writes were not in the lake at the end");
      }
      double[] sorted = lags.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf(
          "  %d writes, %d covered; p50 %.2f s, p99 %.2f s, max %.2f s%n",
          writes,
          sorted.length,
          percentile(sorted, 50),
          percentile(sorted, 99),
          sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
      return new Freshness(
          writes,
          sorted.length,
          sorted,
          tierRuns[0],
          seconds,
          (long) writes * settings.rowsPerWrite());
    }
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static void sleepUntil(long nanos) {
    long wait = nanos - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
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

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
  }
}
