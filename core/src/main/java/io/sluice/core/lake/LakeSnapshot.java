package io.sluice.core.lake;

import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.table.LakeFormatName;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One snapshot of a lake table: its id, commit time, total row count and, for snapshots that
 * tiering committed, the Sluice table id and the end offset (exclusive) of every log bucket (of
 * every partition) it holds. Compaction and maintenance snapshots carry no offsets.
 */
public record LakeSnapshot(
    LakeFormatName format,
    long snapshotId,
    Instant commitTime,
    long rows,
    Optional<String> tableId,
    Map<PartitionBucket, Long> offsets) {

  /** Snapshot property naming the Sluice table incarnation whose log it holds. */
  public static final String TABLE_ID_PROPERTY = "sluice.table-id";

  /** Snapshot property with the tiered end offsets: {@link LogOffsets} JSON. */
  public static final String OFFSETS_PROPERTY = "sluice.offsets";

  public LakeSnapshot {
    offsets = Collections.unmodifiableSortedMap(new TreeMap<>(offsets));
  }

  /** Offsets as the {@value #OFFSETS_PROPERTY} property holds them ({@link LogOffsets#json}). */
  public static String offsetsJson(Map<PartitionBucket, Long> offsets) {
    return LogOffsets.json(offsets);
  }

  /**
   * Reads a {@value #OFFSETS_PROPERTY} property.
   *
   * @throws IllegalArgumentException naming the value when it is not offsets JSON
   */
  public static Map<PartitionBucket, Long> parseOffsets(String json) {
    try {
      return LogOffsets.parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Cannot read " + OFFSETS_PROPERTY + ": " + e.getMessage(), e);
    }
  }

  /** The end offset of a bucket of a partition, 0 when the snapshot holds none of it. */
  public long offset(String partition, int bucket) {
    return offsets.getOrDefault(new PartitionBucket(partition, bucket), 0L);
  }

  /** The end offsets of an unpartitioned table's buckets. */
  public Map<Integer, Long> bucketOffsets() {
    return LogOffsets.buckets(offsets);
  }

  /** Whether tiering of the table incarnation {@code id} committed this snapshot. */
  public boolean isTieringOf(String id) {
    return tableId.filter(id::equals).isPresent();
  }
}
