package io.sluice.core.merge;

import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.LogRead;
import io.sluice.core.service.LogReadService;
import io.sluice.core.service.NotSupportedException;
import io.sluice.core.service.OffsetOutOfRangeException;
import io.sluice.core.service.TableService;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The changelog of a primary-key table's bucket: the changes its log rows made, with exact
 * before-images. The state before the first row read is the newest lake snapshot that had not yet
 * tiered it (in the table's first format), plus the log rows between that snapshot and it.
 */
public final class ChangelogService {
  private final TableService tables;
  private final LogReadService reads;
  private final Optional<LakeFormats> lakes;
  private final BufferAllocator allocator;

  public ChangelogService(
      TableService tables,
      LogReadService reads,
      Optional<LakeFormats> lakes,
      BufferAllocator allocator) {
    this.tables = tables;
    this.reads = reads;
    this.lakes = lakes;
    this.allocator = allocator;
  }

  /**
   * The changes the log rows of {@code bucket} from offset {@code from} make, at most {@code limit}
   * log rows' worth; rows are {@link Changelogs#recordSchema} of every column.
   *
   * @throws NotSupportedException for a log table
   * @throws OffsetOutOfRangeException when {@code from} is outside the log, or the state before it
   *     is in neither the log nor a lake snapshot still kept
   */
  public LogRead read(TableName name, String partition, int bucket, long from, int limit)
      throws InterruptedException {
    TableEntry table = primaryKeyTable(name);
    TableDefinition definition = table.definition();
    TableBucket logBucket = LogReadService.bucket(table, partition, bucket);
    try (LogRead read = readLog(name, logBucket, from, limit)) {
      List<LogRow> rows = PrimaryKeyRows.logRows(read.rows(), definition);
      RowMerger merger = new RowMerger(definition);
      Set<RowKey> keys = new HashSet<>();
      rows.forEach(row -> keys.add(merger.key(row.values())));
      KeyedRows state = stateBefore(table, logBucket, from, keys, merger);
      List<Change> changes = new ArrayList<>();
      rows.forEach(row -> changes.addAll(state.apply(row)));
      return new LogRead(
          ChangeBatches.records(changes, definition.columns(), allocator),
          read.nextOffset(),
          read.highWatermark());
    }
  }

  /**
   * Every bucket's changelog up to the high watermarks at the call, read page by page: from each
   * bucket's log start, or from the newest lake snapshot's offset where the state before the log
   * start is no longer kept.
   *
   * @throws NotSupportedException for a log table
   */
  public RowBatches all(TableName name) {
    TableEntry table = primaryKeyTable(name);
    List<TableBucket> buckets = new ArrayList<>();
    List<BucketHead> heads = new ArrayList<>();
    tables
        .describe(name)
        .partitions()
        .forEach(
            (partition, partitionHeads) ->
                partitionHeads.forEach(
                    head -> {
                      buckets.add(new TableBucket(table.tableId(), partition, head.bucket()));
                      heads.add(head);
                    }));
    return new RowBatches() {
      private int bucket = -1;
      private long next;
      private long end;
      private LogRead current;
      private final VectorSchemaRoot empty =
          VectorSchemaRoot.create(Changelogs.recordSchema(table.definition().columns()), allocator);

      @Override
      public VectorSchemaRoot batch() {
        return current == null ? empty : current.rows();
      }

      @Override
      public boolean next() {
        release();
        try {
          while (true) {
            if (bucket < 0 || next >= end) {
              if (++bucket >= heads.size()) {
                return false;
              }
              next = heads.get(bucket).logStartOffset();
              end = heads.get(bucket).nextOffset();
              continue;
            }
            int limit = (int) Math.min(LogReadService.MAX_LIMIT, end - next);
            try {
              TableBucket at = buckets.get(bucket);
              current = read(name, at.partition(), at.bucket(), next, limit);
            } catch (OffsetOutOfRangeException e) {
              long tiered = tieredOffset(table, buckets.get(bucket));
              if (tiered <= next) {
                throw e;
              }
              next = tiered;
              continue;
            }
            next = current.nextOffset();
            if (current.rows().getRowCount() > 0) {
              return true;
            }
            release();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted reading the changelog of " + name, e);
        }
      }

      private void release() {
        if (current != null) {
          current.close();
          current = null;
        }
      }

      @Override
      public void close() {
        release();
        empty.close();
      }
    };
  }

  private TableEntry primaryKeyTable(TableName name) {
    TableEntry table = tables.table(name);
    if (!table.definition().hasPrimaryKey()) {
      throw new NotSupportedException(
          "Table " + name + " has no primary key, so no changelog; read its records instead");
    }
    return table;
  }

  private long tieredOffset(TableEntry table, TableBucket bucket) {
    return lake(table)
        .flatMap(LakeTable::latestTiered)
        .map(s -> s.offset(bucket.partition(), bucket.bucket()))
        .orElse(0L);
  }

  private Optional<LakeTable> lake(TableEntry table) {
    List<LakeFormatName> formats = table.definition().lakeFormats();
    if (formats.isEmpty() || lakes.isEmpty()) {
      return Optional.empty();
    }
    return lakes.get().format(formats.get(0)).load(table);
  }

  /** The rows of {@code keys} just before offset {@code from} of the bucket. */
  private KeyedRows stateBefore(
      TableEntry table, TableBucket logBucket, long from, Set<RowKey> keys, RowMerger merger)
      throws InterruptedException {
    KeyedRows state = new KeyedRows(merger);
    if (keys.isEmpty()) {
      return state;
    }
    int bucket = logBucket.bucket();
    String partition = logBucket.partition();
    Optional<LakeTable> lake = lake(table);
    Optional<LakeSnapshot> base =
        lake.flatMap(
            l ->
                l.snapshots().stream()
                    .filter(s -> s.tableId().isPresent() && !s.offsets().isEmpty())
                    .filter(s -> s.offset(partition, bucket) <= from)
                    .findFirst());
    long baseOffset = base.map(s -> s.offset(partition, bucket)).orElse(0L);
    if (base.isPresent()) {
      LakeKeys.read(lake.get(), base.get(), table.definition(), keys, allocator, state::seed);
    }
    for (long offset = baseOffset; offset < from; ) {
      try (LogRead read =
          readLog(
              table.name(),
              logBucket,
              offset,
              (int) Math.min(LogReadService.MAX_LIMIT, from - offset))) {
        long start = offset;
        forKeys(read, table.definition(), keys, merger, state::apply);
        offset = read.nextOffset();
        if (offset == start) {
          break;
        }
      } catch (OffsetOutOfRangeException e) {
        throw new OffsetOutOfRangeException(
            "The changelog of %s from offset %d needs the rows before it, which are in no kept lake snapshot and no longer in the log (it starts at %d); read from a later offset"
                .formatted(logBucket, from, e.logStartOffset()),
            e.logStartOffset());
      }
    }
    return state;
  }

  private static void forKeys(
      LogRead read,
      TableDefinition definition,
      Set<RowKey> keys,
      RowMerger merger,
      Consumer<LogRow> apply) {
    for (LogRow row : PrimaryKeyRows.logRows(read.rows(), definition)) {
      if (keys.contains(merger.key(row.values()))) {
        apply.accept(row);
      }
    }
  }

  private LogRead readLog(TableName name, TableBucket bucket, long from, int limit)
      throws InterruptedException {
    if (limit < 1 || limit > LogReadService.MAX_LIMIT) {
      throw new InvalidParameterException(
          "limit must be 1 to " + LogReadService.MAX_LIMIT + ", not " + limit);
    }
    return reads.read(
        new LogReadService.Request(
            name, bucket.partition(), bucket.bucket(), from, limit, Optional.empty(), 0));
  }
}
