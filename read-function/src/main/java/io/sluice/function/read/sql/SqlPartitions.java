package io.sluice.function.read.sql;

import io.sluice.core.arrow.ArrowCopy;
import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.service.TableService;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.Partition;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.PartitionTransform;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * {@code orders$partitions}: the live partitions of a partitioned table, one row each, as {@code
 * GET /v1/tables/{table}/partitions} lists them. Columns:
 *
 * <ul>
 *   <li>{@code name}: the partition's name, e.g. {@code t_day=2026-11-25/region=eu};
 *   <li>one column per partition field, named as the field ({@code t_day}, {@code region}), holding
 *       its value unescaped: a time transform's value as the name writes it (a string such as
 *       {@code 2026-11-25}), an identity field's value in its column's type. A field whose name is
 *       one of this listing's own column names comes as {@code partition_<name>};
 *   <li>{@code buckets}: the partition's buckets;
 *   <li>{@code high_watermark}: the sum of its buckets' high watermarks, the rows ever written into
 *       it;
 *   <li>{@code log_rows}: the rows its log still holds (high watermark minus log start offset,
 *       summed);
 *   <li>{@code tiered_paimon}, {@code tiered_iceberg}: for each lake format of the table, the rows
 *       tiered into it (its tiered offsets, summed).
 * </ul>
 */
final class SqlPartitions {
  private static final Set<String> OWN = Set.of("name", "buckets", "high_watermark", "log_rows");

  private SqlPartitions() {}

  /** The listing's columns for a table of this definition. */
  static List<Column> columns(TableDefinition definition) {
    List<Column> columns = new ArrayList<>();
    columns.add(new Column("name", DataType.of(TypeKind.STRING), false));
    for (PartitionField field : definition.partitionBy()) {
      DataType type =
          field.transform() == PartitionTransform.IDENTITY
              ? definition.column(field.column()).orElseThrow().type()
              : DataType.of(TypeKind.STRING);
      columns.add(new Column(columnName(field.name()), type, false));
    }
    columns.add(new Column("buckets", DataType.of(TypeKind.INT), false));
    columns.add(new Column("high_watermark", DataType.of(TypeKind.BIGINT), false));
    columns.add(new Column("log_rows", DataType.of(TypeKind.BIGINT), false));
    for (LakeFormatName format : definition.lakeFormats()) {
      columns.add(new Column("tiered_" + format.apiName(), DataType.of(TypeKind.BIGINT), false));
    }
    return columns;
  }

  private static String columnName(String field) {
    return OWN.contains(field) || field.startsWith("tiered_") ? "partition_" + field : field;
  }

  /** One row per partition of the description, in name order. */
  static RowBatches rows(TableService.Description description, BufferAllocator allocator) {
    TableDefinition definition = description.table().definition();
    List<Column> columns = columns(definition);
    VectorSchemaRoot batch = VectorSchemaRoot.create(ArrowSchemas.schema(columns), allocator);
    try {
      int row = 0;
      for (Map.Entry<String, List<BucketHead>> entry : description.partitions().entrySet()) {
        String name = entry.getKey();
        int column = 0;
        ArrowValues.set(batch.getVector(column++), row, name);
        Map<String, String> values = Partition.parse(definition, name).values();
        for (PartitionField field : definition.partitionBy()) {
          ArrowValues.set(
              batch.getVector(column),
              row,
              value(columns.get(column).type().kind(), values.get(field.name())));
          column++;
        }
        long highWatermark = 0;
        long logRows = 0;
        for (BucketHead head : entry.getValue()) {
          highWatermark += head.nextOffset();
          logRows += head.nextOffset() - head.logStartOffset();
        }
        ArrowValues.set(batch.getVector(column++), row, entry.getValue().size());
        ArrowValues.set(batch.getVector(column++), row, highWatermark);
        ArrowValues.set(batch.getVector(column++), row, logRows);
        for (LakeFormatName format : definition.lakeFormats()) {
          Map<PartitionBucket, Long> state = description.tiered().get(format);
          long tiered = 0;
          for (BucketHead head : entry.getValue()) {
            tiered +=
                state == null
                    ? 0
                    : state.getOrDefault(new PartitionBucket(name, head.bucket()), 0L);
          }
          ArrowValues.set(batch.getVector(column++), row, tiered);
        }
        row++;
      }
      ArrowCopy.finish(batch, row);
    } catch (RuntimeException e) {
      batch.close();
      throw e;
    }
    return RowBatches.of(batch, batch);
  }

  /** A field's value, as the name writes it, in the listing column's type. */
  private static Object value(TypeKind type, String value) {
    return switch (type) {
      case INT -> Integer.valueOf(value);
      case BIGINT -> Long.valueOf(value);
      case DATE -> LocalDate.parse(value);
      case BOOLEAN -> Boolean.valueOf(value);
      default -> value;
    };
  }
}
