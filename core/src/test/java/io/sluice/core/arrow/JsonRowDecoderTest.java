package io.sluice.core.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JsonRowDecoderTest {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  static final TableDefinition TABLE =
      TableDefinition.builder()
          .columns(
              List.of(
                  new Column("id", DataType.of(TypeKind.BIGINT), false),
                  new Column("flag", DataType.of(TypeKind.BOOLEAN), true),
                  new Column("tiny", DataType.of(TypeKind.TINYINT), true),
                  new Column("small", DataType.of(TypeKind.SMALLINT), true),
                  new Column("num", DataType.of(TypeKind.INT), true),
                  new Column("ratio", DataType.of(TypeKind.FLOAT), true),
                  new Column("score", DataType.of(TypeKind.DOUBLE), true),
                  new Column("amount", DataType.decimal(12, 2), true),
                  new Column("name", DataType.of(TypeKind.STRING), true),
                  new Column("payload", DataType.of(TypeKind.BINARY), true),
                  new Column("day", DataType.of(TypeKind.DATE), true),
                  new Column("t", DataType.of(TypeKind.TIMESTAMP), true),
                  new Column("at", DataType.of(TypeKind.TIMESTAMP_LTZ), true)))
          .build("Cannot create table test");

  private final RootAllocator allocator = new RootAllocator();
  private final JsonRowDecoder decoder = new JsonRowDecoder(TABLE, Set.of("_op"));

  @AfterEach
  void noLeaks() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void decodesEveryType() throws Exception {
    String body =
        """
        [{"id": 1, "flag": true, "tiny": -128, "small": 32767, "num": -2147483648,
          "ratio": 1.5, "score": 2.25, "amount": "1234567890.12", "name": "zoë",
          "payload": "AAEC/w==", "day": "2026-11-25", "t": "2026-11-25T08:00:00.123456",
          "at": "2026-11-25T08:00:00.123456Z", "_op": "upsert"},
         {"id": 9223372036854775807, "flag": false, "tiny": 127, "small": -32768,
          "num": 2147483647, "ratio": -3, "score": 1e300, "amount": -0.05, "name": "",
          "payload": "", "day": "1969-12-31", "t": "2026-11-25T09:00:00.000001+01:00",
          "at": "2026-11-25T10:30:00-02:00"},
         {"id": -9223372036854775808, "amount": 7, "name": null}]
        """;
    try (VectorSchemaRoot root = decoder.decode(rows(body), allocator)) {
      assertThat(root.getSchema()).isEqualTo(ArrowSchemas.schema(TABLE));
      assertThat(root.getRowCount()).isEqualTo(3);

      BigIntVector id = (BigIntVector) root.getVector("id");
      assertThat(List.of(id.get(0), id.get(1), id.get(2)))
          .containsExactly(1L, Long.MAX_VALUE, Long.MIN_VALUE);
      BitVector flag = (BitVector) root.getVector("flag");
      assertThat(flag.get(0)).isEqualTo(1);
      assertThat(flag.get(1)).isZero();
      assertThat(flag.isNull(2)).isTrue();
      assertThat(((TinyIntVector) root.getVector("tiny")).get(0)).isEqualTo((byte) -128);
      assertThat(((TinyIntVector) root.getVector("tiny")).get(1)).isEqualTo((byte) 127);
      assertThat(((SmallIntVector) root.getVector("small")).get(0)).isEqualTo((short) 32767);
      assertThat(((SmallIntVector) root.getVector("small")).get(1)).isEqualTo((short) -32768);
      assertThat(((IntVector) root.getVector("num")).get(0)).isEqualTo(Integer.MIN_VALUE);
      assertThat(((IntVector) root.getVector("num")).get(1)).isEqualTo(Integer.MAX_VALUE);
      assertThat(((Float4Vector) root.getVector("ratio")).get(0)).isEqualTo(1.5f);
      assertThat(((Float4Vector) root.getVector("ratio")).get(1)).isEqualTo(-3f);
      assertThat(((Float8Vector) root.getVector("score")).get(0)).isEqualTo(2.25);
      assertThat(((Float8Vector) root.getVector("score")).get(1)).isEqualTo(1e300);

      DecimalVector amount = (DecimalVector) root.getVector("amount");
      assertThat(amount.getObject(0)).isEqualTo(new BigDecimal("1234567890.12"));
      assertThat(amount.getObject(1)).isEqualTo(new BigDecimal("-0.05"));
      assertThat(amount.getObject(2)).isEqualTo(new BigDecimal("7.00"));

      VarCharVector name = (VarCharVector) root.getVector("name");
      assertThat(new String(name.get(0), StandardCharsets.UTF_8)).isEqualTo("zoë");
      assertThat(name.get(1)).isEmpty();
      assertThat(name.isNull(2)).isTrue();
      VarBinaryVector payload = (VarBinaryVector) root.getVector("payload");
      assertThat(payload.get(0)).containsExactly(0, 1, 2, 255);
      assertThat(payload.get(1)).isEmpty();
      assertThat(payload.isNull(2)).isTrue();

      DateDayVector day = (DateDayVector) root.getVector("day");
      assertThat(day.get(0)).isEqualTo((int) LocalDate.of(2026, 11, 25).toEpochDay());
      assertThat(day.get(1)).isEqualTo(-1);

      TimeStampMicroVector t = (TimeStampMicroVector) root.getVector("t");
      long eightAm = micros(LocalDateTime.of(2026, 11, 25, 8, 0).toInstant(ZoneOffset.UTC));
      assertThat(t.get(0)).isEqualTo(eightAm + 123_456);
      assertThat(t.get(1)).isEqualTo(eightAm + 1);
      assertThat(t.getObject(0)).isEqualTo(LocalDateTime.parse("2026-11-25T08:00:00.123456"));
      TimeStampMicroTZVector at = (TimeStampMicroTZVector) root.getVector("at");
      assertThat(at.get(0)).isEqualTo(eightAm + 123_456);
      assertThat(at.get(1)).isEqualTo(micros(Instant.parse("2026-11-25T12:30:00Z")));
      for (String column : List.of("tiny", "small", "num", "ratio", "score", "day", "t", "at")) {
        assertThat(root.getVector(column).isNull(2)).as(column).isTrue();
      }
    }
  }

  @Test
  void decodesNdjsonLinesFromAnIterator() throws Exception {
    String ndjson = "{\"id\": 1}\n{\"id\": 2, \"num\": 5.0}\n{\"id\": 3}\n";
    Iterator<JsonNode> lines = MAPPER.readerFor(JsonNode.class).readValues(ndjson);
    try (VectorSchemaRoot root = decoder.decode(lines, allocator)) {
      assertThat(root.getRowCount()).isEqualTo(3);
      assertThat(((BigIntVector) root.getVector("id")).get(2)).isEqualTo(3L);
      assertThat(((IntVector) root.getVector("num")).get(1)).isEqualTo(5);
      assertThat(root.getVector("num").isNull(0)).isTrue();
    }
  }

  @Test
  void decodesManyRowsBeyondTheInitialCapacity() throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      rows.add(MAPPER.readTree("{\"id\": %d, \"name\": \"n%d\"}".formatted(i, i)));
    }
    try (VectorSchemaRoot root = decoder.decode(rows.iterator(), allocator)) {
      assertThat(root.getRowCount()).isEqualTo(5000);
      assertThat(
              new String(
                  ((VarCharVector) root.getVector("name")).get(4999), StandardCharsets.UTF_8))
          .isEqualTo("n4999");
    }
  }

  @Test
  void decodesAnEmptyBody() throws Exception {
    try (VectorSchemaRoot root = decoder.decode(rows("[]"), allocator)) {
      assertThat(root.getRowCount()).isZero();
    }
  }

  @Test
  void refusesAValueOfTheWrongType() {
    assertMismatch(
        "[{\"id\": 1}, {\"id\": 2}, {\"id\": 3, \"amount\": \"abc\"}]",
        3,
        "amount",
        "row 3: column amount: expected decimal(12,2), got \"abc\"");
    assertMismatch("[{\"id\": \"1\"}]", 1, "id", "row 1: column id: expected bigint, got \"1\"");
    assertMismatch(
        "[{\"id\": 1, \"flag\": 1}]", 1, "flag", "row 1: column flag: expected boolean, got 1");
    assertMismatch(
        "[{\"id\": 1, \"name\": 5}]", 1, "name", "row 1: column name: expected string, got 5");
    assertMismatch(
        "[{\"id\": 1, \"score\": \"1.5\"}]",
        1,
        "score",
        "row 1: column score: expected double, got \"1.5\"");
    assertMismatch(
        "[{\"id\": 1, \"payload\": \"not base64!\"}]",
        1,
        "payload",
        "row 1: column payload: expected binary, got \"not base64!\" (not base64)");
  }

  @Test
  void refusesIntegersOutOfRangeOrNotWhole() {
    assertMismatch(
        "[{\"id\": 1, \"tiny\": 128}]",
        1,
        "tiny",
        "row 1: column tiny: expected tinyint, got 128 (out of range -128 to 127)");
    assertMismatch(
        "[{\"id\": 1, \"small\": -32769}]",
        1,
        "small",
        "row 1: column small: expected smallint, got -32769 (out of range -32768 to 32767)");
    assertMismatch(
        "[{\"id\": 1, \"num\": 2147483648}]",
        1,
        "num",
        "row 1: column num: expected int, got 2147483648 (out of range -2147483648 to 2147483647)");
    assertMismatch(
        "[{\"id\": 9223372036854775808}]",
        1,
        "id",
        "row 1: column id: expected bigint, got 9223372036854775808"
            + " (out of range -9223372036854775808 to 9223372036854775807)");
    assertMismatch(
        "[{\"id\": 1, \"num\": 1.5}]",
        1,
        "num",
        "row 1: column num: expected int, got 1.5 (not a whole number)");
    assertMismatch(
        "[{\"id\": 1e999999999}]",
        1,
        "id",
        "row 1: column id: expected bigint, got 1E+999999999"
            + " (out of range -9223372036854775808 to 9223372036854775807)");
  }

  @Test
  void refusesDecimalsThatWouldBeRounded() {
    assertMismatch(
        "[{\"id\": 1, \"amount\": \"12.345\"}]",
        1,
        "amount",
        "row 1: column amount: expected decimal(12,2), got \"12.345\" (more than 2 digits after the point)");
    assertMismatch(
        "[{\"id\": 1, \"amount\": 0.001}]",
        1,
        "amount",
        "row 1: column amount: expected decimal(12,2), got 0.001 (more than 2 digits after the point)");
    assertMismatch(
        "[{\"id\": 1, \"amount\": \"12345678901\"}]",
        1,
        "amount",
        "row 1: column amount: expected decimal(12,2), got \"12345678901\" (more than 10 digits before the point)");
  }

  @Test
  void acceptsDecimalsWithTrailingZerosAndExponents() throws Exception {
    try (VectorSchemaRoot root =
        decoder.decode(
            rows(
                "[{\"id\": 1, \"amount\": \"1.5000\"}, {\"id\": 2, \"amount\": \"1e3\"},"
                    + " {\"id\": 3, \"amount\": \"0e99999\"}, {\"id\": 4, \"amount\": 9999999999.99}]"),
            allocator)) {
      DecimalVector amount = (DecimalVector) root.getVector("amount");
      assertThat(amount.getObject(0)).isEqualTo(new BigDecimal("1.50"));
      assertThat(amount.getObject(1)).isEqualTo(new BigDecimal("1000.00"));
      assertThat(amount.getObject(2)).isEqualTo(new BigDecimal("0.00"));
      assertThat(amount.getObject(3)).isEqualTo(new BigDecimal("9999999999.99"));
    }
  }

  @Test
  void refusesNullsInANonNullColumn() {
    assertMismatch(
        "[{\"id\": 1}, {\"id\": null}]",
        2,
        "id",
        "row 2: column id: expected bigint, got null (the column is not nullable)");
    assertMismatch(
        "[{\"id\": 1}, {\"name\": \"x\"}]",
        2,
        "id",
        "row 2: column id: expected bigint, got no value (the column is not nullable)");
  }

  @Test
  void refusesUnknownColumnsButIgnoresReservedFields() throws Exception {
    assertMismatch(
        "[{\"id\": 1, \"colour\": \"red\"}]",
        1,
        "colour",
        "row 1: column colour: not a column of the table");
    assertMismatch(
        "[{\"id\": 1, \"_other\": 1}]",
        1,
        "_other",
        "row 1: column _other: not a column of the table");
    try (VectorSchemaRoot root =
        decoder.decode(rows("[{\"id\": 1, \"_op\": \"delete\"}]"), allocator)) {
      assertThat(root.getRowCount()).isEqualTo(1);
    }
    assertThatThrownBy(() -> new JsonRowDecoder(TABLE, Set.of("op")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot reserve field op: reserved fields start with _");
  }

  @Test
  void refusesARowThatIsNotAnObject() {
    assertMismatch(
        "[{\"id\": 1}, {\"id\": 2}, {\"id\": 3}, [1, 2]]",
        4,
        null,
        "row 4: expected a JSON object, got [1,2]");
    assertMismatch("[{\"id\": 1}, \"x\"]", 2, null, "row 2: expected a JSON object, got \"x\"");
  }

  @Test
  void refusesBadDates() {
    assertMismatch(
        "[{\"id\": 1, \"day\": \"2026-02-30\"}]",
        1,
        "day",
        "row 1: column day: expected date, got \"2026-02-30\"");
    assertMismatch(
        "[{\"id\": 1, \"day\": \"25.11.2026\"}]",
        1,
        "day",
        "row 1: column day: expected date, got \"25.11.2026\"");
    assertMismatch(
        "[{\"id\": 1, \"day\": 20261125}]",
        1,
        "day",
        "row 1: column day: expected date, got 20261125");
  }

  @Test
  void refusesBadTimestamps() {
    assertMismatch(
        "[{\"id\": 1, \"t\": \"2026-11-25T08:00:00.1234567\"}]",
        1,
        "t",
        "row 1: column t: expected timestamp, got \"2026-11-25T08:00:00.1234567\" (more precise than microseconds)");
    assertMismatch(
        "[{\"id\": 1, \"t\": \"2026-11-25 08:00\"}]",
        1,
        "t",
        "row 1: column t: expected timestamp, got \"2026-11-25 08:00\"");
    assertMismatch(
        "[{\"id\": 1, \"at\": \"2026-11-25T08:00:00\"}]",
        1,
        "at",
        "row 1: column at: expected timestamp_ltz, got \"2026-11-25T08:00:00\" (an instant needs Z or an offset)");
    assertMismatch(
        "[{\"id\": 1, \"at\": 1764057600}]",
        1,
        "at",
        "row 1: column at: expected timestamp_ltz, got 1764057600");
  }

  @Test
  void truncatesLongValuesInMessages() {
    String longText = "x".repeat(300);
    SchemaMismatchException e = decodeFailure("[{\"id\": 1, \"num\": \"" + longText + "\"}]");
    assertThat(e.getMessage())
        .isEqualTo("row 1: column num: expected int, got \"" + "x".repeat(99) + "...");
  }

  @Test
  void leavesNothingAllocatedWhenALateRowFails() throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      rows.add(MAPPER.readTree("{\"id\": %d, \"name\": \"%s\"}".formatted(i, "n".repeat(50))));
    }
    rows.add(MAPPER.readTree("{\"id\": \"last\"}"));
    assertThatThrownBy(() -> decoder.decode(rows, allocator))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessage("row 3001: column id: expected bigint, got \"last\"");
    assertThat(allocator.getAllocatedMemory()).isZero();
  }

  private void assertMismatch(String body, int row, String column, String message) {
    SchemaMismatchException e = decodeFailure(body);
    assertThat(e).hasMessage(message);
    assertThat(e.row()).isEqualTo(row);
    assertThat(e.column()).isEqualTo(column);
    assertThat(allocator.getAllocatedMemory()).isZero();
  }

  private SchemaMismatchException decodeFailure(String body) {
    List<JsonNode> rows = rows(body);
    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> decoder.decode(rows, allocator).close());
    assertThat(thrown).isInstanceOf(SchemaMismatchException.class);
    return (SchemaMismatchException) thrown;
  }

  private static List<JsonNode> rows(String json) {
    try {
      List<JsonNode> rows = new ArrayList<>();
      MAPPER.readTree(json).forEach(rows::add);
      return rows;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long micros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
  }
}
