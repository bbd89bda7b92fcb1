package io.sluice.lake.iceberg;

import io.sluice.core.table.Column;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.Partition;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.PartitionTransform;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
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

  /**
   * The rows of one partition (a name as {@link Partition#name()} writes it), by their source
   * columns: for a time field the range of its period ({@code t >= 2026-11-25T00:00 AND t <
   * 2026-11-26T00:00} for {@code t_day=2026-11-25}), for an identity field the value. Each bound
   * falls on a boundary of the field's transform, so every data file of the partition matches it
   * whole, and no file of another partition does.
   */
  static Expression partitionRows(TableDefinition definition, String name) {
    Partition partition = Partition.parse(definition, name);
    Expression rows = Expressions.alwaysTrue();
    for (PartitionField field : definition.partitionBy()) {
      String value = partition.values().get(field.name());
      TypeKind type = definition.column(field.column()).orElseThrow().type().kind();
      PartitionTransform transform = field.transform();
      if (transform.isTimeTransform()) {
        long period = transform.parseHumanString(type, value);
        Object start = timeLiteral(type, transform.start(period));
        Object end = timeLiteral(type, transform.end(period));
        rows =
            Expressions.and(
                rows,
                Expressions.and(
                    Expressions.greaterThanOrEqual(field.column(), start),
                    Expressions.lessThan(field.column(), end)));
      } else {
        Object literal =
            switch (type) {
              case STRING -> value;
              case INT -> Integer.parseInt(value);
              case BIGINT -> Long.parseLong(value);
              case BOOLEAN -> Boolean.parseBoolean(value);
              case DATE -> Math.toIntExact(transform.parseHumanString(type, value));
              default ->
                  throw new IllegalArgumentException(
                      "Cannot filter on partition field " + field + " of type " + type.apiName());
            };
        rows = Expressions.and(rows, Expressions.equal(field.column(), literal));
      }
    }
    return rows;
  }

  /** An instant as a literal of a time column: days for {@code date}, else microseconds. */
  private static Object timeLiteral(TypeKind type, Instant instant) {
    return type == TypeKind.DATE
        ? Math.toIntExact(Math.floorDiv(instant.getEpochSecond(), 86_400L))
        : Math.addExact(
            Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
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
