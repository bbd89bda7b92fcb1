package io.sluice.core.tiering;

import io.sluice.core.arrow.ArrowCopy;
import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.log.LogIndex;
import io.sluice.core.log.SliceReader;
import io.sluice.core.merge.Change;
import io.sluice.core.merge.ChangeBatches;
import io.sluice.core.merge.KeyedRows;
import io.sluice.core.merge.LakeKeys;
import io.sluice.core.merge.LogRow;
import io.sluice.core.merge.PrimaryKeyRows;
import io.sluice.core.merge.RowKey;
import io.sluice.core.merge.RowMerger;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TieringState;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.Partition;
import io.sluice.core.table.TableDefinition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Tiers a table's log into each of its lake formats: under the table's lease, reads the offsets the
 * lake's newest tiered snapshot recorded (the source of truth), reads the log from there up to the
 * high watermarks, writes each log bucket's rows to the same lake bucket, and commits one snapshot
 * per format that records the new end offsets, fenced by the lease epoch.
 */
public final class TieringService {
  private final MetadataStore metadata;
  private final LakeFormats lakes;
  private final LeaseManager leases;
  private final LogIndex index;
  private final SliceReader slices;
  private final OffsetsFiles offsetsFiles;
  private final BufferAllocator allocator;
  private final Limits limits;
  private final Clock clock;

  /** How much one run may do, and how long its lease lasts. */
  public record Limits(long maxRowsPerRun, Duration leaseTtl) {
    public static final Limits DEFAULT = new Limits(2_000_000, Duration.ofMinutes(5));
  }

  /** What a run did for one format. */
  public enum Outcome {
    /** Committed a new snapshot. */
    TIERED,
    /** Committed a snapshot without the rows of partitions that partition retention dropped. */
    DROPPED,
    /** Nothing new since the last snapshot. */
    UP_TO_DATE,
    /** Another run committed first; nothing of this run is visible. */
    CONFLICT,
    /** The commit's outcome is unknown; the next run reads the lake to learn it. */
    UNKNOWN
  }

  /** One format's result: the outcome, and the newest tiered snapshot known after the run. */
  public record FormatResult(
      LakeFormatName format, Outcome outcome, Optional<LakeSnapshot> snapshot) {}

  /** A run's result; not {@code leased} when another runner holds the table. */
  public record Result(boolean leased, List<FormatResult> formats) {}

  public TieringService(
      MetadataStore metadata,
      io.sluice.core.store.ObjectStore objects,
      LakeFormats lakes,
      BufferAllocator allocator,
      Clock clock,
      Limits limits) {
    this.metadata = metadata;
    this.lakes = lakes;
    this.leases = new LeaseManager(metadata, clock);
    this.index = new LogIndex(metadata);
    this.slices = new SliceReader(objects, allocator);
    this.offsetsFiles = new OffsetsFiles(objects, clock);
    this.allocator = allocator;
    this.limits = limits;
    this.clock = clock;
  }

  /** Tiers a table into every lake format it lists, as {@code owner}. */
  public Result tier(TableEntry table, String owner) {
    if (table.definition().lakeFormats().isEmpty()) {
      return new Result(true, List.of());
    }
    Optional<Lease> lease = leases.acquire(table.tableId(), owner, limits.leaseTtl());
    if (lease.isEmpty()) {
      return new Result(false, List.of());
    }
    try {
      List<FormatResult> results = new ArrayList<>();
      for (LakeFormatName format : table.definition().lakeFormats()) {
        results.add(tierInto(table, format, lease.get()));
      }
      return new Result(true, results);
    } finally {
      leases.release(lease.get());
    }
  }

  /**
   * Compacts, expires and cleans each lake table of a Sluice table under its lease; false when
   * another runner holds the lease.
   */
  public boolean maintain(TableEntry table, String owner) {
    Optional<Lease> lease = leases.acquire(table.tableId(), owner, limits.leaseTtl());
    if (lease.isEmpty()) {
      return false;
    }
    try {
      for (LakeFormatName format : table.definition().lakeFormats()) {
        LakeTable lake = lakes.format(format).createOrLoad(table);
        lake.maintain();
        removeOffsetsFiles(table, format, lake);
      }
      return true;
    } finally {
      leases.release(lease.get());
    }
  }

  /**
   * Deletes the offsets files of a format that neither a snapshot the lake still holds nor the
   * tiering state names (snapshot expiry and refused commits leave them behind).
   */
  private void removeOffsetsFiles(TableEntry table, LakeFormatName format, LakeTable lake) {
    Set<String> referenced = new HashSet<>();
    lake.snapshots().forEach(s -> s.offsetsFile().ifPresent(referenced::add));
    metadata
        .tieringState(table.tableId(), format)
        .flatMap(TieringState::offsetsFile)
        .ifPresent(referenced::add);
    offsetsFiles.removeUnreferenced(table.tableId(), format, referenced);
  }

