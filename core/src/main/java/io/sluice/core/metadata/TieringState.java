package io.sluice.core.metadata;

import io.sluice.core.table.LakeFormatName;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What the metadata store last learned of a table's lake: the end offsets (exclusive) tiered into
 * {@code format} per log bucket (of each partition), in snapshot {@code snapshotId} at {@code
 * committedAt}, and when tiering last read every bucket of the table into it ({@code lastFullPass};
 * empty before the first). The offsets are {@code inline}, or, when there are too many for one
 * record, in the offsets file {@code offsetsFile} names ({@code io.sluice.core.lake.OffsetsFiles}
 * reads either). The lake snapshot stays the source of truth; this is a copy for readers and GC.
 */
public record TieringState(
    String tableId,
    LakeFormatName format,
    long snapshotId,
    Map<PartitionBucket, Long> inline,
    Optional<String> offsetsFile,
    Instant committedAt,
    Optional<Instant> lastFullPass) {
  public TieringState {
    inline = Map.copyOf(inline);
    if (offsetsFile.isPresent() && !inline.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot record tiered offsets both inline and in " + offsetsFile.get());
    }
  }

  /**
   * The offsets as a store keeps them in one string: {@link LogOffsets} JSON, or the key of the
   * offsets file (which never starts with {@code {}).
   */
  public String storedOffsets() {
    return offsetsFile.orElseGet(() -> LogOffsets.json(inline));
  }

  /** A state whose offsets are in the form {@link #storedOffsets} gives. */
  public static TieringState stored(
      String tableId,
      LakeFormatName format,
      long snapshotId,
      String storedOffsets,
      Instant committedAt,
      Optional<Instant> lastFullPass) {
    return storedOffsets.startsWith("{")
        ? new TieringState(
            tableId,
            format,
            snapshotId,
            LogOffsets.parse(storedOffsets),
            Optional.empty(),
            committedAt,
            lastFullPass)
        : new TieringState(
            tableId,
            format,
            snapshotId,
            Map.of(),
            Optional.of(storedOffsets),
            committedAt,
            lastFullPass);
  }
}
