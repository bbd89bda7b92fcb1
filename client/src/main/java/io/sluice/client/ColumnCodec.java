package io.sluice.client;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * One column as the writer sees it: which Java values it takes, the form they are held in until
 * encoded, their size, and how they go into the column's Arrow vector (the Arrow types of API.md's
 * types: {@code decimal(p,s)} as Decimal128, timestamps in microseconds, {@code timestamp_ltz} in
 * UTC, dates in days).
 */
final class ColumnCodec {
  private static final Pattern DECIMAL =
      Pattern.compile("decimal\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");

  /** The API's types. */
  enum Kind {
    BOOLEAN("Boolean"),
    TINYINT("Byte (or a smaller integer type)"),
    SMALLINT("Short, Byte"),
    INT("Integer, Short, Byte"),
    BIGINT("Long, Integer, Short, Byte"),
    FLOAT("Float"),
    DOUBLE("Double, Float"),
    DECIMAL("BigDecimal, BigInteger, Long, Integer"),
    STRING("String"),
    BINARY("byte[], ByteBuffer"),
    DATE("LocalDate"),
    TIMESTAMP("LocalDateTime, Instant (taken in UTC)"),
    TIMESTAMP_LTZ("Instant, OffsetDateTime, ZonedDateTime, LocalDateTime (taken in UTC)");

    private final String javaTypes;

    Kind(String javaTypes) {
      this.javaTypes = javaTypes;
    }
  }

  private final Column column;
  private final Kind kind;
  private final int precision;
  private final int scale;

  private ColumnCodec(Column column, Kind kind, int precision, int scale) {
    this.column = column;
    this.kind = kind;
    this.precision = precision;
    this.scale = scale;
  }

  /** The codec of a column as {@code describe} reports it. */
  static ColumnCodec of(Column column) {
    String type = column.type().trim().toLowerCase(Locale.ROOT);
    Matcher decimal = DECIMAL.matcher(type);
    if (decimal.matches()) {
      return new ColumnCodec(
          column,
          Kind.DECIMAL,
          Integer.parseInt(decimal.group(1)),
          Integer.parseInt(decimal.group(2)));
    }
    for (Kind kind : Kind.values()) {
      if (kind != Kind.DECIMAL && kind.name().toLowerCase(Locale.ROOT).equals(type)) {
        return new ColumnCodec(column, kind, 0, 0);
      }
    }
    throw new IllegalArgumentException(
        "Cannot write column " + column.name() + ": unknown type " + column.type());
  }

  String name() {
    return column.name();
  }

  Column column() {
    return column;
  }

  /** The Arrow field the server expects for this column (nullable: it accepts that always). */
  Field field() {
    return new Field(column.name(), FieldType.nullable(arrowType()), List.of());
  }

  private ArrowType arrowType() {
    return switch (kind) {
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case TINYINT -> new ArrowType.Int(8, true);
      case SMALLINT -> new ArrowType.Int(16, true);
      case INT -> new ArrowType.Int(32, true);
      case BIGINT -> new ArrowType.Int(64, true);
      case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case DECIMAL -> new ArrowType.Decimal(precision, scale, 128);
      case STRING -> ArrowType.Utf8.INSTANCE;
      case BINARY -> ArrowType.Binary.INSTANCE;
      case DATE -> new ArrowType.Date(DateUnit.DAY);
      case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case TIMESTAMP_LTZ -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
    };
  }

  /**
   * The value in the form it is held until encoded: Boolean, Byte, Short, Integer, Long (also
   * microseconds since the epoch), Float, Double, BigDecimal at the column's scale, Integer days
   * for dates, or a byte[] of its own (UTF-8 for strings).
   *
   * @throws IllegalArgumentException naming the column and the Java types it takes
   */
  Object convert(Object value) {
    Object converted =
        switch (kind) {
          case BOOLEAN -> value instanceof Boolean ? value : null;
          case TINYINT -> integral(value, Byte.MIN_VALUE, Byte.MAX_VALUE, v -> (byte) v);
          case SMALLINT -> integral(value, Short.MIN_VALUE, Short.MAX_VALUE, v -> (short) v);
          case INT -> integral(value, Integer.MIN_VALUE, Integer.MAX_VALUE, v -> (int) v);
          case BIGINT -> integral(value, Long.MIN_VALUE, Long.MAX_VALUE, v -> v);
          case FLOAT -> value instanceof Float ? value : null;
          case DOUBLE ->
              value instanceof Double ? value : value instanceof Float f ? (double) f : null;
          case DECIMAL -> decimal(value);
          case STRING ->
              value instanceof CharSequence text
                  ? text.toString().getBytes(StandardCharsets.UTF_8)
                  : null;
          case BINARY -> binary(value);
          case DATE -> value instanceof LocalDate date ? Math.toIntExact(date.toEpochDay()) : null;
          case TIMESTAMP -> timestamp(value);
          case TIMESTAMP_LTZ -> timestampLtz(value);
        };
    if (converted == null) {
      throw new IllegalArgumentException(
          "Cannot write column %s: expected %s (%s), got %s %s"
              .formatted(
                  column.name(),
                  column.type(),
                  kind.javaTypes,
                  value.getClass().getSimpleName(),
                  abbreviate(value)));
    }
    return converted;
  }

