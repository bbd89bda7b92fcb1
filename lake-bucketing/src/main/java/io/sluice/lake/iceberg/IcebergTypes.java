package io.sluice.lake.iceberg;

import io.sluice.core.table.DataType;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Sluice column types as Iceberg types.
 *
 * <table>
 *   <caption>Sluice type to Iceberg type</caption>
 *   <tr><th>Sluice</th><th>Iceberg</th></tr>
 *   <tr><td>boolean</td><td>boolean</td></tr>
 *   <tr><td>tinyint, smallint, int</td><td>int</td></tr>
 *   <tr><td>bigint</td><td>long</td></tr>
 *   <tr><td>float</td><td>float</td></tr>
 *   <tr><td>double</td><td>double</td></tr>
 *   <tr><td>decimal(p,s)</td><td>decimal(p,s)</td></tr>
 *   <tr><td>string</td><td>string</td></tr>
 *   <tr><td>binary</td><td>binary</td></tr>
 *   <tr><td>date</td><td>date</td></tr>
 *   <tr><td>timestamp</td><td>timestamp (microseconds, without zone)</td></tr>
 *   <tr><td>timestamp_ltz</td><td>timestamptz (microseconds, UTC)</td></tr>
 * </table>
 */
public final class IcebergTypes {
  private IcebergTypes() {}

  /** The Iceberg type of a Sluice type. */
  public static Type type(DataType type) {
    return switch (type.kind()) {
      case BOOLEAN -> Types.BooleanType.get();
      case TINYINT, SMALLINT, INT -> Types.IntegerType.get();
      case BIGINT -> Types.LongType.get();
      case FLOAT -> Types.FloatType.get();
      case DOUBLE -> Types.DoubleType.get();
      case DECIMAL -> Types.DecimalType.of(type.precision(), type.scale());
      case STRING -> Types.StringType.get();
      case BINARY -> Types.BinaryType.get();
      case DATE -> Types.DateType.get();
      case TIMESTAMP -> Types.TimestampType.withoutZone();
      case TIMESTAMP_LTZ -> Types.TimestampType.withZone();
    };
  }
}
