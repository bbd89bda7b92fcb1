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
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.Partition;
import io.sluice.core.table.TableDefinition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Tiers a table's log into each of its lake formats: under the table's lease, reads the offsets the
 * lake's newest tiered snapshot recorded (the source of truth), reads the log from there up to the
 * high watermarks, writes each log bucket's rows to the same lake bucket, and commits one snapshot
 * per format that records the new end offsets, fenced by the lease epoch.
 *
 * <p>A run reads only the buckets whose heads are marked pending ({@link
 * MetadataStore#pendingBuckets}) and clears each mark once every format holds the bucket up to the
 * head it read. At most once per {@link #FULL_PASS_INTERVAL}, and whenever a format has no tiering
 * state yet, it reads every bucket of every partition instead: a safety net for rows whose head
 * carries no mark (written before heads were marked, or left so by a bug).
 */
public final class TieringService {
  /** How often a run reads every bucket, marked or not. */
  public static final Duration FULL_PASS_INTERVAL = Duration.ofHours(1);

  private static final Logger LOG = Logger.getLogger(TieringService.class.getName());

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
    return tier(table, owner, Set.of());
  }

  /**
   * Tiers a table into every lake format it lists, as {@code owner}, reading also the buckets
   * {@code behind}: those the caller saw holding rows that a lake lacks, which the pending marks
   * may not show yet (their index can lag) or at all (a head written before heads were marked).
   */
  public Result tier(TableEntry table, String owner, Collection<PartitionBucket> behind) {
    if (table.definition().lakeFormats().isEmpty()) {
      return new Result(true, List.of());
    }
    Optional<Lease> lease = leases.acquire(table.tableId(), owner, limits.leaseTtl());
    if (lease.isEmpty()) {
      return new Result(false, List.of());
    }
    try {
      Instant now = clock.instant();
      Map<LakeFormatName, Optional<TieringState>> states = new EnumMap<>(LakeFormatName.class);
      for (LakeFormatName format : table.definition().lakeFormats()) {
        states.put(format, metadata.tieringState(table.tableId(), format));
      }
      Optional<Instant> fullPass =
          states.values().stream().allMatch(state -> fullPassRecent(state, now))
              ? Optional.empty()
              : Optional.of(now);
      // Listed partitions only: the partition-drop commit counts on every partition a snapshot
      // holds having been listed before it was tiered (a new one is listed by the next run).
      List<String> partitions = metadata.partitions(table);
      Set<String> live = new HashSet<>(partitions);
      List<TableBucket> pending =
          metadata.pendingBuckets(table.tableId()).stream()
              .filter(at -> live.contains(at.partition()))
              .toList();
      SortedSet<PartitionBucket> read = new TreeSet<>();
      pending.forEach(at -> read.add(at.partitionBucket()));
      behind.stream().filter(at -> live.contains(at.partition())).forEach(read::add);
      if (fullPass.isPresent()) {
        for (String partition : partitions) {
          for (int bucket = 0; bucket < table.definition().buckets(); bucket++) {
            read.add(new PartitionBucket(partition, bucket));
          }
        }
      }
      List<PartitionBucket> order = rotated(new ArrayList<>(read));
      List<FormatRun> runs = new ArrayList<>();
      for (LakeFormatName format : table.definition().lakeFormats()) {
        runs.add(tierInto(table, format, lease.get(), order, fullPass, states.get(format)));
      }
      clearTiered(pending, runs);
      return new Result(true, runs.stream().map(FormatRun::result).toList());
    } finally {
      leases.release(lease.get());
    }
  }

  private static boolean fullPassRecent(Optional<TieringState> state, Instant now) {
    return state
        .flatMap(TieringState::lastFullPass)
        .filter(at -> at.plus(FULL_PASS_INTERVAL).isAfter(now))
        .isPresent();
  }

  /**
   * Clears the mark of each pending bucket that every format now holds up to the head it read, once
   * every format committed or had nothing new. A refused or unknown commit clears nothing: the next
   * run reads those buckets again.
   */
  private void clearTiered(List<TableBucket> pending, List<FormatRun> runs) {
    boolean committed =
        runs.stream()
            .map(run -> run.result().outcome())
            .allMatch(outcome -> outcome == Outcome.TIERED || outcome == Outcome.UP_TO_DATE);
    if (!committed) {
      return;
    }
    for (TableBucket bucket : pending) {
      Set<Long> ends = new HashSet<>();
      runs.forEach(run -> ends.add(run.caughtUp().get(bucket.partitionBucket())));
      if (ends.size() != 1 || ends.contains(null)) {
        continue; // cut short by the row budget, or appended to between the formats' reads
      }
      try {
        metadata.clearPending(bucket, ends.iterator().next());
      } catch (StoreUnavailableException e) {
        // The rows are in every lake; a mark left behind costs the next run a head read.
        LOG.log(Level.WARNING, "Cannot clear the tiering marks of table " + bucket.tableId(), e);
        return;
      }
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
    Map<LakeFormatName, Optional<TieringState>> due = new EnumMap<>(LakeFormatName.class);
    for (LakeFormatName format : definition.lakeFormats()) {
      Optional<TieringState> state = metadata.tieringState(table.tableId(), format);
      Map<PartitionBucket, Long> recorded = state.map(offsetsFiles::offsets).orElse(Map.of());
      if (recorded.keySet().stream().anyMatch(at -> !live.contains(at.partition()))) {
        due.put(format, state);
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
      for (Map.Entry<LakeFormatName, Optional<TieringState>> format : due.entrySet()) {
        results.add(dropFrom(table, format.getKey(), lease.get(), format.getValue()));
      }
      return new Result(true, results);
    } finally {
      leases.release(lease.get());
    }
  }

  private FormatResult dropFrom(
      TableEntry table, LakeFormatName format, Lease lease, Optional<TieringState> previous) {
    Optional<Instant> lastFullPass = previous.flatMap(TieringState::lastFullPass);
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
      record(table, format, base, lastFullPass);
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
      return commit(table, format, base, write, kept, Outcome.DROPPED, lastFullPass);
    }
  }

  private static boolean expired(TableEntry table, String partition, Instant now) {
    return table
        .definition()
        .expiry(Partition.parse(table.definition(), partition))
        .filter(expiry -> !expiry.isAfter(now))
        .isPresent();
  }

  /**
   * One format's part of a run: its result, and the buckets it read up to their heads' {@code
   * nextOffset} (as read), with that offset.
   */
  private record FormatRun(FormatResult result, Map<PartitionBucket, Long> caughtUp) {}

  /** How far a bucket was tiered, and its head's {@code nextOffset} when read. */
  private record Progress(long end, long headEnd) {}

  /**
   * Tiers {@code buckets} into one format, in that order, within the row budget; records a full
   * pass at {@code fullPass} when that is one and every bucket caught up with its head.
   */
  private FormatRun tierInto(
      TableEntry table,
      LakeFormatName format,
      Lease lease,
      List<PartitionBucket> buckets,
      Optional<Instant> fullPass,
      Optional<TieringState> previous) {
    LakeTable lake = lakes.format(format).createOrLoad(table);
    lake.evolve(table.definition());
    Optional<LakeSnapshot> base = lake.latestTiered();
    Map<PartitionBucket, Long> start = base.map(LakeSnapshot::offsets).orElse(Map.of());
    Map<PartitionBucket, Long> ends = new HashMap<>(start);
    if (!table.definition().isPartitioned()) {
      for (int bucket = 0; bucket < table.definition().buckets(); bucket++) {
        ends.putIfAbsent(new PartitionBucket(TableBucket.UNPARTITIONED, bucket), 0L);
      }
    }
    Map<PartitionBucket, Long> caughtUp = new HashMap<>();
    boolean wroteRows = false;
    try (LakeWrite write = lake.newWrite(base, lease.epoch())) {
      long budget = limits.maxRowsPerRun();
      Schema schema = ArrowSchemas.schema(table.definition());
      for (PartitionBucket at : buckets) {
        if (budget <= 0) {
          break; // the rest keep their marks for the next run
        }
        TableBucket bucket = at.in(table.tableId());
        long from = start.getOrDefault(at, 0L);
        Progress progress =
            table.definition().hasPrimaryKey()
                ? writeChanges(table, bucket, from, budget, lake, base, write)
                : writeBucket(table, bucket, from, budget, schema, write);
        if (progress.end() > 0 || at.partition().isEmpty()) {
          ends.put(at, progress.end());
        }
        if (progress.end() >= progress.headEnd()) {
          caughtUp.put(at, progress.end());
        }
        budget -= progress.end() - from;
        wroteRows |= progress.end() > from;
        CrashPoints.reach(CrashPoints.BUCKET_WRITTEN);
      }
      Optional<Instant> lastFullPass =
          fullPass.isPresent() && caughtUp.size() == buckets.size()
              ? fullPass
              : previous.flatMap(TieringState::lastFullPass);
      if (!wroteRows) {
        record(table, format, base, lastFullPass);
        return new FormatRun(new FormatResult(format, Outcome.UP_TO_DATE, base), caughtUp);
      }
      return new FormatRun(
          commit(table, format, base, write, ends, Outcome.TIERED, lastFullPass), caughtUp);
    }
  }

  /**
   * The items from a random one on, wrapping around: a run's row budget then favours no bucket, so
   * a busy one cannot keep the others from ever being tiered.
   */
  private static <T> List<T> rotated(List<T> items) {
    if (items.size() < 2) {
      return items;
    }
    int first = ThreadLocalRandom.current().nextInt(items.size());
    List<T> rotated = new ArrayList<>(items.subList(first, items.size()));
    rotated.addAll(items.subList(0, first));
    return rotated;
  }

  /** Writes a bucket's rows from {@code from}, at most {@code budget}. */
  private Progress writeBucket(
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
   * log rows, merged onto the rows the lake table holds for the keys they touch.
   */
  private Progress writeChanges(
      TableEntry table,
      TableBucket bucket,
      long from,
      long budget,
      LakeTable lake,
      Optional<LakeSnapshot> base,
      LakeWrite write) {
    TableDefinition definition = table.definition();
    List<LogRow> rows = new ArrayList<>();
    Progress progress =
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
      return progress;
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
    return progress;
  }

  /** What to do with rows {@code fromRow} to {@code toRow} (exclusive) of a slice. */
  private interface SliceRows {
    void accept(Slice slice, VectorSchemaRoot rows, int fromRow, int toRow);
  }

  /** Passes a bucket's log rows from {@code from}, at most {@code budget}, slice by slice. */
  private Progress forEachSlice(
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
    return new Progress(end, head.nextOffset());
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
      Outcome done,
      Optional<Instant> lastFullPass) {
    try {
      LakeSnapshot committed = write.commit(offsets);
      CrashPoints.reach(CrashPoints.LAKE_COMMITTED);
      record(table, format, Optional.of(committed), lastFullPass);
      CrashPoints.reach(CrashPoints.STATE_RECORDED);
      return new FormatResult(format, done, Optional.of(committed));
    } catch (CommitConflictException e) {
      write.abort();
      return new FormatResult(format, Outcome.CONFLICT, base);
    } catch (CommitStateUnknownException e) {
      return new FormatResult(format, Outcome.UNKNOWN, base);
    }
  }

  private void record(
      TableEntry table,
      LakeFormatName format,
      Optional<LakeSnapshot> snapshot,
      Optional<Instant> lastFullPass) {
    snapshot.ifPresent(
        s -> metadata.putTieringState(OffsetsFiles.state(table.tableId(), s, lastFullPass)));
  }
}
