package io.sluice.bench.scan;

import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.ScanService;
import io.sluice.core.scan.ScanSource;
import io.sluice.core.scan.TableScan;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.LogReadService;
import io.sluice.core.service.LogWaiter;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.service.TableService;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import io.sluice.core.tiering.TieringService;
import io.sluice.metadata.sqlite.SqliteMetadataStore;
import io.sluice.objectstore.ObjectStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Stores and services on one work directory, wired like the local server wires them: a {@code
 * file://} object store wrapped in a {@link CountingObjectStore}, a SQLite metadata store, a lake
 * warehouse (Paimon's filesystem catalog, Iceberg's JDBC catalog on SQLite) and tiered offsets too
 * many for a snapshot property in offsets files of the object store. The scan benchmarks share it.
 */
final class ScanStores implements AutoCloseable {
  final CountingObjectStore objects;
  final MetadataStore metadata;
  final LakeSettings lakeSettings;
  final LakeFormats lakes;
  final ExecutorService executor = Executors.newFixedThreadPool(4);
  final TableService tables;
  final AppendService appends;
  final TieringService tiering;
  final LogReadService reads;
  final ScanService scans;

  private final BufferAllocator allocator;
  private final Clock clock = Clock.systemUTC();

  ScanStores(Path dir, BufferAllocator allocator) throws IOException {
    this(dir, allocator, Map.of());
  }

  /**
   * @param lakeOptions options of the lake settings, e.g. a file IO of each format's own
   */
  ScanStores(Path dir, BufferAllocator allocator, Map<String, String> lakeOptions)
      throws IOException {
    this.allocator = allocator;
    Files.createDirectories(dir.resolve("objects"));
    Files.createDirectories(dir.resolve("lake"));
    objects = new CountingObjectStore(ObjectStores.open(dir.resolve("objects").toUri().toString()));
    metadata = SqliteMetadataStore.open(dir.resolve("metadata.db"));
    lakeSettings = new LakeSettings(dir.resolve("lake").toUri().toString(), lakeOptions);
    OffsetsFiles offsetsFiles = new OffsetsFiles(objects, clock);
    lakes = new LakeFormats(lakeSettings, Optional.empty(), offsetsFiles);
    LogWaiter waiter = new LogWaiter();
    tables = new TableService(metadata, clock, Optional.of(lakes), dropped -> {}, offsetsFiles);
    appends =
        new AppendService(
            tables,
            new AppendCommitter(objects, metadata, executor, clock),
            executor,
            allocator,
            waiter,
            AppendService.Settings.DEFAULT);
    tiering =
        new TieringService(
            metadata, objects, lakes, allocator, clock, TieringService.Limits.DEFAULT);
    reads = new LogReadService(tables, metadata, objects, waiter, allocator);
    scans = new ScanService(tables, metadata, reads, Optional.of(lakes), allocator);
  }

  /** Creates the table and its table in every lake format it names. */
  TableEntry create(TableName name, TableDefinition definition) {
    TableEntry entry = tables.create(name, definition).table();
    for (LakeFormatName format : definition.lakeFormats()) {
      lakes.format(format).createOrLoad(entry);
    }
    return entry;
  }

  /** Appends one Arrow IPC body, as one write request does. */
  void append(TableName name, byte[] arrowBody) {
    appends.append(name, new RowBody(RowFormat.ARROW, arrowBody), Optional.empty());
  }

  /**
   * One tiering run of {@code table} into every lake format it has.
   *
   * @throws IllegalStateException unless every format committed offsets summing to {@code rows}
   */
  void tier(TableEntry table, long rows) {
    TieringService.Result tiered = tiering.tier(table, "bench");
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

  /**
   * Reading services of their own on these stores, as a reader process that just started has them:
   * no footer, offsets file, catalog or table metadata cached. The caller closes them.
   */
  Reader reader() {
    return new Reader();
  }

  /** Services that only read: their own lake formats, table service, log reads and scans. */
  final class Reader implements AutoCloseable {
    final LakeFormats lakes;
    final ScanService scans;

    private Reader() {
      OffsetsFiles offsetsFiles = new OffsetsFiles(objects, clock);
      lakes = new LakeFormats(lakeSettings, Optional.empty(), offsetsFiles);
      TableService tables =
          new TableService(metadata, clock, Optional.of(lakes), dropped -> {}, offsetsFiles);
      LogReadService reads =
          new LogReadService(tables, metadata, objects, new LogWaiter(), allocator);
      scans = new ScanService(tables, metadata, reads, Optional.of(lakes), allocator);
    }

    @Override
    public void close() {
      lakes.close();
    }
  }

  /** A scan of every column of every row of {@code source}, reading {@code format} as the lake. */
  TableScan open(TableName name, LakeFormatName format, ScanSource source) {
    return scans.scan(
        new ScanService.Request(
            name, Optional.empty(), Optional.empty(), source, Optional.of(format), Long.MAX_VALUE));
  }

  @Override
  public void close() throws Exception {
    executor.shutdownNow();
    lakes.close();
    metadata.close();
    objects.close();
  }

  /** Deletes a directory and everything under it, if it exists. */
  static void deleteRecursively(Path dir) throws IOException {
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
