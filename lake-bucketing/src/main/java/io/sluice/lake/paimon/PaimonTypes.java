package io.sluice.lake.paimon;

import io.sluice.core.table.Column;
import java.util.List;
import org.apache.paimon.types.BigIntType;
import org.apache.paimon.types.BooleanType;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DateType;
import org.apache.paimon.types.DecimalType;
import org.apache.paimon.types.DoubleType;
import org.apache.paimon.types.FloatType;
import org.apache.paimon.types.IntType;
import org.apache.paimon.types.LocalZonedTimestampType;
import org.apache.paimon.types.RowType;
import org.apache.paimon.types.SmallIntType;
import org.apache.paimon.types.TimestampType;
import org.apache.paimon.types.TinyIntType;
import org.apache.paimon.types.VarBinaryType;
import org.apache.paimon.types.VarCharType;

/**
 * Sluice column types as Paimon types.
 *
 * <table>
 *   <caption>Sluice type to Paimon type</caption>
 *   <tr><th>Sluice</th><th>Paimon</th></tr>
 *   <tr><td>boolean</td><td>BOOLEAN</td></tr>
 *   <tr><td>tinyint</td><td>TINYINT</td></tr>
 *   <tr><td>smallint</td><td>SMALLINT</td></tr>
 *   <tr><td>int</td><td>INT</td></tr>
 *   <tr><td>bigint</td><td>BIGINT</td></tr>
 *   <tr><td>float</td><td>FLOAT</td></tr>
 *   <tr><td>double</td><td>DOUBLE</td></tr>
 *   <tr><td>decimal(p,s)</td><td>DECIMAL(p,s)</td></tr>
 *   <tr><td>string</td><td>STRING (VARCHAR of maximal length)</td></tr>
 *   <tr><td>binary</td><td>BYTES (VARBINARY of maximal length)</td></tr>
 *   <tr><td>date</td><td>DATE</td></tr>
 *   <tr><td>timestamp</td><td>TIMESTAMP(6)</td></tr>
 *   <tr><td>timestamp_ltz</td><td>TIMESTAMP(6) WITH LOCAL TIME ZONE</td></tr>
 * </table>
 */
public final class PaimonTypes {
  /** Microseconds, the precision of Sluice's timestamps. */
  public static final int TIMESTAMP_PRECISION = 6;

  private PaimonTypes() {}

  /** The Paimon type of a column, nullable when the column is. */
  public static DataType type(Column column) {
    return type(column.type()).copy(column.nullable());
  }

  /** The (nullable) Paimon type of a Sluice type. */
  public static DataType type(io.sluice.core.table.DataType type) {
    return switch (type.kind()) {
      case BOOLEAN -> new BooleanType();
      case TINYINT -> new TinyIntType();
      case SMALLINT -> new SmallIntType();
      case INT -> new IntType();
      case BIGINT -> new BigIntType();
      case FLOAT -> new FloatType();
      case DOUBLE -> new DoubleType();
      case DECIMAL -> new DecimalType(type.precision(), type.scale());
      case STRING -> VarCharType.STRING_TYPE;
      case BINARY -> new VarBinaryType(VarBinaryType.MAX_LENGTH);
      case DATE -> new DateType();
      case TIMESTAMP -> new TimestampType(TIMESTAMP_PRECISION);
      case TIMESTAMP_LTZ -> new LocalZonedTimestampType(TIMESTAMP_PRECISION);
    };
  }

  /** The Paimon row type of these columns, in their order, with field ids 0, 1, ... */
  public static RowType rowType(List<Column> columns) {
    DataField[] fields = new DataField[columns.size()];
    for (int i = 0; i < fields.length; i++) {
      fields[i] = new DataField(i, columns.get(i).name(), type(columns.get(i)));
    }
    return RowType.of(fields);
  }
}
