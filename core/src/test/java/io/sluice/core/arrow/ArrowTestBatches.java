package io.sluice.core.arrow;

import io.sluice.core.table.Column;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Arrow batches built from plain Java values for tests: Boolean, Byte, Short, Integer, Long, Float,
 * Double, BigDecimal, String, byte[], LocalDate, and Instant or LocalDateTime (UTC) for timestamps;
 * null for null.
 */
public final class ArrowTestBatches {
  private ArrowTestBatches() {}

  /** A batch of these columns holding {@code rows}, one value per column; the caller closes it. */
  public static VectorSchemaRoot of(
      BufferAllocator allocator, List<Column> columns, List<Object[]> rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(ArrowSchemas.schema(columns), allocator);
    try {
      root.allocateNew();
      for (int c = 0; c < columns.size(); c++) {
        FieldVector vector = root.getVector(c);
        for (int r = 0; r < rows.size(); r++) {
          set(vector, r, rows.get(r)[c]);
        }
        vector.setValueCount(rows.size());
      }
      root.setRowCount(rows.size());
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /** Microseconds since the epoch of an Instant, or of a LocalDateTime read as UTC. */
  public static long micros(Object value) {
    Instant instant =
        value instanceof LocalDateTime local ? local.toInstant(ZoneOffset.UTC) : (Instant) value;
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  private static void set(FieldVector vector, int row, Object value) {
    if (value == null) {
      vector.setNull(row);
    } else if (vector instanceof BitVector v) {
      v.setSafe(row, (Boolean) value ? 1 : 0);
    } else if (vector instanceof TinyIntVector v) {
      v.setSafe(row, (Byte) value);
    } else if (vector instanceof SmallIntVector v) {
      v.setSafe(row, (Short) value);
    } else if (vector instanceof IntVector v) {
      v.setSafe(row, (Integer) value);
    } else if (vector instanceof BigIntVector v) {
      v.setSafe(row, (Long) value);
    } else if (vector instanceof Float4Vector v) {
      v.setSafe(row, (Float) value);
    } else if (vector instanceof Float8Vector v) {
      v.setSafe(row, (Double) value);
    } else if (vector instanceof DecimalVector v) {
      v.setSafe(row, (BigDecimal) value);
    } else if (vector instanceof VarCharVector v) {
      v.setSafe(row, ((String) value).getBytes(StandardCharsets.UTF_8));
    } else if (vector instanceof VarBinaryVector v) {
      v.setSafe(row, (byte[]) value);
    } else if (vector instanceof DateDayVector v) {
      v.setSafe(row, (int) ((LocalDate) value).toEpochDay());
    } else if (vector instanceof TimeStampMicroTZVector v) {
      v.setSafe(row, micros(value));
    } else if (vector instanceof TimeStampMicroVector v) {
      v.setSafe(row, micros(value));
    } else {
      throw new IllegalArgumentException("no test support for " + vector.getField());
    }
  }
}
