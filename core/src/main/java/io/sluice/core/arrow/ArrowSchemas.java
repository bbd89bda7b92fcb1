package io.sluice.core.arrow;

import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Arrow schema of a table, and the check that an Arrow schema given by a client fits a table.
 *
 * <p>Column types map to Arrow types as follows; a field is nullable when its column is.
 *
 * <table>
 *   <caption>Sluice type to Arrow type</caption>
 *   <tr><th>Sluice</th><th>Arrow</th></tr>
 *   <tr><td>boolean</td><td>Bool</td></tr>
 *   <tr><td>tinyint</td><td>Int(8, signed)</td></tr>
 *   <tr><td>smallint</td><td>Int(16, signed)</td></tr>
 *   <tr><td>int</td><td>Int(32, signed)</td></tr>
 *   <tr><td>bigint</td><td>Int(64, signed)</td></tr>
 *   <tr><td>float</td><td>FloatingPoint(SINGLE)</td></tr>
 *   <tr><td>double</td><td>FloatingPoint(DOUBLE)</td></tr>
 *   <tr><td>decimal(p,s)</td><td>Decimal(p, s, 128 bits)</td></tr>
 *   <tr><td>string</td><td>Utf8</td></tr>
 *   <tr><td>binary</td><td>Binary</td></tr>
 *   <tr><td>date</td><td>Date(DAY)</td></tr>
 *   <tr><td>timestamp</td><td>Timestamp(MICROSECOND, no time zone)</td></tr>
 *   <tr><td>timestamp_ltz</td><td>Timestamp(MICROSECOND, "UTC")</td></tr>
 * </table>
 *
 * <p>A given schema must use exactly these Arrow types; no casts are made.
 */
public final class ArrowSchemas {
  /** The time zone of {@code timestamp_ltz} fields. */
  public static final String UTC = "UTC";

  private ArrowSchemas() {}

  /** The Arrow schema of a table's columns, in column order. */
  public static Schema schema(TableDefinition table) {
    return schema(table.columns());
  }

  /** The Arrow schema of these columns, in their order. */
  public static Schema schema(List<Column> columns) {
    return new Schema(columns.stream().map(ArrowSchemas::field).toList());
  }

  /** The Arrow field of a column. */
  public static Field field(Column column) {
    return new Field(
        column.name(), new FieldType(column.nullable(), arrowType(column.type()), null), List.of());
  }

  /** The Arrow type of a column type. */
  public static ArrowType arrowType(DataType type) {
    return switch (type.kind()) {
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case TINYINT -> new ArrowType.Int(8, true);
      case SMALLINT -> new ArrowType.Int(16, true);
      case INT -> new ArrowType.Int(32, true);
      case BIGINT -> new ArrowType.Int(64, true);
      case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case DECIMAL -> new ArrowType.Decimal(type.precision(), type.scale(), 128);
      case STRING -> ArrowType.Utf8.INSTANCE;
      case BINARY -> ArrowType.Binary.INSTANCE;
      case DATE -> new ArrowType.Date(DateUnit.DAY);
      case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case TIMESTAMP_LTZ -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, UTC);
    };
  }

  /**
   * Checks that an Arrow schema fits a table, matching fields to columns by name.
   *
   * @throws SchemaMismatchException naming the first field that is not a column, the first non-null
   *     column that is missing, or the first field whose type differs
   */
  public static void checkCompatible(Schema given, TableDefinition table) {
    checkCompatible(given, table, Set.of());
  }

  /**
   * Checks that an Arrow schema fits a table, matching fields to columns by name and ignoring the
   * {@code reservedFields} (such as {@code _op}) that the caller handles itself.
   *
   * <p>A nullable field is accepted for a non-null column; {@link #checkNoNulls} checks the values.
   *
   * @throws SchemaMismatchException naming the first field that is not a column, the first non-null
   *     column that is missing, or the first field whose type differs
   */
  public static void checkCompatible(
      Schema given, TableDefinition table, Set<String> reservedFields) {
    Set<String> seen = checkFields(given, table, reservedFields);
    List<String> missing = new ArrayList<>();
    for (Column column : table.columns()) {
      if (!column.nullable() && !seen.contains(column.name())) {
        missing.add(column.name());
      }
    }
    if (!missing.isEmpty()) {
      Column column = table.column(missing.get(0)).orElseThrow();
      throw new SchemaMismatchException(
          0,
          column.name(),
          "column %s: expected %s (not nullable), got no field"
              .formatted(column.name(), column.type()));
    }
  }

  /**
   * Checks that an Arrow schema fits a table as {@link #checkCompatible(Schema, TableDefinition,
   * Set)} does, but lets it leave out any column: a primary-key table's partial updates do.
   */
  public static void checkCompatiblePartial(
      Schema given, TableDefinition table, Set<String> reservedFields) {
    checkFields(given, table, reservedFields);
  }

  /** Checks each given field and returns the column names seen. */
  private static Set<String> checkFields(
      Schema given, TableDefinition table, Set<String> reservedFields) {
    Set<String> seen = new HashSet<>();
    for (Field field : given.getFields()) {
      String name = field.getName();
      if (reservedFields.contains(name)) {
        continue;
      }
      if (!seen.add(name)) {
        throw new SchemaMismatchException(0, name, "column " + name + ": given twice");
      }
      Column column =
          table
              .column(name)
              .orElseThrow(
                  () ->
                      new SchemaMismatchException(
                          0, name, "column " + name + ": not a column of the table"));
      ArrowType expected = arrowType(column.type());
      if (!expected.equals(field.getType()) || !field.getChildren().isEmpty()) {
        throw new SchemaMismatchException(
            0,
            name,
            "column %s: expected %s (Arrow %s), got %s"
                .formatted(name, column.type(), expected, describe(field)));
      }
    }
    return seen;
  }

  /**
   * Checks that no non-null column of the table holds a null in this batch, as the Arrow type
   * system cannot promise it.
   *
   * @throws SchemaMismatchException naming the first row (1-based) and column holding a null
   */
  public static void checkNoNulls(VectorSchemaRoot root, TableDefinition table) {
    for (Column column : table.columns()) {
      if (column.nullable()) {
        continue;
      }
      FieldVector vector = root.getVector(column.name());
      if (vector == null || vector.getNullCount() == 0) {
        continue;
      }
      for (int i = 0; i < root.getRowCount(); i++) {
        if (vector.isNull(i)) {
          throw new SchemaMismatchException(
              i + 1,
              column.name(),
              "row %d: column %s: expected %s, got null (the column is not nullable)"
                  .formatted(i + 1, column.name(), column.type()));
        }
      }
    }
  }

  private static String describe(Field field) {
    return field.getChildren().isEmpty()
        ? field.getType().toString()
        : field.getType() + " with children " + field.getChildren();
  }
}
