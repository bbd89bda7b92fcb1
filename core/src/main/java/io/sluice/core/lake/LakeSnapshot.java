package io.sluice.core.lake;

import io.sluice.core.table.LakeFormatName;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One snapshot of a lake table: its id, commit time, total row count and, for snapshots that
 * tiering committed, the Sluice table id and the end offset (exclusive) of every log bucket it
 * holds. Compaction and maintenance snapshots carry no offsets.
 */
public record LakeSnapshot(
    LakeFormatName format,
    long snapshotId,
    Instant commitTime,
    long rows,
    Optional<String> tableId,
    Map<Integer, Long> offsets) {

  /** Snapshot property naming the Sluice table incarnation whose log it holds. */
  public static final String TABLE_ID_PROPERTY = "sluice.table-id";

  /** Snapshot property with the tiered end offsets: JSON of bucket to offset. */
  public static final String OFFSETS_PROPERTY = "sluice.offsets";

  public LakeSnapshot {
    offsets = Map.copyOf(offsets);
  }

  /** Whether tiering of the table incarnation {@code id} committed this snapshot. */
  public boolean isTieringOf(String id) {
    return tableId.filter(id::equals).isPresent();
  }
}