  /** About the bytes a converted value takes in a batch (its data, offsets and validity). */
  int size(Object converted) {
    return switch (kind) {
      case BOOLEAN, TINYINT -> 2;
      case SMALLINT -> 3;
      case INT, FLOAT, DATE -> 5;
      case BIGINT, DOUBLE, TIMESTAMP, TIMESTAMP_LTZ -> 9;
      case DECIMAL -> 17;
      case STRING, BINARY -> ((byte[]) converted).length + 5;
    };
  }

  /** Sets row {@code index} of this column's vector to a converted value. */
  void set(FieldVector vector, int index, Object converted) {
    switch (kind) {
      case BOOLEAN -> ((BitVector) vector).setSafe(index, (Boolean) converted ? 1 : 0);
      case TINYINT -> ((TinyIntVector) vector).setSafe(index, (Byte) converted);
      case SMALLINT -> ((SmallIntVector) vector).setSafe(index, (Short) converted);
      case INT -> ((IntVector) vector).setSafe(index, (Integer) converted);
      case BIGINT -> ((BigIntVector) vector).setSafe(index, (Long) converted);
      case FLOAT -> ((Float4Vector) vector).setSafe(index, (Float) converted);
      case DOUBLE -> ((Float8Vector) vector).setSafe(index, (Double) converted);
      case DECIMAL -> ((DecimalVector) vector).setSafe(index, (BigDecimal) converted);
      case STRING -> ((VarCharVector) vector).setSafe(index, (byte[]) converted);
      case BINARY -> ((VarBinaryVector) vector).setSafe(index, (byte[]) converted);
      case DATE -> ((DateDayVector) vector).setSafe(index, (Integer) converted);
      case TIMESTAMP -> ((TimeStampMicroVector) vector).setSafe(index, (Long) converted);
      case TIMESTAMP_LTZ -> ((TimeStampMicroTZVector) vector).setSafe(index, (Long) converted);
    }
  }

  private interface Narrowing {
    Object apply(long value);
  }

  private Object integral(Object value, long min, long max, Narrowing narrowing) {
    if (!(value instanceof Long || value instanceof Integer)
        && !(value instanceof Short || value instanceof Byte)) {
      return null;
    }
    long number = ((Number) value).longValue();
    if (number < min || number > max) {
      throw new IllegalArgumentException(
          "Cannot write column %s: %d is out of the range of %s"
              .formatted(column.name(), number, column.type()));
    }
    return narrowing.apply(number);
  }

  private Object decimal(Object value) {
    BigDecimal decimal;
    if (value instanceof BigDecimal d) {
      decimal = d;
    } else if (value instanceof BigInteger i) {
      decimal = new BigDecimal(i);
    } else if (value instanceof Long || value instanceof Integer) {
      decimal = BigDecimal.valueOf(((Number) value).longValue());
    } else if (value instanceof Short || value instanceof Byte) {
      decimal = BigDecimal.valueOf(((Number) value).longValue());
    } else {
      return null;
    }
    BigDecimal scaled;
    try {
      scaled = decimal.setScale(scale);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "Cannot write column %s: %s has more than %d decimal places for %s"
              .formatted(column.name(), decimal.toPlainString(), scale, column.type()));
    }
    if (scaled.precision() > precision) {
      throw new IllegalArgumentException(
          "Cannot write column %s: %s has more than %d digits for %s"
              .formatted(column.name(), decimal.toPlainString(), precision, column.type()));
    }
    return scaled;
  }

  private static Object binary(Object value) {
    if (value instanceof byte[] bytes) {
      return bytes.clone();
    }
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return bytes;
    }
    return null;
  }

  private Object timestamp(Object value) {
    if (value instanceof LocalDateTime local) {
      return micros(local.toInstant(ZoneOffset.UTC));
    }
    if (value instanceof Instant instant) {
      return micros(instant);
    }
    return null;
  }

  private Object timestampLtz(Object value) {
    if (value instanceof Instant instant) {
      return micros(instant);
    }
    if (value instanceof OffsetDateTime offset) {
      return micros(offset.toInstant());
    }
    if (value instanceof ZonedDateTime zoned) {
      return micros(zoned.toInstant());
    }
    if (value instanceof LocalDateTime local) {
      return micros(local.toInstant(ZoneOffset.UTC));
    }
    return null;
  }

  private Long micros(Instant instant) {
    try {
      return Math.addExact(
          Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "Cannot write column %s: %s is out of the range of microsecond timestamps"
              .formatted(column.name(), instant));
    }
  }

  private static String abbreviate(Object value) {
    String text = value instanceof byte[] b ? b.length + " bytes" : String.valueOf(value);
    return text.length() > 60 ? text.substring(0, 60) + "..." : text;
  }
}
