package io.sluice.lake;

import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.bucket.RowPartitions;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Rows of a table partitioned by day and region, and a tiering run of them as the log splits them.
 */
public final class PartitionedRows {
  public static final List<Column> COLUMNS =
      List.of(
          new Column("id", DataType.of(TypeKind.BIGINT), false),
          new Column("t", DataType.of(TypeKind.TIMESTAMP), false),
          new Column("region", DataType.of(TypeKind.STRING), false),
          new Column("amount", DataType.of(TypeKind.BIGINT), true));

  private PartitionedRows() {}

  /** {@code count} rows over three days of November and two regions, one with a {@code /}. */
  public static List<Object[]> rows(int count) {
    List<Object[]> rows = new ArrayList<>();
    for (long id = 0; id < count; id++) {
      rows.add(
          new Object[] {
            id,
            LocalDateTime.of(2026, 11, 24 + (int) (id % 3), (int) (id % 24), 0),
            id % 2 == 0 ? "eu" : "us/east",
            id * 10
          });
    }
    return rows;
  }

  /** {@code count} rows, two a day from 2026-01-01, one in each region: a partition each. */
  public static List<Object[]> overDays(int count) {
    List<Object[]> rows = new ArrayList<>();
    for (long id = 0; id < count; id++) {
      rows.add(
          new Object[] {
            id, LocalDateTime.of(2026, 1, 1, 8, 0).plusDays(id / 2), id % 2 == 0 ? "eu" : "us", id
          });
    }
    return rows;
  }

  /**
   * Writes rows split by (partition, bucket) as the log splits them on top of {@code base}, and
   * commits them with the offsets moved on by each part's rows.
   */
  public static LakeSnapshot tier(
      BufferAllocator allocator,
      TableDefinition definition,
      LakeTable table,
      List<Object[]> rows,
      Optional<LakeSnapshot> base,
      long epoch) {
    Map<PartitionBucket, List<Object[]>> parts = new TreeMap<>();
    try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, COLUMNS, rows)) {
      RowPartitions partitions = RowPartitions.of(definition.partitionBy(), batch);
      int[] buckets = BucketFunctions.of(definition).buckets(batch);
      for (int i = 0; i < rows.size(); i++) {
        parts
            .computeIfAbsent(
                new PartitionBucket(partitions.partition(i).name(), buckets[i]),
                k -> new ArrayList<>())
            .add(rows.get(i));
      }
    }
    Map<PartitionBucket, Long> offsets =
        new HashMap<>(base.map(LakeSnapshot::offsets).orElse(Map.of()));
    try (LakeWrite write = table.newWrite(base, epoch)) {
      parts.forEach(
          (at, partRows) -> {
            try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, COLUMNS, partRows)) {
              write.write(at.partition(), at.bucket(), batch);
            }
            offsets.merge(at, (long) partRows.size(), Long::sum);
          });
      return write.commit(offsets);
    }
  }
}
