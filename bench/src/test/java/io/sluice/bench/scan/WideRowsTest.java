package io.sluice.bench.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowBodyDecoder;
import io.sluice.core.service.RowFormat;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/** The union-scan benchmark's rows and read counter say what the report says they do. */
class WideRowsTest {

  @Test
  void aBodyIsOneBatchOfTheTwentyColumnTableWithKnownIds() {
    TableDefinition table = WideRows.table(List.of());
    Map<TypeKind, Long> kinds =
        table.columns().stream()
            .collect(Collectors.groupingBy(c -> c.type().kind(), Collectors.counting()));
    assertThat(kinds)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                TypeKind.BIGINT, 6L,
                TypeKind.DOUBLE, 5L,
                TypeKind.STRING, 5L,
                TypeKind.DECIMAL, 4L));
    try (BufferAllocator allocator = new RootAllocator()) {
      long idSum = 0;
      for (long n = 0; n < 3; n++) {
        byte[] body = WideRows.arrowBody(allocator, n, 500);
        try (VectorSchemaRoot rows =
            RowBodyDecoder.decode(new RowBody(RowFormat.ARROW, body), table, allocator)) {
          assertThat(rows.getRowCount()).isEqualTo(500);
          BigIntVector id = (BigIntVector) rows.getVector("id");
          assertThat(id.get(0)).isEqualTo(n * 500);
          for (int i = 0; i < 500; i++) {
            idSum += id.get(i);
          }
          long nulls = rows.getFieldVectors().stream().mapToLong(FieldVector::getNullCount).sum();
          assertThat(nulls).as("a few nulls").isBetween(50L, 400L);
        }
      }
      assertThat(idSum).isEqualTo(WideRows.idSum(3, 500));
      assertThat(WideRows.arrowBody(allocator, 7, 100))
          .as("the same batch number builds the same bytes")
          .isEqualTo(WideRows.arrowBody(allocator, 7, 100));
    }
  }

  @Test
  void theCounterCountsReadsAndTheBytesTheyReturned() {
    CountingObjectStore store = new CountingObjectStore(new TestingObjectStore());
    store.putIfAbsent("a/b", new byte[100]);
    CountingObjectStore.Counts before = store.counts();

    store.readRange("a/b", 90, 50);
    store.readTail("a/b", 30);
    store.read("a/b");
    store.list("a/").close();

    CountingObjectStore.Counts counted = store.counts().minus(before);
    assertThat(counted).isEqualTo(new CountingObjectStore.Counts(1, 10, 1, 30, 1, 100, 1));
    assertThat(counted.reads()).isEqualTo(3);
    assertThat(counted.requests()).isEqualTo(4);
    assertThat(counted.bytes()).isEqualTo(140);
    assertThat(store.counts("a")).isEqualTo(store.counts());
    assertThat(store.counts("b")).isEqualTo(CountingObjectStore.Counts.ZERO);
  }
}
