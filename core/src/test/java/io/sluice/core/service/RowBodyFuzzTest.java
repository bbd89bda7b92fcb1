package io.sluice.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Coverage-guided fuzzing of the write path's body decoders (JSON, NDJSON, Arrow IPC; a log table
 * and a primary-key table): whatever the bytes, the answer is rows or a caller error (400 with an
 * API code), never another exception, an allocation the body does not allow, or a leak.
 *
 * <p>{@code ./mvnw verify} fuzzes it for 20 s (core's surefire execution {@code fuzz-row-bodies});
 * {@code tools/fuzz.sh} runs the campaign. Inputs that found a defect are kept under {@code
 * src/test/resources/io/sluice/core/service/RowBodyFuzzTestInputs/} and replayed by every run.
 */
class RowBodyFuzzTest {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", DataType.of(TypeKind.BIGINT), false),
          new Column("name", DataType.of(TypeKind.STRING), true),
          new Column("amount", DataType.decimal(12, 2), true),
          new Column("ok", DataType.of(TypeKind.BOOLEAN), true),
          new Column("raw", DataType.of(TypeKind.BINARY), true),
          new Column("day", DataType.of(TypeKind.DATE), true),
          new Column("t", DataType.of(TypeKind.TIMESTAMP), true));
  private static final TableDefinition LOG_TABLE =
      TableDefinition.builder().columns(COLUMNS).buckets(2).build("Cannot create table t");
  private static final TableDefinition KEYED_TABLE =
      TableDefinition.builder()
          .columns(COLUMNS)
          .primaryKey(List.of("id"))
          .buckets(2)
          .build("Cannot create table k");
  private static final long ALLOCATION_LIMIT = 64L << 20;

  @FuzzTest(maxDuration = "20s")
  void aBodyDecodesToRowsOrACallerError(FuzzedDataProvider data) {
    RowFormat format = data.pickValue(RowFormat.values());
    TableDefinition table = data.consumeBoolean() ? KEYED_TABLE : LOG_TABLE;
    byte[] bytes = data.consumeRemainingAsBytes();
    try (BufferAllocator allocator = new RootAllocator(ALLOCATION_LIMIT)) {
      try (VectorSchemaRoot rows =
          RowBodyDecoder.decode(new RowBody(format, bytes), table, allocator)) {
        assertThat(rows.getRowCount()).isNotNegative();
      } catch (MalformedBodyException | SchemaMismatchException | RequestTooLargeException e) {
        assertThat(e.getMessage()).as("a caller error says what is wrong").isNotBlank();
      }
      assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
    }
  }
}
