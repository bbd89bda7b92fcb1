package io.sluice.client;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A row a {@link TableReader} delivers: what it changes, where it is in the log (its bucket, offset
 * and commit time) and its values by column name.
 *
 * <p>A row of the lake snapshot that a back-fill reads has no place in the log: its {@link #bucket}
 * is empty, its {@link #offset} -1 and its {@link #timestamp} null. Values are in the Java types a
 * {@link TableWriter} takes: Boolean, Byte, Short, Integer, Long, Float, Double, BigDecimal,
 * String, byte[], LocalDate, LocalDateTime ({@code timestamp}) and Instant ({@code timestamp_ltz});
 * null for null.
 */
public record TableRecord(
    ChangeType change,
    Optional<BucketId> bucket,
    long offset,
    Instant timestamp,
    Map<String, Object> values) {
  public TableRecord {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /**
   * Whether the row comes from the lake snapshot of a back-fill rather than from a bucket's log.
   */
  public boolean isSnapshotRow() {
    return bucket.isEmpty();
  }

  /** The value of a column (null for null, and for a column the table does not have). */
  public Object value(String column) {
    return values.get(column);
  }
}
