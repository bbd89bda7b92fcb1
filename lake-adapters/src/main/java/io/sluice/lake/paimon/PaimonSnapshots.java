package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.table.LakeFormatName;
import java.io.FileNotFoundException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.paimon.Snapshot;
import org.apache.paimon.utils.SnapshotManager;

/**
 * Paimon snapshots as Sluice sees them: the properties tiering writes (the offsets as {@link
 * OffsetsFiles} records them, {@value LakeSnapshot#TABLE_ID_PROPERTY}), their conversion to {@link
 * LakeSnapshot}, and the walk from the newest snapshot down to the newest one tiering committed.
 */
final class PaimonSnapshots {

  private PaimonSnapshots() {}

  /** The snapshot properties of a tiering commit; may write an offsets file. */
  static Map<String, String> properties(
      String tableId, Map<PartitionBucket, Long> offsets, OffsetsFiles files) {
    Map<String, String> properties = new HashMap<>();
    properties.put(LakeSnapshot.TABLE_ID_PROPERTY, tableId);
    properties.putAll(files.properties(tableId, LakeFormatName.PAIMON, offsets));
    return properties;
  }

  /** Whether tiering committed this snapshot: it records offsets. */
  static boolean isTiering(Snapshot snapshot) {
    return snapshot.properties() != null && OffsetsFiles.recordsOffsets(snapshot.properties());
  }

  /** The snapshot as Sluice reports it; offsets empty and no table id for non-tiering ones. */
  static LakeSnapshot toLakeSnapshot(Snapshot snapshot, OffsetsFiles files) {
    Map<String, String> properties =
        snapshot.properties() == null ? Map.of() : snapshot.properties();
    Long rows = snapshot.totalRecordCount();
    try {
      return LakeSnapshot.of(
          LakeFormatName.PAIMON,
          snapshot.id(),
          Instant.ofEpochMilli(snapshot.timeMillis()),
          rows == null ? 0 : rows,
          properties,
          files);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "Cannot read the offsets of Paimon snapshot " + snapshot.id() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The newest snapshot with id at most {@code fromId} that tiering of {@code tableId} committed,
   * walking down no further than {@code stopAfterId} (exclusive); empty when there is none or an
   * older snapshot has already expired.
   */
  static Optional<Snapshot> newestTiering(
      SnapshotManager snapshots, long fromId, long stopAfterId, String tableId) {
    for (long id = fromId; id > stopAfterId; id--) {
      Optional<Snapshot> snapshot = find(snapshots, id);
      if (snapshot.isEmpty()) {
        return Optional.empty();
      }
      if (isTiering(snapshot.get())
          && tableId.equals(snapshot.get().properties().get(LakeSnapshot.TABLE_ID_PROPERTY))) {
        return snapshot;
      }
    }
    return Optional.empty();
  }

  /**
   * The newest snapshot with id at most {@code fromId} and above {@code stopAfterId} that any
   * tiering committed, whatever its table id: what a fenced commit must not find above its base.
   */
  static Optional<Snapshot> newestTieringOfAny(
      SnapshotManager snapshots, long fromId, long stopAfterId) {
    for (long id = fromId; id > stopAfterId; id--) {
      Optional<Snapshot> snapshot = find(snapshots, id);
      if (snapshot.isEmpty()) {
        return Optional.empty();
      }
      if (isTiering(snapshot.get())) {
        return snapshot;
      }
    }
    return Optional.empty();
  }

  /** The snapshot, or empty when it has expired (or never existed). */
  static Optional<Snapshot> find(SnapshotManager snapshots, long id) {
    try {
      return Optional.of(snapshots.tryGetSnapshot(id));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }
}
