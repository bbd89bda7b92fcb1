package io.sluice.core.metadata;

import io.sluice.core.table.LakeFormatName;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What the metadata store last learned of a table's lake: per log bucket (of each partition) the
 * end offset (exclusive) tiered into {@code format}, in snapshot {@code snapshotId} at {@code
 * committedAt}, and when tiering last read every bucket of the table into it ({@code lastFullPass};
 * empty before the first). The lake snapshot stays the source of truth; this is a copy for readers
 * and GC.
 */
public record TieringState(
    String tableId,
    LakeFormatName format,
    long snapshotId,
    Map<PartitionBucket, Long> offsets,
    Instant committedAt,
    Optional<Instant> lastFullPass) {
  public TieringState {
    offsets = Map.copyOf(offsets);
  }

  /** A state that records no full pass. */
  public TieringState(
      String tableId,
      LakeFormatName format,
      long snapshotId,
      Map<PartitionBucket, Long> offsets,
      Instant committedAt) {
    this(tableId, format, snapshotId, offsets, committedAt, Optional.empty());
  }
}
