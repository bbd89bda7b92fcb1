package io.sluice.lake.paimon;

import io.sluice.core.table.DataType;
import java.math.BigDecimal;
import java.util.function.IntFunction;
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
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.Timestamp;

/**
 * Reads Arrow values as Paimon's internal data structures: {@link Boolean}, {@link Byte}, {@link
 * Short}, {@link Integer}, {@link Long}, {@link Float}, {@link Double}, {@link Decimal}, {@link
 * BinaryString}, {@code byte[]}, {@link Integer} days for dates, and {@link Timestamp} for both
 * timestamp types (an instant's UTC wall time for {@code timestamp_ltz}, as Paimon keeps it).
 */
public final class PaimonArrowValues {
  private PaimonArrowValues() {}

  /**
   * A reader of a vector's values by row, null for a null value, or of nulls only when {@code
   * vector} is null (a column the batch leaves out).
   *
   * @param column named in the message when a decimal does not fit its precision
   */
  public static IntFunction<Object> reader(FieldVector vector, String column, DataType type) {
    if (vector == null) {
      return row -> null;
    }
    IntFunction<Object> values = values(vector, column, type);
    return row -> vector.isNull(row) ? null : values.apply(row);
  }

  private static IntFunction<Object> values(FieldVector vector, String column, DataType type) {
    return switch (type.kind()) {
      case BOOLEAN -> row -> ((BitVector) vector).get(row) != 0;
      case TINYINT -> row -> ((TinyIntVector) vector).get(row);
      case SMALLINT -> row -> ((SmallIntVector) vector).get(row);
      case INT -> row -> ((IntVector) vector).get(row);
      case BIGINT -> row -> ((BigIntVector) vector).get(row);
      case FLOAT -> row -> ((Float4Vector) vector).get(row);
      case DOUBLE -> row -> ((Float8Vector) vector).get(row);
      case DECIMAL -> row -> decimal(((DecimalVector) vector).getObject(row), column, type, row);
      case STRING -> row -> BinaryString.fromBytes(((VarCharVector) vector).get(row));
      case BINARY -> row -> ((VarBinaryVector) vector).get(row);
      case DATE -> row -> ((DateDayVector) vector).get(row);
      case TIMESTAMP -> row -> Timestamp.fromMicros(((TimeStampMicroVector) vector).get(row));
      case TIMESTAMP_LTZ -> row -> Timestamp.fromMicros(((TimeStampMicroTZVector) vector).get(row));
    };
  }

  private static Decimal decimal(BigDecimal value, String column, DataType type, int row) {
    Decimal decimal = Decimal.fromBigDecimal(value, type.precision(), type.scale());
    if (decimal == null) {
      throw new IllegalArgumentException(
          "Cannot convert row %d: column %s holds %s, which does not fit %s"
              .formatted(row + 1, column, value.toPlainString(), type));
    }
    return decimal;
  }
}
