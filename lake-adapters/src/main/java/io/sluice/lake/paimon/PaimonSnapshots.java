package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.table.LakeFormatName;
import java.io.FileNotFoundException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.paimon.Snapshot;
import org.apache.paimon.utils.SnapshotManager;

/**
 * Paimon snapshots as Sluice sees them: the properties tiering writes ({@value
 * LakeSnapshot#OFFSETS_PROPERTY} as JSON of bucket to end offset, {@value
 * LakeSnapshot#TABLE_ID_PROPERTY}), their conversion to {@link LakeSnapshot}, and the walk from the
 * newest snapshot down to the newest one tiering committed.
 */
final class PaimonSnapshots {

  private PaimonSnapshots() {}

  /** The snapshot properties of a tiering commit. */
  static Map<String, String> properties(String tableId, Map<PartitionBucket, Long> offsets) {
    return Map.of(
        LakeSnapshot.TABLE_ID_PROPERTY,
        tableId,
        LakeSnapshot.OFFSETS_PROPERTY,
        LakeSnapshot.offsetsJson(offsets));
  }

  /** Whether tiering committed this snapshot: it records offsets. */
  static boolean isTiering(Snapshot snapshot) {
    return snapshot.properties() != null
        && snapshot.properties().containsKey(LakeSnapshot.OFFSETS_PROPERTY);
  }

  /** The snapshot as Sluice reports it; offsets empty and no table id for non-tiering ones. */
  static LakeSnapshot toLakeSnapshot(Snapshot snapshot) {
    Map<String, String> properties =
        snapshot.properties() == null ? Map.of() : snapshot.properties();
    Long rows = snapshot.totalRecordCount();
    return new LakeSnapshot(
        LakeFormatName.PAIMON,
        snapshot.id(),
        Instant.ofEpochMilli(snapshot.timeMillis()),
        rows == null ? 0 : rows,
        Optional.ofNullable(properties.get(LakeSnapshot.TABLE_ID_PROPERTY)),
        offsets(snapshot.id(), properties.get(LakeSnapshot.OFFSETS_PROPERTY)));
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

  private static Map<PartitionBucket, Long> offsets(long snapshotId, String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      return LakeSnapshot.parseOffsets(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "Cannot read the offsets of Paimon snapshot " + snapshotId + ": " + e.getMessage(), e);
    }
  }
}
