package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.client.RowLayout.PreparedRow;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.Test;

/** Java values of every API type become the Arrow types the server expects, or a clear error. */
class BatchEncoderTest {
  private static final Map<String, String> TYPES = new LinkedHashMap<>();

  static {
    TYPES.put("id", "bigint");
    TYPES.put("c_boolean", "boolean");
    TYPES.put("c_tinyint", "tinyint");
    TYPES.put("c_smallint", "smallint");
    TYPES.put("c_int", "int");
    TYPES.put("c_float", "float");
    TYPES.put("c_double", "double");
    TYPES.put("c_dec", "decimal(12,2)");
    TYPES.put("c_string", "string");
    TYPES.put("c_binary", "binary");
    TYPES.put("c_date", "date");
    TYPES.put("c_ts", "timestamp");
    TYPES.put("c_ts_ltz", "TIMESTAMP_LTZ");
  }

  private static TableDescription table(List<String> primaryKey) {
    List<Column> columns = new ArrayList<>();
    TYPES.forEach((name, type) -> columns.add(new Column(name, type, !name.equals("id"))));
    return new TableDescription(
        "default.all_types",
        "id",
        columns,
        primaryKey,
        List.of(),
        List.of(),
        4,
        List.of(),
        List.of(),
        new ObjectMapper().createObjectNode());
  }

  @Test
  void everyTypeIsEncodedAsTheServersArrowType() throws Exception {
    RowLayout layout = new RowLayout(table(List.of()));
    Map<String, Object> full = new HashMap<>();
    full.put("id", 7L);
    full.put("c_boolean", true);
    full.put("c_tinyint", (byte) -3);
    full.put("c_smallint", (short) 300);
    full.put("c_int", 70_000);
    full.put("c_float", 1.5f);
    full.put("c_double", 2.25d);
    full.put("c_dec", new BigDecimal("12.5"));
    full.put("c_string", "héllo");
    full.put("c_binary", new byte[] {1, 2, 3});
    full.put("c_date", LocalDate.of(2026, 11, 25));
    full.put("c_ts", LocalDateTime.of(2026, 11, 25, 8, 0, 0, 1_000));
    full.put("c_ts_ltz", Instant.parse("2026-11-25T08:00:00.000001Z"));
    List<PreparedRow> rows = List.of(layout.prepare(full), layout.prepare(Map.of("id", 8)));

    try (BufferAllocator allocator = new RootAllocator()) {
      byte[] body = new BatchEncoder(layout, allocator).encode(rows, rows.get(0).given());
      try (ArrowStreamReader reader =
          new ArrowStreamReader(new ByteArrayInputStream(body), allocator)) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        assertThat(reader.loadNextBatch()).isTrue();
        assertThat(root.getSchema().toString())
            .isEqualTo(
                "Schema<id: Int(64, true), c_boolean: Bool, c_tinyint: Int(8, true), c_smallint:"
                    + " Int(16, true), c_int: Int(32, true), c_float: FloatingPoint(SINGLE),"
                    + " c_double: FloatingPoint(DOUBLE), c_dec: Decimal(12, 2, 128), c_string:"
                    + " Utf8, c_binary: Binary, c_date: Date(DAY), c_ts: Timestamp(MICROSECOND,"
                    + " null), c_ts_ltz: Timestamp(MICROSECOND, UTC)>");
        assertThat(root.getRowCount()).isEqualTo(2);
        assertThat(root.getVector("id").getObject(1)).isEqualTo(8L);
        assertThat(root.getVector("c_tinyint").getObject(0)).isEqualTo((byte) -3);
        assertThat(root.getVector("c_dec").getObject(0)).isEqualTo(new BigDecimal("12.50"));
        assertThat(root.getVector("c_string").getObject(0).toString()).isEqualTo("héllo");
        assertThat((byte[]) root.getVector("c_binary").getObject(0)).containsExactly(1, 2, 3);
        assertThat(root.getVector("c_date").getObject(0))
            .isEqualTo((int) LocalDate.of(2026, 11, 25).toEpochDay());
        assertThat(root.getVector("c_ts").getObject(0))
            .isEqualTo(LocalDateTime.of(2026, 11, 25, 8, 0, 0, 1_000));
        assertThat(root.getVector("c_ts_ltz").getObject(0))
            .isEqualTo(Instant.parse("2026-11-25T08:00:00.000001Z").toEpochMilli() * 1000 + 1);
        assertThat(root.getVector("c_string").isNull(1)).isTrue();
        assertThat(reader.loadNextBatch()).isFalse();
      }
    }
  }

  @Test
  void aPrimaryKeyTableSendsOnlyTheGivenColumnsAndTheOp() throws Exception {
    RowLayout layout = new RowLayout(table(List.of("id")));
    List<PreparedRow> rows =
        List.of(
            layout.prepare(Map.of("id", 1L, "c_string", "a")),
            layout.prepare(Map.of("id", 2L, "_op", "delete")));
    try (BufferAllocator allocator = new RootAllocator()) {
      byte[] body = new BatchEncoder(layout, allocator).encode(rows, rows.get(0).given());
      try (ArrowStreamReader reader =
          new ArrowStreamReader(new ByteArrayInputStream(body), allocator)) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        reader.loadNextBatch();
        assertThat(root.getSchema().getFields())
            .extracting(f -> f.getName())
            .containsExactly("id", "c_string", "_op");
        assertThat(root.getVector("_op").isNull(0)).isTrue();
        assertThat(root.getVector("_op").getObject(1).toString()).isEqualTo("delete");
      }
    }
    assertThatThrownBy(() -> layout.prepare(Map.of("c_string", "no key")))
        .hasMessage("Cannot write column id: expected bigint (not nullable), got no value");
    assertThatThrownBy(() -> layout.prepare(Map.of("id", 1L, "_op", "remove")))
        .hasMessageContaining("expected \"upsert\" or \"delete\", got remove");
  }

  @Test
  void valuesOfTheWrongTypeOrRangeNameTheColumn() {
    RowLayout layout = new RowLayout(table(List.of()));
    assertThatThrownBy(() -> layout.prepare(Map.of("id", 1L, "c_dec", "12.50")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot write column c_dec: expected decimal(12,2) (BigDecimal, BigInteger, Long,"
                + " Integer), got String 12.50");
    assertThatThrownBy(() -> layout.prepare(Map.of("id", 1L, "c_dec", new BigDecimal("1.234"))))
        .hasMessage(
            "Cannot write column c_dec: 1.234 has more than 2 decimal places for decimal(12,2)");
    assertThatThrownBy(
            () -> layout.prepare(Map.of("id", 1L, "c_dec", new BigDecimal("12345678901.5"))))
        .hasMessage(
            "Cannot write column c_dec: 12345678901.5 has more than 12 digits for decimal(12,2)");
    assertThatThrownBy(() -> layout.prepare(Map.of("id", 1L, "c_tinyint", 200)))
        .hasMessage("Cannot write column c_tinyint: 200 is out of the range of tinyint");
    assertThatThrownBy(() -> layout.prepare(Map.of("id", 1L, "c_date", "2026-11-25")))
        .hasMessageStartingWith(
            "Cannot write column c_date: expected date (LocalDate), got String");
    assertThatThrownBy(() -> layout.prepare(Map.of("id", 1L, "c_float", 1.5d)))
        .hasMessageStartingWith("Cannot write column c_float: expected float (Float), got Double");
    Map<String, Object> nullId = new HashMap<>();
    nullId.put("id", null);
    assertThatThrownBy(() -> layout.prepare(nullId))
        .hasMessage("Cannot write column id: expected bigint (not nullable), got null");
  }
}
