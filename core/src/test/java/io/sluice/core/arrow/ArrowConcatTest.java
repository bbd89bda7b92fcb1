package io.sluice.core.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TypeKind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

class ArrowConcatTest {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", DataType.of(TypeKind.BIGINT), false),
          new Column("s", DataType.of(TypeKind.STRING), true),
          new Column("b", DataType.of(TypeKind.BINARY), true),
          new Column("ok", DataType.of(TypeKind.BOOLEAN), true),
          new Column("d", DataType.decimal(12, 2), true));

  @Test
  void everyRowOfEveryPartInOrderWithItsNulls() {
    List<List<Object[]>> parts =
        List.of(
            rows(0, 3),
            List.of(), // an empty part in between
            rows(3, 7), // odd counts: validity bits that do not start on a byte
            rows(10, 1),
            rows(11, 13));
    try (BufferAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> batches = new ArrayList<>();
      try {
        for (List<Object[]> part : parts) {
          batches.add(ArrowTestBatches.of(allocator, COLUMNS, part));
        }
        try (VectorSchemaRoot all = ArrowConcat.concat(batches, allocator)) {
          List<Object[]> expected = rows(0, 24);
          assertThat(all.getRowCount()).isEqualTo(expected.size());
          for (int r = 0; r < expected.size(); r++) {
            Object[] row = expected.get(r);
            assertThat(all.getVector("id").getObject(r)).as("row %d", r).isEqualTo(row[0]);
            Object s = all.getVector("s").getObject(r);
            assertThat(s == null ? null : s.toString()).as("row %d", r).isEqualTo(row[1]);
            assertThat((byte[]) all.getVector("b").getObject(r)).as("row %d", r).isEqualTo(row[2]);
            assertThat(all.getVector("ok").getObject(r)).as("row %d", r).isEqualTo(row[3]);
            assertThat(all.getVector("d").getObject(r)).as("row %d", r).isEqualTo(row[4]);
          }
        }
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }
    }
  }

  /** Rows {@code first..first+count-1}: every third string null, some empty, every fifth binary. */
  private static List<Object[]> rows(int first, int count) {
    List<Object[]> rows = new ArrayList<>();
    for (int id = first; id < first + count; id++) {
      String s = id % 3 == 0 ? null : id % 4 == 0 ? "" : "value-" + "x".repeat(id);
      byte[] b = id % 5 == 0 ? null : new byte[] {(byte) id, (byte) (id * 7)};
      Boolean ok = id % 2 == 0 ? null : id % 3 == 1;
      BigDecimal d = id % 6 == 0 ? null : BigDecimal.valueOf(id * 101L, 2);
      rows.add(new Object[] {(long) id, s, b, ok, d});
    }
    return rows;
  }
}
