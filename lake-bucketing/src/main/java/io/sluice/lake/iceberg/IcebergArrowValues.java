package io.sluice.lake.iceberg;

import io.sluice.core.table.DataType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Reads non-null Arrow values as Iceberg's internal Java values, the ones its transforms take:
 * {@link Integer} for tinyint, smallint and int, {@link Long} for bigint, {@link
 * java.math.BigDecimal} (at the column's scale) for decimals, {@link String} for strings, {@link
 * ByteBuffer} for binaries, {@link Integer} days for dates and {@link Long} microseconds for both
 * timestamp types.
 */
public final class IcebergArrowValues {
  private IcebergArrowValues() {}

  /**
   * A reader of a vector's non-null values by row.
   *
   * @throws IllegalArgumentException for a type Iceberg's bucket transform does not take
   */
  public static IntFunction<Object> reader(FieldVector vector, DataType type) {
    return switch (type.kind()) {
      case TINYINT -> row -> (int) ((TinyIntVector) vector).get(row);
      case SMALLINT -> row -> (int) ((SmallIntVector) vector).get(row);
      case INT -> row -> ((IntVector) vector).get(row);
      case BIGINT -> row -> ((BigIntVector) vector).get(row);
      case DECIMAL -> row -> ((DecimalVector) vector).getObject(row);
      case STRING -> row -> new String(((VarCharVector) vector).get(row), StandardCharsets.UTF_8);
      case BINARY -> row -> ByteBuffer.wrap(((VarBinaryVector) vector).get(row));
      case DATE -> row -> ((DateDayVector) vector).get(row);
      case TIMESTAMP -> row -> ((TimeStampMicroVector) vector).get(row);
      case TIMESTAMP_LTZ -> row -> ((TimeStampMicroTZVector) vector).get(row);
      case BOOLEAN, FLOAT, DOUBLE ->
          throw new IllegalArgumentException(
              "Cannot bucket by Iceberg's bucket transform: it does not take type " + type);
    };
  }
}
