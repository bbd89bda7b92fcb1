package io.sluice.lake.iceberg;

import io.sluice.core.table.Column;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.TableDefinition;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/** The Iceberg schema and partition spec of a Sluice table. */
final class IcebergSchemas {
  private IcebergSchemas() {}

  /**
   * The schema of a table: its columns, and the primary-key columns as identifier fields (which
   * equality deletes name).
   */
  static Schema schema(TableDefinition definition) {
    Schema columns = schema(definition.columns());
    if (!definition.hasPrimaryKey()) {
      return columns;
    }
    Set<Integer> identifiers = new LinkedHashSet<>();
    definition.primaryKey().forEach(name -> identifiers.add(columns.findField(name).fieldId()));
    return new Schema(columns.columns(), identifiers);
  }

  /** The columns in order, non-null ones required; Iceberg assigns the field ids on creation. */
  static Schema schema(List<Column> columns) {
    List<Types.NestedField> fields = new ArrayList<>();
    for (Column column : columns) {
      int id = fields.size() + 1;
      fields.add(
          column.nullable()
              ? Types.NestedField.optional(id, column.name(), IcebergTypes.type(column.type()))
              : Types.NestedField.required(id, column.name(), IcebergTypes.type(column.type())));
    }
    return new Schema(fields);
  }

  /**
   * The table's partition fields ({@code day(t)} named {@code t_day}, identity {@code region}, as
   * Sluice names them, which are Iceberg's default names), then {@code bucket(key, N)} when the
   * table has a bucket key of one non-null column that Iceberg's bucket transform takes (always so
   * when Iceberg is the bucketing format: the definition was checked); unpartitioned when neither.
   *
   * @throws IllegalArgumentException when Iceberg is the bucketing format and the key does not fit
   */
  static PartitionSpec spec(Schema schema, TableDefinition definition) {
    PartitionSpec.Builder spec = PartitionSpec.builderFor(schema);
    for (PartitionField field : definition.partitionBy()) {
      switch (field.transform()) {
        case IDENTITY -> spec.identity(field.column());
        case YEAR -> spec.year(field.column(), field.name());
        case MONTH -> spec.month(field.column(), field.name());
        case DAY -> spec.day(field.column(), field.name());
        case HOUR -> spec.hour(field.column(), field.name());
      }
    }
    Optional<Column> key = bucketColumn(definition);
    if (key.isPresent()) {
      spec.bucket(key.get().name(), definition.buckets());
    } else if (isAligned(definition) && !definition.bucketKey().isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot partition Iceberg table by bucket key "
              + definition.bucketKey()
              + ": Iceberg's bucket transform takes one non-null column of a bucketable type");
    }
    return spec.build();
  }

  /** Where the bucket field sits in the spec: after the table's partition fields. */
  static int bucketPosition(TableDefinition definition) {
    return definition.partitionBy().size();
  }

  /** Whether Iceberg's bucketing places the table's rows, so that log bucket b is partition b. */
  static boolean isAligned(TableDefinition definition) {
    return definition.bucketingFormat() == LakeFormatName.ICEBERG
        && bucketColumn(definition).isPresent();
  }

  private static Optional<Column> bucketColumn(TableDefinition definition) {
    if (definition.bucketKey().size() != 1) {
      return Optional.empty();
    }
    return definition
        .column(definition.bucketKey().get(0))
        .filter(c -> !c.nullable())
        .filter(c -> IcebergBucketFunction.BUCKETABLE.contains(c.type().kind()));
  }
}
