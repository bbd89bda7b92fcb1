package io.sluice.core.arrow;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
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

/**
 * Values of Sluice's Arrow vectors as plain Java objects, the form lake adapters and filters
 * exchange them in: {@code Boolean}, {@code Byte}, {@code Short}, {@code Integer}, {@code Long},
 * {@code Float}, {@code Double}, {@code BigDecimal}, {@code String}, {@code byte[]}, {@code
 * LocalDate} (date), {@code LocalDateTime} (timestamp) and {@code Instant} (timestamp_ltz).
 */
public final class ArrowValues {
  private ArrowValues() {}

  /** The value at {@code row}, or null. */
  public static Object get(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      return null;
    }
    if (vector instanceof BitVector v) {
      return v.get(row) != 0;
    } else if (vector instanceof TinyIntVector v) {
      return v.get(row);
    } else if (vector instanceof SmallIntVector v) {
      return v.get(row);
    } else if (vector instanceof IntVector v) {
      return v.get(row);
    } else if (vector instanceof BigIntVector v) {
      return v.get(row);
    } else if (vector instanceof Float4Vector v) {
      return v.get(row);
    } else if (vector instanceof Float8Vector v) {
      return v.get(row);
    } else if (vector instanceof DecimalVector v) {
      return v.getObject(row);
    } else if (vector instanceof VarCharVector v) {
      return new String(v.get(row), StandardCharsets.UTF_8);
    } else if (vector instanceof VarBinaryVector v) {
      return v.get(row);
    } else if (vector instanceof DateDayVector v) {
      return LocalDate.ofEpochDay(v.get(row));
    } else if (vector instanceof TimeStampMicroTZVector v) {
      return instant(v.get(row));
    } else if (vector instanceof TimeStampMicroVector v) {
      return LocalDateTime.ofInstant(instant(v.get(row)), ZoneOffset.UTC);
    }
    throw unsupported(vector);
  }

  /**
   * Sets the value at {@code row} (null leaves it null), growing the vector as needed.
   *
   * @throws ClassCastException when the value is not of the vector's Java type
   */
  public static void set(FieldVector vector, int row, Object value) {
    if (value == null) {
      vector.setNull(row);
    } else if (vector instanceof BitVector v) {
      v.setSafe(row, (Boolean) value ? 1 : 0);
    } else if (vector instanceof TinyIntVector v) {
      v.setSafe(row, ((Number) value).byteValue());
    } else if (vector instanceof SmallIntVector v) {
      v.setSafe(row, ((Number) value).shortValue());
    } else if (vector instanceof IntVector v) {
      v.setSafe(row, ((Number) value).intValue());
    } else if (vector instanceof BigIntVector v) {
      v.setSafe(row, ((Number) value).longValue());
    } else if (vector instanceof Float4Vector v) {
      v.setSafe(row, ((Number) value).floatValue());
    } else if (vector instanceof Float8Vector v) {
      v.setSafe(row, ((Number) value).doubleValue());
    } else if (vector instanceof DecimalVector v) {
      v.setSafe(row, ((BigDecimal) value).setScale(v.getScale(), RoundingMode.UNNECESSARY));
    } else if (vector instanceof VarCharVector v) {
      v.setSafe(row, ((String) value).getBytes(StandardCharsets.UTF_8));
    } else if (vector instanceof VarBinaryVector v) {
      v.setSafe(row, (byte[]) value);
    } else if (vector instanceof DateDayVector v) {
      v.setSafe(row, Math.toIntExact(((LocalDate) value).toEpochDay()));
    } else if (vector instanceof TimeStampMicroTZVector v) {
      v.setSafe(row, micros((Instant) value));
    } else if (vector instanceof TimeStampMicroVector v) {
      v.setSafe(row, micros(((LocalDateTime) value).toInstant(ZoneOffset.UTC)));
    } else {
      throw unsupported(vector);
    }
  }

  /** Microseconds since the epoch of an instant. */
  public static long micros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
  }

  /** The instant of microseconds since the epoch. */
  public static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }

  private static IllegalArgumentException unsupported(FieldVector vector) {
    return new IllegalArgumentException(
        "Column "
            + vector.getName()
            + " has an Arrow type Sluice does not use: "
            + vector.getMinorType());
  }
}
