package io.sluice.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Turns the Arrow answers of bucket reads, changelogs and scans into {@link TableRecord}s: the
 * system columns ({@code _change_type}, {@code _offset}, {@code _timestamp}) into the record's
 * place, every other column into a value of the Java type a {@link TableWriter} takes.
 */
final class ArrowRecords {
  static final String CHANGE_TYPE = "_change_type";
  static final String OFFSET = "_offset";
  static final String TIMESTAMP = "_timestamp";

  private ArrowRecords() {}

  /** The records of a whole Arrow IPC stream read from {@code bucket} (empty for a scan). */
  static List<TableRecord> decode(
      byte[] stream, Optional<BucketId> bucket, BufferAllocator memory) {
    List<TableRecord> records = new ArrayList<>();
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(stream), memory)) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot batch = reader.getVectorSchemaRoot();
        records.addAll(decode(batch, bucket, 0, batch.getRowCount()));
      }
    } catch (IOException e) {
      throw new SluiceException(
          200,
          SluiceException.UNEXPECTED_ANSWER,
          "Cannot read the rows of " + bucket.map(BucketId::toString).orElse("a scan") + ": " + e,
          null,
          null,
          e);
    }
    return records;
  }

  /** The records of rows {@code first} (inclusive) to {@code end} (exclusive) of a batch. */
  static List<TableRecord> decode(
      VectorSchemaRoot batch, Optional<BucketId> bucket, int first, int end) {
    FieldVector changeTypes = null;
    FieldVector offsets = null;
    FieldVector timestamps = null;
    List<FieldVector> columns = new ArrayList<>();
    for (FieldVector vector : batch.getFieldVectors()) {
      switch (vector.getName()) {
        case CHANGE_TYPE -> changeTypes = vector;
        case OFFSET -> offsets = vector;
        case TIMESTAMP -> timestamps = vector;
        default -> columns.add(vector);
      }
    }
    List<TableRecord> records = new ArrayList<>(Math.max(0, end - first));
    for (int row = first; row < end; row++) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (FieldVector column : columns) {
        values.put(column.getName(), value(column, row));
      }
      records.add(
          new TableRecord(
              changeTypes == null
                  ? ChangeType.INSERT
                  : ChangeType.ofApiName((String) value(changeTypes, row)),
              bucket,
              offsets == null ? -1 : ((BigIntVector) offsets).get(row),
              timestamps == null ? null : instant(value(timestamps, row)),
              values));
    }
    return records;
  }

  private static Instant instant(Object value) {
    return value instanceof LocalDateTime local ? local.toInstant(ZoneOffset.UTC) : (Instant) value;
  }

  /** A value in the Java type the writer takes for its column's type. */
  static Object value(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      return null;
    }
    ArrowType type = vector.getField().getType();
    if (vector instanceof VarCharVector text) {
      return new String(text.get(row), StandardCharsets.UTF_8);
    }
    if (vector instanceof VarBinaryVector binary) {
      return binary.get(row);
    }
    if (vector instanceof DateDayVector date) {
      return LocalDate.ofEpochDay(date.get(row));
    }
    if (vector instanceof DecimalVector decimal) {
      return (BigDecimal) decimal.getObject(row);
    }
    if (vector instanceof TimeStampVector timestamp
        && type instanceof ArrowType.Timestamp stamp
        && stamp.getUnit() == org.apache.arrow.vector.types.TimeUnit.MICROSECOND) {
      Instant instant = Instant.EPOCH.plus(timestamp.get(row), ChronoUnit.MICROS);
      return stamp.getTimezone() == null
          ? LocalDateTime.ofInstant(instant, ZoneOffset.UTC)
          : instant;
    }
    // Booleans, integers and floating point: getObject gives the Java type the writer takes.
    return vector.getObject(row);
  }
}
