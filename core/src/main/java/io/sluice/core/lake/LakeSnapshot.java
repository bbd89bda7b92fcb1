package io.sluice.core.lake;

import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.table.LakeFormatName;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * One snapshot of a lake table: its id, commit time, total row count and, for snapshots that
 * tiering committed, the Sluice table id and the end offset (exclusive) of every log bucket (of
 * every partition) it holds. Compaction and maintenance snapshots carry no offsets. Offsets kept in
 * an offsets file ({@link OffsetsFiles}) are read when first asked for.
 */
public final class LakeSnapshot {

  /** Snapshot property naming the Sluice table incarnation whose log it holds. */
  public static final String TABLE_ID_PROPERTY = "sluice.table-id";

  /** Snapshot property with the tiered end offsets inline: {@link LogOffsets} JSON. */
  public static final String OFFSETS_PROPERTY = "sluice.offsets";

  private final LakeFormatName format;
  private final long snapshotId;
  private final Instant commitTime;
  private final long rows;
  private final Optional<String> tableId;
  private final Optional<String> offsetsFile;
  private final Supplier<Map<PartitionBucket, Long>> reader;
  private volatile Map<PartitionBucket, Long> offsets;

  /** A snapshot whose offsets (if any) are inline. */
  public LakeSnapshot(
      LakeFormatName format,
      long snapshotId,
      Instant commitTime,
      long rows,
      Optional<String> tableId,
      Map<PartitionBucket, Long> offsets) {
    this(format, snapshotId, commitTime, rows, tableId, Optional.empty(), () -> offsets);
    this.offsets = sorted(offsets);
  }

  private LakeSnapshot(
      LakeFormatName format,
      long snapshotId,
      Instant commitTime,
      long rows,
      Optional<String> tableId,
      Optional<String> offsetsFile,
      Supplier<Map<PartitionBucket, Long>> reader) {
    this.format = format;
    this.snapshotId = snapshotId;
    this.commitTime = commitTime;
    this.rows = rows;
    this.tableId = tableId;
    this.offsetsFile = offsetsFile;
    this.reader = reader;
  }

  /**
   * A snapshot as its properties describe it: offsets inline, or in the offsets file they name,
   * read from {@code files} when first asked for.
   */
  public static LakeSnapshot of(
      LakeFormatName format,
      long snapshotId,
      Instant commitTime,
      long rows,
      Map<String, String> properties,
      OffsetsFiles files) {
    Optional<String> tableId = Optional.ofNullable(properties.get(TABLE_ID_PROPERTY));
    Optional<String> file = OffsetsFiles.file(properties);
    if (file.isEmpty()) {
      return new LakeSnapshot(
          format, snapshotId, commitTime, rows, tableId, files.offsets(properties));
    }
    return new LakeSnapshot(
        format, snapshotId, commitTime, rows, tableId, file, () -> files.read(file.get()));
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
  public static SortedMap<PartitionBucket, Long> parseOffsets(String json) {
    try {
      return LogOffsets.parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Cannot read " + OFFSETS_PROPERTY + ": " + e.getMessage(), e);
    }
  }

  public LakeFormatName format() {
    return format;
  }

  public long snapshotId() {
    return snapshotId;
  }

  public Instant commitTime() {
    return commitTime;
  }

  /** The total row count of the snapshot. */
  public long rows() {
    return rows;
  }

  /** The Sluice table incarnation whose tiering committed it, if tiering did. */
  public Optional<String> tableId() {
    return tableId;
  }

  /** The key of the offsets file holding this snapshot's offsets, when they are not inline. */
  public Optional<String> offsetsFile() {
    return offsetsFile;
  }

  /** The end offset (exclusive) of every log bucket the snapshot holds, by partition and bucket. */
  public Map<PartitionBucket, Long> offsets() {
    Map<PartitionBucket, Long> read = offsets;
    if (read == null) {
      read = sorted(reader.get());
      offsets = read;
    }
    return read;
  }

  /** The end offset of a bucket of a partition, 0 when the snapshot holds none of it. */
  public long offset(String partition, int bucket) {
    return offsets().getOrDefault(new PartitionBucket(partition, bucket), 0L);
  }

  /** The end offsets of an unpartitioned table's buckets. */
  public Map<Integer, Long> bucketOffsets() {
    return LogOffsets.buckets(offsets());
  }

  /** Whether tiering of the table incarnation {@code id} committed this snapshot. */
  public boolean isTieringOf(String id) {
    return tableId.filter(id::equals).isPresent();
  }

  private static Map<PartitionBucket, Long> sorted(Map<PartitionBucket, Long> offsets) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(offsets));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LakeSnapshot other
        && format == other.format
        && snapshotId == other.snapshotId
        && commitTime.equals(other.commitTime)
        && rows == other.rows
        && tableId.equals(other.tableId)
        && offsetsFile.equals(other.offsetsFile)
        && (offsetsFile.isPresent() || offsets().equals(other.offsets()));
  }

  @Override
  public int hashCode() {
    return Objects.hash(format, snapshotId, commitTime, rows, tableId, offsetsFile);
  }

  @Override
  public String toString() {
    return "LakeSnapshot[format="
        + format.apiName()
        + ", snapshotId="
        + snapshotId
        + ", commitTime="
        + commitTime
        + ", rows="
        + rows
        + ", tableId="
        + tableId.orElse("none")
        + ", offsets="
        + offsetsFile.orElseGet(() -> LogOffsets.json(offsets()))
        + "]";
  }
}