  /**
   * Drops from each lake table the partitions that partition retention has dropped from the log:
   * under the table's lease, one commit per format (fenced by the lease epoch, as tiering commits
   * are) that removes their files and leaves them out of the recorded offsets. Only partitions the
   * lake's newest tiered snapshot records, that the log no longer lists (read after that snapshot,
   * so a partition tiered since is listed) and that are expired go. A format whose recorded tiering
   * state names no such partition is not loaded at all.
   *
   * @param listed the partitions the log lists, as the caller last read them: only to decide
   *     cheaply whether a format may hold a dropped partition
   */
  public Result dropPartitions(TableEntry table, String owner, Collection<String> listed) {
    TableDefinition definition = table.definition();
    if (definition.partitionRetention().isEmpty() || definition.lakeFormats().isEmpty()) {
      return new Result(true, List.of());
    }
    Set<String> live = new HashSet<>(listed);
    List<LakeFormatName> due = new ArrayList<>();
    for (LakeFormatName format : definition.lakeFormats()) {
      Map<PartitionBucket, Long> recorded =
          metadata
              .tieringState(table.tableId(), format)
              .map(offsetsFiles::offsets)
              .orElse(Map.of());
      if (recorded.keySet().stream().anyMatch(at -> !live.contains(at.partition()))) {
        due.add(format);
      }
    }
    if (due.isEmpty()) {
      return new Result(true, List.of());
    }
    Optional<Lease> lease = leases.acquire(table.tableId(), owner, limits.leaseTtl());
    if (lease.isEmpty()) {
      return new Result(false, List.of());
    }
    try {
      List<FormatResult> results = new ArrayList<>();
      for (LakeFormatName format : due) {
        results.add(dropFrom(table, format, lease.get()));
      }
      return new Result(true, results);
    } finally {
      leases.release(lease.get());
    }
  }

  private FormatResult dropFrom(TableEntry table, LakeFormatName format, Lease lease) {
    Optional<LakeTable> found = lakes.format(format).load(table);
    if (found.isEmpty()) {
      return new FormatResult(format, Outcome.UP_TO_DATE, Optional.empty());
    }
    LakeTable lake = found.get();
    Optional<LakeSnapshot> base = lake.latestTiered();
    Map<PartitionBucket, Long> offsets = base.map(LakeSnapshot::offsets).orElse(Map.of());
    // Read after the snapshot: a partition it holds was listed before it was tiered, so one the
    // list no longer names was dropped from the log, for good.
    Set<String> live = new HashSet<>(metadata.partitions(table.tableId()));
    Instant now = clock.instant();
    SortedSet<String> gone = new TreeSet<>();
    for (PartitionBucket at : offsets.keySet()) {
      if (!live.contains(at.partition()) && expired(table, at.partition(), now)) {
        gone.add(at.partition());
      }
    }
    if (gone.isEmpty()) {
      record(table, format, base);
      return new FormatResult(format, Outcome.UP_TO_DATE, base);
    }
    Map<PartitionBucket, Long> kept = new HashMap<>();
    offsets.forEach(
        (at, offset) -> {
          if (!gone.contains(at.partition())) {
            kept.put(at, offset);
          }
        });
    try (LakeWrite write = lake.newWrite(base, lease.epoch())) {
      write.dropPartitions(gone);
      return commit(table, format, base, write, kept, Outcome.DROPPED);
    }
  }

  private static boolean expired(TableEntry table, String partition, Instant now) {
    return table
        .definition()
        .expiry(Partition.parse(table.definition(), partition))
        .filter(expiry -> !expiry.isAfter(now))
        .isPresent();
  }

  private FormatResult tierInto(TableEntry table, LakeFormatName format, Lease lease) {
    LakeTable lake = lakes.format(format).createOrLoad(table);
    lake.evolve(table.definition());
    Optional<LakeSnapshot> base = lake.latestTiered();
    Map<PartitionBucket, Long> start = base.map(LakeSnapshot::offsets).orElse(Map.of());
    Map<PartitionBucket, Long> ends = new HashMap<>(start);
    boolean wroteRows = false;
    try (LakeWrite write = lake.newWrite(base, lease.epoch())) {
      long budget = limits.maxRowsPerRun();
      Schema schema = ArrowSchemas.schema(table.definition());
      for (String partition : rotated(metadata.partitions(table))) {
        for (int bucket = 0; bucket < table.definition().buckets(); bucket++) {
          TableBucket at = new TableBucket(table.tableId(), partition, bucket);
          long from = start.getOrDefault(new PartitionBucket(partition, bucket), 0L);
          long end =
              table.definition().hasPrimaryKey()
                  ? writeChanges(table, at, from, budget, lake, base, write)
                  : writeBucket(table, at, from, budget, schema, write);
          if (end > 0 || partition.isEmpty()) {
            ends.put(new PartitionBucket(partition, bucket), end);
          }
          budget -= end - from;
          wroteRows |= end > from;
        }
      }
      if (!wroteRows) {
        record(table, format, base);
        return new FormatResult(format, Outcome.UP_TO_DATE, base);
      }
      return commit(table, format, base, write, ends, Outcome.TIERED);
    }
  }

