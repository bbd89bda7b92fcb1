package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.merge.Changelogs;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.Partition;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.tiering.CrashPoints;
import io.sluice.lake.changes.ChangeBatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.paimon.Snapshot;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.io.CompactIncrement;
import org.apache.paimon.io.DataIncrement;
import org.apache.paimon.manifest.ManifestCommittable;
import org.apache.paimon.manifest.ManifestEntry;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.sink.CommitMessage;
import org.apache.paimon.table.sink.CommitMessageImpl;
import org.apache.paimon.table.sink.TableCommitImpl;
import org.apache.paimon.table.sink.TableWriteImpl;
import org.apache.paimon.types.RowKind;
import org.apache.paimon.utils.SnapshotManager;

/**
 * One tiering run's write into a Paimon table: Paimon's own writer, each log bucket's rows into the
 * Paimon bucket of the same number ({@code write(row, bucket)}; Paimon does not check the bucket,
 * so this write does), then one snapshot committed by the fixed commit user {@value #COMMIT_USER}
 * with the lease epoch as commit identifier.
 *
 * <p>The commit is refused ({@link CommitConflictException}) when
 *
 * <ul>
 *   <li>this epoch or a later one already committed (Paimon's filter of committed identifiers: the
 *       newest snapshot of the commit user holds an identifier at least the epoch). A retry whose
 *       epoch already committed the same offsets is answered with that snapshot instead, and writes
 *       nothing;
 *   <li>a tiering snapshot landed after the base: checked before committing and again inside
 *       Paimon's atomic snapshot commit by the {@link TieringFence}, which leaves no window;
 *   <li>on an object store, the commit lock was not acquired in time ({@link PaimonCommitLock}):
 *       nothing was written, and the next run tries again.
 * </ul>
 *
 * Any other failure of the commit is an unknown outcome ({@link CommitStateUnknownException}).
 */
final class PaimonLakeWrite implements LakeWrite {
  /** The commit user of every tiering commit, whichever run makes it. */
  static final String COMMIT_USER = "sluice-tiering";

  private enum State {
    WRITING,
    COMMITTED,
    REFUSED,
    UNKNOWN,
    ABORTED
  }

  private final FileStoreTable table;
  private final String name;
  private final TableDefinition definition;
  private final String tableId;
  private final Optional<LakeSnapshot> base;
  private final long epoch;
  private final TieringFence fence;
  private final boolean fixedBuckets;

  /** Whether log bucket b is this table's bucket b (Paimon is the table's first format). */
  private final boolean aligned;

  private final OffsetsFiles offsetsFiles;
  private final TableWriteImpl<?> write;
  private final TableCommitImpl commit;
  private final List<Map<String, String>> dropped = new ArrayList<>();
  private boolean wroteRows;
  private List<CommitMessage> prepared;
  private State state = State.WRITING;

  PaimonLakeWrite(
      FileStoreTable table,
      String name,
      TableDefinition definition,
      String tableId,
      Optional<LakeSnapshot> base,
      long epoch,
      TieringFence fence,
      OffsetsFiles offsetsFiles) {
    this.offsetsFiles = offsetsFiles;
    this.table = table;
    this.name = name;
    this.definition = definition;
    this.tableId = tableId;
    this.base = base;
    this.epoch = epoch;
    this.fence = fence;
    this.fixedBuckets = table.coreOptions().bucket() != PaimonTableSchemas.UNAWARE_BUCKETS;
    this.aligned = fixedBuckets && definition.bucketingFormat() == LakeFormatName.PAIMON;
    this.write = table.newWrite(COMMIT_USER);
    this.commit = table.newCommit(COMMIT_USER).ignoreEmptyCommit(false);
  }

