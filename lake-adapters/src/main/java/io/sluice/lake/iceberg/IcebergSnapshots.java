package io.sluice.lake.iceberg;

import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.table.LakeFormatName;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.TableMetadata;

/**
 * Iceberg snapshots as {@link LakeSnapshot}s, and the summary properties tiering adds: the offsets
 * as {@link OffsetsFiles} records them (inline JSON of log bucket to end offset, e.g. {@code
 * {"0":300,"1":12}}, or an offsets file), {@value LakeSnapshot#TABLE_ID_PROPERTY} and {@value
 * #EPOCH_PROPERTY}.
 */
final class IcebergSnapshots {
  /** Snapshot property with the lease epoch of the tiering run that committed it. */
  static final String EPOCH_PROPERTY = "sluice.epoch";

  private IcebergSnapshots() {}

  static LakeSnapshot of(Snapshot snapshot, OffsetsFiles files) {
    Map<String, String> summary = snapshot.summary();
    return LakeSnapshot.of(
        LakeFormatName.ICEBERG,
        snapshot.snapshotId(),
        Instant.ofEpochMilli(snapshot.timestampMillis()),
        Long.parseLong(summary.getOrDefault(SnapshotSummary.TOTAL_RECORDS_PROP, "0")),
        summary,
        files);
  }

  /** Whether tiering of table id {@code tableId} committed this snapshot. */
  static boolean isTieringOf(Snapshot snapshot, String tableId) {
    Map<String, String> summary = snapshot.summary();
    return OffsetsFiles.recordsOffsets(summary)
        && tableId.equals(summary.get(LakeSnapshot.TABLE_ID_PROPERTY));
  }

  /**
   * The newest ancestor of {@code head} (itself included) that tiering of {@code tableId}
   * committed, walking past compaction and foreign snapshots; {@code snapshots} finds a snapshot by
   * id, null when expired.
   */
  static Optional<Snapshot> latestTiered(
      Snapshot head, LongFunction<Snapshot> snapshots, String tableId) {
    for (Snapshot snapshot = head;
        snapshot != null;
        snapshot = snapshot.parentId() == null ? null : snapshots.apply(snapshot.parentId())) {
      if (isTieringOf(snapshot, tableId)) {
        return Optional.of(snapshot);
      }
    }
    return Optional.empty();
  }

  /**
   * The newest snapshot of the metadata's main branch that tiering of {@code tableId} committed.
   */
  static Optional<Snapshot> latestTiered(TableMetadata metadata, String tableId) {
    return metadata == null
        ? Optional.empty()
        : latestTiered(metadata.currentSnapshot(), metadata::snapshot, tableId);
  }

  /** The lease epoch recorded in the snapshot, if any. */
  static Optional<Long> epoch(Snapshot snapshot) {
    return Optional.ofNullable(snapshot.summary().get(EPOCH_PROPERTY)).map(Long::parseLong);
  }
}
