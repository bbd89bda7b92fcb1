package io.sluice.lake.paimon;

import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.table.Column;
import io.sluice.core.table.TableDefinition;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.RowType;

/**
 * The rows of an Arrow batch as Paimon rows of a lake table: fields by name, a column the batch
 * leaves out is null, values converted by {@link PaimonArrowValues}.
 */
final class PaimonArrowRows {
  private final IntFunction<Object>[] readers;
  private final int rows;

  @SuppressWarnings("unchecked")
  private PaimonArrowRows(IntFunction<Object>[] readers, int rows) {
    this.readers = readers;
    this.rows = rows;
  }

  /**
   * Reads {@code batch} in the field order of {@code rowType}, taking each field's type from the
   * column of the same name in {@code definition}; a derived partition column ({@link
   * PaimonTableSchemas#derivedColumns}) holds its value from {@code derived} in every row.
   *
   * @throws IllegalArgumentException when a field's Arrow type is not its column's, or the batch
   *     leaves out a column that is not nullable
   */
  @SuppressWarnings("unchecked")
  static PaimonArrowRows of(
      VectorSchemaRoot batch,
      RowType rowType,
      TableDefinition definition,
      Map<String, String> derived) {
    IntFunction<Object>[] readers = new IntFunction[rowType.getFieldCount()];
    for (int i = 0; i < readers.length; i++) {
      DataField field = rowType.getFields().get(i);
      if (derived.containsKey(field.name()) && definition.column(field.name()).isEmpty()) {
        BinaryString value = BinaryString.fromString(derived.get(field.name()));
        readers[i] = row -> value;
        continue;
      }
      Column column =
          definition
              .column(field.name())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "Cannot write rows to Paimon: lake column "
                              + field.name()
                              + " is not a column of the table definition"));
      FieldVector vector = batch.getVector(column.name());
      if (vector == null && !field.type().isNullable()) {
        throw new IllegalArgumentException(
            "Cannot write rows to Paimon: the batch has no field for column "
                + column.name()
                + ", which is not nullable");
      }
      if (vector != null) {
        ArrowType expected = ArrowSchemas.arrowType(column.type());
        if (!expected.equals(vector.getField().getType())) {
          throw new IllegalArgumentException(
              "Cannot write rows to Paimon: column %s of type %s must be Arrow %s, not %s"
                  .formatted(column.name(), column.type(), expected, vector.getField().getType()));
        }
      }
      readers[i] = PaimonArrowValues.reader(vector, column.name(), column.type());
    }
    return new PaimonArrowRows(readers, batch.getRowCount());
  }

  int size() {
    return rows;
  }

  /** Row {@code row} (0-based) as a new Paimon row. */
  GenericRow row(int row) {
    GenericRow result = new GenericRow(readers.length);
    for (int i = 0; i < readers.length; i++) {
      result.setField(i, readers[i].apply(row));
    }
    return result;
  }
}