  /**
   * {@inheritDoc}
   *
   * <p>When Paimon is the table's first format, log bucket b is Paimon bucket b and every row is
   * checked to be where Paimon's own bucketing puts it (its writer does not check); as a second
   * format, Paimon places each row in its own layout.
   *
   * @throws IllegalArgumentException when a field does not fit its column, or (aligned) Paimon's
   *     bucketing puts a row in another bucket than {@code bucket}
   */
  @Override
  public void write(String partition, int bucket, VectorSchemaRoot rows) {
    if (definition.hasPrimaryKey()) {
      throw new IllegalStateException(
          "Cannot write rows to Paimon table "
              + name
              + ": it has a primary key; write its changes with writeChanges");
    }
    writeRows(partition, bucket, rows, "rows", null);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Each record becomes a Paimon row of the matching row kind ({@code +I}, {@code -U}, {@code
   * +U}, {@code -D}) in Paimon bucket {@code bucket} (checked as {@link #write} checks), in offset
   * order, so Paimon's merge engine (see {@link PaimonTableSchemas#mergeOptions}) keeps the last
   * row per key and the {@code input} changelog producer hands every record to streaming readers.
   *
   * @throws IllegalArgumentException when the batch has no valid {@value Changelogs#CHANGE_TYPE}
   *     column, a field does not fit its column, or a row belongs to another bucket
   */
  @Override
  public void writeChanges(String partition, int bucket, VectorSchemaRoot changes) {
    if (!definition.hasPrimaryKey()) {
      throw new IllegalStateException(
          "Cannot write changes to Paimon table "
              + name
              + ": it has no primary key; write its rows with write");
    }
    ChangeBatch batch = ChangeBatch.of(changes, "Paimon table " + name);
    RowKind[] kinds = new RowKind[batch.size()];
    for (int i = 0; i < kinds.length; i++) {
      kinds[i] =
          switch (batch.type(i)) {
            case INSERT -> RowKind.INSERT;
            case UPDATE_BEFORE -> RowKind.UPDATE_BEFORE;
            case UPDATE_AFTER -> RowKind.UPDATE_AFTER;
            case DELETE -> RowKind.DELETE;
          };
    }
    writeRows(partition, bucket, batch.rows(), "changes", kinds);
  }

  /**
   * Writes the rows of a batch of one partition's bucket, each with its row kind when {@code kinds}
   * is given.
   */
  private void writeRows(
      String partition, int bucket, VectorSchemaRoot rows, String what, RowKind[] kinds) {
    checkState(State.WRITING, "write");
    if (!dropped.isEmpty()) {
      throw new IllegalStateException(
          "Cannot write %s to Paimon table %s: this write drops partitions".formatted(what, name));
    }
    wroteRows = true;
    if (aligned && (bucket < 0 || bucket >= table.coreOptions().bucket())) {
      throw new IllegalArgumentException(
          "Cannot write %s to Paimon table %s: bucket %d is not one of its %d buckets"
              .formatted(what, name, bucket, table.coreOptions().bucket()));
    }
    Map<String, String> values =
        partition.isEmpty() ? Map.of() : Partition.parse(definition, partition).values();
    PaimonArrowRows batch = PaimonArrowRows.of(rows, table.rowType(), definition, values);
    try {
      for (int i = 0; i < batch.size(); i++) {
        GenericRow row = batch.row(i);
        if (kinds != null) {
          row.setRowKind(kinds[i]);
        }
        if (aligned) {
          int paimonBucket = write.getBucket(row);
          if (paimonBucket != bucket) {
            throw new IllegalArgumentException(
                ("Cannot write row %d of log bucket %d to Paimon table %s: Paimon's bucketing puts"
                        + " it in bucket %d")
                    .formatted(i + 1, bucket, name, paimonBucket));
          }
          write.write(row, bucket);
        } else {
          write.write(row);
        }
      }
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new StoreUnavailableException(
          "Cannot write " + what + " to Paimon table " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>At commit, every data file the table's latest snapshot holds in these partitions is added to
   * the committable as a deleted file, next to the snapshot properties: one snapshot (of kind
   * OVERWRITE, as Paimon marks a commit that deletes files) with the fence, the epoch and the
   * offsets of every tiering commit. Paimon's own {@code dropPartitions} commits without snapshot
   * properties, and {@code overwritePartition} takes one partition per commit and, with dynamic
   * partition overwrite on (the default), skips an overwrite without new rows.
   */
  @Override
  public void dropPartitions(Collection<String> partitions) {
    checkState(State.WRITING, "drop partitions");
    if (!definition.isPartitioned()) {
      throw new IllegalStateException(
          "Cannot drop partitions of Paimon table " + name + ": it is not partitioned");
    }
    if (wroteRows) {
      throw new IllegalStateException(
          "Cannot drop partitions in a write to Paimon table " + name + " that holds rows");
    }
    partitions.forEach(partition -> dropped.add(Partition.parse(definition, partition).values()));
  }

  /**
   * Commit messages deleting every data file of the dropped partitions in the latest snapshot (the
   * one the commit lands on, unless it is refused), one per partition and bucket.
   */
  private List<CommitMessage> deletions(SnapshotManager snapshots) {
    Long latest = snapshots.latestSnapshotId();
    if (dropped.isEmpty() || latest == null) {
      return List.of();
    }
    Map<List<Object>, List<ManifestEntry>> byBucket = new LinkedHashMap<>();
    for (ManifestEntry entry :
        table.store().newScan().withSnapshot(latest).withPartitionsFilter(dropped).plan().files()) {
      byBucket
          .computeIfAbsent(
              List.of(entry.partition(), entry.bucket(), entry.totalBuckets()),
              k -> new ArrayList<>())
          .add(entry);
    }
    List<CommitMessage> messages = new ArrayList<>();
    for (List<ManifestEntry> entries : byBucket.values()) {
      ManifestEntry first = entries.get(0);
      messages.add(
          new CommitMessageImpl(
              first.partition(),
              first.bucket(),
              first.totalBuckets(),
              new DataIncrement(
                  List.of(), entries.stream().map(ManifestEntry::file).toList(), List.of()),
              CompactIncrement.emptyIncrement()));
    }
    return messages;
  }

  @Override
  public LakeSnapshot commit(Map<PartitionBucket, Long> offsets) {
    checkState(State.WRITING, "commit");
    SnapshotManager snapshots = table.snapshotManager();
    try {
      prepared = write.prepareCommit(false, epoch);
    } catch (Exception e) {
      // Nothing is committed: abort() may delete what was written.
      state = State.REFUSED;
      throw new StoreUnavailableException(
          "Cannot commit to Paimon table " + name + ": " + e.getMessage(), e);
    }
    CrashPoints.reach(CrashPoints.LAKE_FILES_WRITTEN);

    Optional<LakeSnapshot> earlier = committedByEpoch(snapshots, offsets);
    if (earlier.isPresent()) {
      return earlier.get();
    }
    Long latest = snapshots.latestSnapshotId();
    Optional<String> moved = fence.moved(snapshots, latest == null ? 1 : latest + 1);
    if (moved.isPresent()) {
      throw refusal(moved.get());
    }

    ManifestCommittable committable = new ManifestCommittable(epoch);
    prepared.forEach(committable::addFileCommittable);
    try {
      deletions(snapshots).forEach(committable::addFileCommittable);
    } catch (RuntimeException e) {
      state = State.REFUSED;
      throw new StoreUnavailableException(
          "Cannot list the files of the partitions to drop from Paimon table "
              + name
              + ": "
              + e.getMessage(),
          e);
    }
    PaimonSnapshots.properties(tableId, offsets, offsetsFiles).forEach(committable::addProperty);
    int committed;
    try {
      committed = commit.filterAndCommitMultiple(List.of(committable));
    } catch (RuntimeException e) {
      throw switch (fence.outcome()) {
        case REFUSED -> refusal(fence.refusal().orElseThrow());
        case LOST_RACE -> refusal("another commit took snapshot " + attemptedId() + " first");
        case NOT_LOCKED -> refusal(fence.refusal().orElseThrow());
        case NOT_TRIED, FAILED, COMMITTED -> unknown(e);
      };
    }
    if (committed == 0) {
      // A commit of this epoch landed between the check above and Paimon's filter.
      return committedByEpoch(snapshots, offsets)
          .orElseThrow(() -> refusal("epoch " + epoch + " was fenced by a later epoch"));
    }
    state = State.COMMITTED;
    long id = fence.snapshot().map(Snapshot::id).orElseThrow();
    try {
      return PaimonSnapshots.toLakeSnapshot(snapshots.snapshot(id), offsetsFiles);
    } catch (RuntimeException e) {
      throw new CommitStateUnknownException(
          "Committed snapshot %d of Paimon table %s, but cannot read it back: %s"
              .formatted(id, name, e.getMessage()),
          e);
    }
  }

  /**
   * The snapshot an earlier attempt of this epoch committed with the same offsets, after deleting
   * this attempt's files (nothing references them); refused when this epoch committed other offsets
   * or a later epoch committed; empty when neither committed.
   */
  private Optional<LakeSnapshot> committedByEpoch(
      SnapshotManager snapshots, Map<PartitionBucket, Long> offsets) {
    Optional<Snapshot> ofUser = snapshots.latestSnapshotOfUser(COMMIT_USER);
    if (ofUser.isEmpty() || ofUser.get().commitIdentifier() < epoch) {
      return Optional.empty();
    }
    Snapshot snapshot = ofUser.get();
    if (snapshot.commitIdentifier() > epoch) {
      throw refusal(
          "epoch %d is fenced: snapshot %d was committed by the later epoch %d"
              .formatted(epoch, snapshot.id(), snapshot.commitIdentifier()));
    }
    LakeSnapshot earlier = PaimonSnapshots.toLakeSnapshot(snapshot, offsetsFiles);
    if (!earlier.offsets().equals(new TreeMap<>(offsets)) || !earlier.isTieringOf(tableId)) {
      throw refusal(
          "epoch %d already committed snapshot %d with offsets %s, not %s"
              .formatted(epoch, snapshot.id(), earlier.offsets(), offsets));
    }
    commit.abort(prepared);
    state = State.COMMITTED;
    return Optional.of(earlier);
  }

  @Override
  public void abort() {
    if (state == State.UNKNOWN || state == State.COMMITTED) {
      throw new IllegalStateException(
          "Cannot abort the write of epoch %d to Paimon table %s: its commit %s"
              .formatted(
                  epoch, name, state == State.UNKNOWN ? "has an unknown outcome" : "succeeded"));
    }
    if (state == State.ABORTED) {
      return;
    }
    try {
      if (prepared == null) {
        prepared = write.prepareCommit(false, epoch);
      }
      commit.abort(prepared);
    } catch (Exception e) {
      throw new StoreUnavailableException(
          "Cannot delete the files of a refused write to Paimon table "
              + name
              + ": "
              + e.getMessage(),
          e);
    }
    state = State.ABORTED;
  }

  @Override
  public void close() {
    try {
      write.close();
      commit.close();
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot close the write to Paimon table " + name + ": " + e.getMessage(), e);
    }
  }

  private String attemptedId() {
    return fence.snapshot().map(s -> Long.toString(s.id())).orElse("?");
  }

  private CommitStateUnknownException unknown(RuntimeException cause) {
    state = State.UNKNOWN;
    return new CommitStateUnknownException(
        "Cannot tell whether Paimon table %s committed epoch %d: %s"
            .formatted(name, epoch, cause.getMessage()),
        cause);
  }

  private CommitConflictException refusal(String reason) {
    state = State.REFUSED;
    return new CommitConflictException(
        "Cannot commit epoch %d to Paimon table %s on base %s: %s"
            .formatted(
                epoch, name, base.map(s -> "snapshot " + s.snapshotId()).orElse("(none)"), reason));
  }

  private void checkState(State expected, String action) {
    if (state != expected) {
      throw new IllegalStateException(
          "Cannot %s: the write of epoch %d to Paimon table %s is %s"
              .formatted(action, epoch, name, state.name().toLowerCase()));
    }
  }
}
