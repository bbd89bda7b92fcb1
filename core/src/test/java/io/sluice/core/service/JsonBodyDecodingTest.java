package io.sluice.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** JSON and NDJSON bodies read straight off the parser: what is refused, and what is exact. */
class JsonBodyDecodingTest {
  private static final TableDefinition TABLE =
      TableDefinition.builder()
          .columns(
              List.of(
                  new Column("id", DataType.of(TypeKind.BIGINT), false),
                  new Column("amount", DataType.decimal(12, 2), true),
                  new Column("at", DataType.of(TypeKind.TIMESTAMP_LTZ), true)))
          .build("Cannot create table t");

  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
    allocator.close();
  }

  private VectorSchemaRoot decode(RowFormat format, String body) {
    return RowBodyDecoder.decode(
        new RowBody(format, body.getBytes(StandardCharsets.UTF_8)), TABLE, allocator);
  }

  @Test
  void takesADecimalWrittenAsANumberExactlyAsWritten() {
    try (VectorSchemaRoot rows =
        decode(RowFormat.JSON, "[{\"id\": 1, \"amount\": 0.1}, {\"id\": 2, \"amount\": 1e2}]")) {
      DecimalVector amount = (DecimalVector) rows.getVector("amount");
      assertThat(amount.getObject(0)).isEqualTo(new BigDecimal("0.10"));
      assertThat(amount.getObject(1)).isEqualTo(new BigDecimal("100.00"));
    }
  }

  @Test
  void readsEveryFormOfADecimalAsBigDecimalWouldAndRefusesWhatDoesNotFit() {
    List<String> texts =
        List.of(
            "0",
            "-0",
            "7",
            "-0.5",
            "+1.25",
            ".5",
            "5.",
            "0012.30",
            "12.500",
            "1e2",
            "-1.2E1",
            "9999999999.99",
            "-9999999999.99",
            "0.10",
            "00000000000000000000012.3");
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < texts.size(); i++) {
      body.append(i == 0 ? "" : ", ")
          .append("{\"id\": ")
          .append(i)
          .append(", \"amount\": \"")
          .append(texts.get(i))
          .append("\"}, {\"id\": ")
          .append(i)
          .append(", \"amount\": ")
          .append(
              texts.get(i).startsWith("+")
                      || texts.get(i).startsWith(".")
                      || texts.get(i).endsWith(".")
                      || texts.get(i).startsWith("00")
                  ? "\"" + texts.get(i) + "\""
                  : texts.get(i))
          .append("}");
    }
    try (VectorSchemaRoot rows = decode(RowFormat.JSON, body.append("]").toString())) {
      DecimalVector amount = (DecimalVector) rows.getVector("amount");
      for (int i = 0; i < texts.size(); i++) {
        BigDecimal expected = new BigDecimal(texts.get(i)).setScale(2);
        assertThat(amount.getObject(2 * i))
            .as("\"%s\" as a string", texts.get(i))
            .isEqualTo(expected);
        assertThat(amount.getObject(2 * i + 1))
            .as("%s as a number", texts.get(i))
            .isEqualTo(expected);
      }
    }
    for (String bad : List.of("10000000000.00", "0.001", "1.2.3", "--1", ".", "-", "1 2", "0x10")) {
      assertThatThrownBy(
              () -> decode(RowFormat.JSON, "[{\"id\": 1, \"amount\": \"" + bad + "\"}]").close())
          .as(bad)
          .isInstanceOf(io.sluice.core.arrow.SchemaMismatchException.class)
          .hasMessageContaining("row 1")
          .hasMessageContaining("amount");
    }
  }

  @Test
  void readsTimestampsInEveryIsoFormTheSameWay() {
    try (VectorSchemaRoot rows =
        decode(
            RowFormat.NDJSON,
            """
            {"id": 1, "at": "2026-11-25T08:00:00Z"}
            {"id": 2, "at": "2026-11-25T09:00:00.000+01:00"}
            {"id": 3, "at": "2026-11-25t08:00Z"}
            {"id": 4, "at": "2026-11-25T08:00:00.000000000Z"}
            """)) {
      TimeStampMicroTZVector at = (TimeStampMicroTZVector) rows.getVector("at");
      for (int row = 1; row < 4; row++) {
        assertThat(at.get(row)).as("row %d", row + 1).isEqualTo(at.get(0));
      }
    }
  }

  @Test
  void refusesWhatFollowsTheArrayOrARowOnItsLine() {
    assertThatThrownBy(() -> decode(RowFormat.JSON, "[{\"id\": 1}] [{\"id\": 2}]"))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageContaining("content after the array at line 1");
    assertThatThrownBy(() -> decode(RowFormat.JSON, "[{\"id\": 1}, "))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageContaining("Cannot parse the JSON body");
    assertThatThrownBy(() -> decode(RowFormat.NDJSON, "{\"id\": 1}\n{\"id\": 2} {\"id\": 3}\n"))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessage("Cannot parse the NDJSON body: line 2: content after the row");
    assertThatThrownBy(() -> decode(RowFormat.NDJSON, "{\"id\": 1}\n\n{\"id\": 2}\n"))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessage("Cannot parse the NDJSON body: line 2 is empty");
    assertThatThrownBy(() -> decode(RowFormat.NDJSON, "{\"id\": 1}\n{\"id\": \n"))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageStartingWith("Cannot parse the NDJSON body: line 2: ");
  }

  @Test
  void acceptsCarriageReturnsAndOneTrailingNewline() {
    try (VectorSchemaRoot rows = decode(RowFormat.NDJSON, "{\"id\": 1}\r\n{\"id\": 2}\r\n")) {
      assertThat(rows.getRowCount()).isEqualTo(2);
    }
  }
}
