package io.sluice.lake.iceberg;

import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;

/**
 * Arrow rows as Iceberg generic {@link GenericRecord}s of a table schema: columns by name, a column
 * the batch leaves out is null. Values come from {@link IcebergArrowValues} (Iceberg's internal
 * representation) and become the generic ones: {@link java.time.LocalDate} for dates, {@link
 * java.time.LocalDateTime} for timestamps and {@link java.time.OffsetDateTime} (UTC) for {@code
 * timestamp_ltz}.
 */
final class IcebergRecords {
  private final Schema schema;
  private final String table;
  private final List<Types.NestedField> fields;
  private final IntFunction<Object>[] readers;
  private final FieldVector[] vectors;

  /**
   * Binds a batch to the schema.
   *
   * @param table the table's name, for messages
   * @param definition the Sluice columns, for the Arrow type each field must have
   * @throws IllegalArgumentException when the batch has a field the Iceberg table lacks, a field of
   *     another type, or lacks a field for a required column
   */
  @SuppressWarnings("unchecked")
  IcebergRecords(String table, Schema schema, TableDefinition definition, VectorSchemaRoot batch) {
    this.schema = schema;
    this.table = table;
    this.fields = schema.columns();
    this.readers = new IntFunction[fields.size()];
    this.vectors = new FieldVector[fields.size()];
    Set<String> bound = new HashSet<>();
    for (int i = 0; i < fields.size(); i++) {
      Types.NestedField field = fields.get(i);
      FieldVector vector = batch.getVector(field.name());
      if (vector == null) {
        if (field.isRequired()) {
          throw new IllegalArgumentException(
              "Cannot write rows to Iceberg table %s: the batch has no field for column %s, which is not nullable"
                  .formatted(table, field.name()));
        }
        continue;
      }
      Column column =
          definition
              .column(field.name())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "Cannot write rows to Iceberg table %s: column %s is not in the table definition"
                              .formatted(table, field.name())));
      ArrowType expected = ArrowSchemas.arrowType(column.type());
      if (!expected.equals(vector.getField().getType())) {
        throw new IllegalArgumentException(
            "Cannot write rows to Iceberg table %s: column %s of type %s must be Arrow %s, not %s"
                .formatted(
                    table, field.name(), column.type(), expected, vector.getField().getType()));
      }
      vectors[i] = vector;
      readers[i] = reader(vector, column.type());
      bound.add(field.name());
    }
    for (FieldVector vector : batch.getFieldVectors()) {
      if (!bound.contains(vector.getName())) {
        throw new IllegalArgumentException(
            "Cannot write rows to Iceberg table %s: it has no column %s (evolve the table first)"
                .formatted(table, vector.getName()));
      }
    }
  }

  /**
   * The record of a row.
   *
   * @throws IllegalArgumentException naming the row (1-based) and column when a required column
   *     holds a null
   */
  GenericRecord record(int row) {
    GenericRecord record = GenericRecord.create(schema);
    for (int i = 0; i < readers.length; i++) {
      if (vectors[i] == null || vectors[i].isNull(row)) {
        if (fields.get(i).isRequired()) {
          throw new IllegalArgumentException(
              "Cannot write row %d to Iceberg table %s: column %s is null, and it is not nullable"
                  .formatted(row + 1, table, fields.get(i).name()));
        }
        continue;
      }
      record.set(i, readers[i].apply(row));
    }
    return record;
  }

  /**
   * A record of the schema holding the values of a row that Iceberg's internal readers return
   * (days, microseconds, {@link CharSequence}s) as generic values.
   */
  static GenericRecord fromInternal(Schema schema, StructLike row) {
    GenericRecord record = GenericRecord.create(schema);
    List<Types.NestedField> columns = schema.columns();
    for (int i = 0; i < columns.size(); i++) {
      Object value = row.get(i, Object.class);
      record.set(
          i,
          value == null
              ? null
              : switch (columns.get(i).type().typeId()) {
                case DATE -> DateTimeUtil.dateFromDays((Integer) value);
                case TIMESTAMP ->
                    ((Types.TimestampType) columns.get(i).type()).shouldAdjustToUTC()
                        ? DateTimeUtil.timestamptzFromMicros((Long) value)
                        : DateTimeUtil.timestampFromMicros((Long) value);
                case STRING -> value.toString();
                default -> value;
              });
    }
    return record;
  }

  private static IntFunction<Object> reader(FieldVector vector, DataType type) {
    return switch (type.kind()) {
      case BOOLEAN -> row -> ((BitVector) vector).get(row) != 0;
      case FLOAT -> row -> ((Float4Vector) vector).get(row);
      case DOUBLE -> row -> ((Float8Vector) vector).get(row);
      case DATE -> {
        IntFunction<Object> days = IcebergArrowValues.reader(vector, type);
        yield row -> DateTimeUtil.dateFromDays((Integer) days.apply(row));
      }
      case TIMESTAMP -> {
        IntFunction<Object> micros = IcebergArrowValues.reader(vector, type);
        yield row -> DateTimeUtil.timestampFromMicros((Long) micros.apply(row));
      }
      case TIMESTAMP_LTZ -> {
        IntFunction<Object> micros = IcebergArrowValues.reader(vector, type);
        yield row -> DateTimeUtil.timestamptzFromMicros((Long) micros.apply(row));
      }
      default -> IcebergArrowValues.reader(vector, type);
    };
  }
}
