package io.sluice.core.metadata;

import io.sluice.core.table.LakeFormatName;
import java.time.Instant;
import java.util.Map;

/**
 * What the metadata store last learned of a table's lake: per log bucket (of each partition) the
 * end offset (exclusive) tiered into {@code format}, in snapshot {@code snapshotId} at {@code
 * committedAt}. The lake snapshot stays the source of truth; this is a copy for readers and GC.
 */
public record TieringState(
    String tableId,
    LakeFormatName format,
    long snapshotId,
    Map<PartitionBucket, Long> offsets,
    Instant committedAt) {
  public TieringState {
    offsets = Map.copyOf(offsets);
  }
}
