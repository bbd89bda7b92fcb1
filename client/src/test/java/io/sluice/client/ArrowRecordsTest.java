package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * Changelog rows become records: their change, offset and commit time, values as a writer takes.
 */
class ArrowRecordsTest {
  @Test
  void aChangelogBatchBecomesRecordsWithValuesInTheWritersTypes() {
    Schema schema =
        new Schema(
            List.of(
                field("_change_type", ArrowType.Utf8.INSTANCE),
                field("_offset", new ArrowType.Int(64, true)),
                field("_timestamp", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                field("id", new ArrowType.Int(64, true)),
                field("amount", new ArrowType.Decimal(12, 2, 128)),
                field("day", new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY)),
                field("t", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null))));
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      ((VarCharVector) root.getVector("_change_type"))
          .setSafe(0, "update_after".getBytes(StandardCharsets.UTF_8));
      ((VarCharVector) root.getVector("_change_type"))
          .setSafe(1, "delete".getBytes(StandardCharsets.UTF_8));
      ((BigIntVector) root.getVector("_offset")).setSafe(0, 41);
      ((BigIntVector) root.getVector("_offset")).setSafe(1, 42);
      ((TimeStampMicroTZVector) root.getVector("_timestamp")).setSafe(0, 1_000_001L);
      ((TimeStampMicroTZVector) root.getVector("_timestamp")).setSafe(1, 2_000_000L);
      ((BigIntVector) root.getVector("id")).setSafe(0, 7);
      ((BigIntVector) root.getVector("id")).setSafe(1, 8);
      ((DecimalVector) root.getVector("amount")).setSafe(0, new BigDecimal("12.50"));
      ((DecimalVector) root.getVector("amount")).setNull(1);
      ((DateDayVector) root.getVector("day")).setSafe(0, 1);
      ((DateDayVector) root.getVector("day")).setNull(1);
      ((TimeStampMicroVector) root.getVector("t")).setSafe(0, 1_500_000L);
      ((TimeStampMicroVector) root.getVector("t")).setNull(1);
      root.setRowCount(2);

      List<TableRecord> records =
          ArrowRecords.decode(root, Optional.of(new BucketId("d=1", 3)), 0, 2);

      assertThat(records).as("one record per row").hasSize(2);
      TableRecord update = records.get(0);
      assertThat(update.change()).isEqualTo(ChangeType.UPDATE_AFTER);
      assertThat(update.bucket()).contains(new BucketId("d=1", 3));
      assertThat(update.offset()).isEqualTo(41);
      assertThat(update.timestamp()).isEqualTo(Instant.parse("1970-01-01T00:00:01.000001Z"));
      assertThat(update.isSnapshotRow()).as("a row of the log").isFalse();
      assertThat(update.values())
          .as("the values, without the system columns")
          .containsExactly(
              org.assertj.core.api.Assertions.entry("id", 7L),
              org.assertj.core.api.Assertions.entry("amount", new BigDecimal("12.50")),
              org.assertj.core.api.Assertions.entry("day", LocalDate.of(1970, 1, 2)),
              org.assertj.core.api.Assertions.entry(
                  "t", LocalDateTime.parse("1970-01-01T00:00:01.500")));
      TableRecord delete = records.get(1);
      assertThat(delete.change()).isEqualTo(ChangeType.DELETE);
      assertThat(delete.value("amount")).as("a null stays null").isNull();
      assertThat(ArrowRecords.decode(root, Optional.empty(), 1, 2))
          .as("from the second row, as a snapshot's")
          .singleElement()
          .satisfies(r -> assertThat(r.isSnapshotRow()).isTrue())
          .satisfies(r -> assertThat(r.value("id")).isEqualTo(8L));
    }
  }

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.nullable(type), List.of());
  }
}