  /**
   * The partitions from a random one on, wrapping around: a run's row budget then favours no
   * partition, so a busy one cannot keep the others from ever being tiered.
   */
  private static List<String> rotated(List<String> partitions) {
    if (partitions.size() < 2) {
      return partitions;
    }
    int first = ThreadLocalRandom.current().nextInt(partitions.size());
    List<String> rotated = new ArrayList<>(partitions.subList(first, partitions.size()));
    rotated.addAll(partitions.subList(0, first));
    return rotated;
  }

  /** Writes a bucket's rows from {@code from}, at most {@code budget}; returns the end offset. */
  private long writeBucket(
      TableEntry table,
      TableBucket bucket,
      long from,
      long budget,
      Schema schema,
      LakeWrite write) {
    return forEachSlice(
        table,
        bucket,
        from,
        budget,
        (slice, rows, fromRow, toRow) -> {
          try (VectorSchemaRoot current = VectorSchemaRoot.create(schema, allocator)) {
            ArrowCopy.copyRows(rows, fromRow, toRow, current, 0);
            ArrowCopy.finish(current, toRow - fromRow);
            write.write(bucket.partition(), bucket.bucket(), current);
          }
        });
  }

  /**
   * Writes the changes a primary-key table's bucket makes from {@code from}, at most {@code budget}
   * log rows, merged onto the rows the lake table holds for the keys they touch; returns the end
   * offset.
   */
  private long writeChanges(
      TableEntry table,
      TableBucket bucket,
      long from,
      long budget,
      LakeTable lake,
      Optional<LakeSnapshot> base,
      LakeWrite write) {
    TableDefinition definition = table.definition();
    List<LogRow> rows = new ArrayList<>();
    long end =
        forEachSlice(
            table,
            bucket,
            from,
            budget,
            (slice, batch, fromRow, toRow) ->
                rows.addAll(
                    PrimaryKeyRows.sliceRows(
                        batch, fromRow, toRow, slice.baseOffset(), slice.timestamp(), definition)));
    if (rows.isEmpty()) {
      return end;
    }
    RowMerger merger = new RowMerger(definition);
    KeyedRows state = new KeyedRows(merger);
    if (base.isPresent()) {
      Set<RowKey> keys = new HashSet<>();
      rows.forEach(row -> keys.add(merger.key(row.values())));
      LakeKeys.read(lake, base.get(), definition, keys, allocator, state::seed);
    }
    List<Change> changes = new ArrayList<>();
    rows.forEach(row -> changes.addAll(state.apply(row)));
    try (VectorSchemaRoot batch = ChangeBatches.of(changes, definition.columns(), allocator)) {
      write.writeChanges(bucket.partition(), bucket.bucket(), batch);
    }
    return end;
  }

  /** What to do with rows {@code fromRow} to {@code toRow} (exclusive) of a slice. */
  private interface SliceRows {
    void accept(Slice slice, VectorSchemaRoot rows, int fromRow, int toRow);
  }

  /**
   * Passes a bucket's log rows from {@code from}, at most {@code budget}, slice by slice; returns
   * the end offset.
   */
  private long forEachSlice(
      TableEntry table, TableBucket bucket, long from, long budget, SliceRows consumer) {
    LogIndex.BucketSlices found = index.slices(bucket, from);
    BucketHead head = found.head();
    if (from < head.logStartOffset()) {
      throw new IllegalStateException(
          "Cannot tier "
              + bucket
              + " of table "
              + table.name()
              + ": the lake holds offsets up to "
              + from
              + " but the log starts at "
              + head.logStartOffset());
    }
    long end = from;
    for (Slice slice : found.slices()) {
      if (end - from >= budget) {
        break;
      }
      long first = Math.max(end, slice.baseOffset());
      long last = Math.min(slice.endOffset(), from + budget);
      if (last <= first) {
        continue;
      }
      try (VectorSchemaRoot rows = slices.read(slice)) {
        consumer.accept(
            slice, rows, (int) (first - slice.baseOffset()), (int) (last - slice.baseOffset()));
      }
      end = last;
    }
    return end;
  }

  /**
   * Commits a write with three outcomes: {@code done} (recorded in the tiering state), a refusal
   * (its files deleted), or unknown (everything kept; the next run reads the lake).
   */
  private FormatResult commit(
      TableEntry table,
      LakeFormatName format,
      Optional<LakeSnapshot> base,
      LakeWrite write,
      Map<PartitionBucket, Long> offsets,
      Outcome done) {
    try {
      LakeSnapshot committed = write.commit(offsets);
      record(table, format, Optional.of(committed));
      return new FormatResult(format, done, Optional.of(committed));
    } catch (CommitConflictException e) {
      write.abort();
      return new FormatResult(format, Outcome.CONFLICT, base);
    } catch (CommitStateUnknownException e) {
      return new FormatResult(format, Outcome.UNKNOWN, base);
    }
  }

  private void record(TableEntry table, LakeFormatName format, Optional<LakeSnapshot> snapshot) {
    snapshot.ifPresent(s -> metadata.putTieringState(OffsetsFiles.state(table.tableId(), s)));
  }
}
