package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.client.Column;
import io.sluice.client.TableDescription;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files {@code sluice write} reads, typed for the table and with the place of a bad row. */
class RowSourceTest {
  private static final TableDescription TABLE =
      new TableDescription(
          "default.orders",
          "id",
          List.of(
              new Column("order_id", "bigint", false),
              new Column("customer", "string", true),
              new Column("amount", "decimal(12,2)", true),
              new Column("t", "timestamp", true),
              new Column("day", "date", true),
              new Column("seen", "timestamp_ltz", true),
              new Column("ok", "boolean", true)),
          List.of(),
          List.of("order_id"),
          List.of(),
          4,
          List.of(),
          List.of(),
          null);

  @TempDir Path dir;

  @Test
  void csvValuesAreTypedForTheirColumnsAndAnEmptyFieldIsNull() throws IOException {
    Path file =
        write(
            "a.csv",
            "order_id,customer,amount,t,day,seen,ok\n"
                + "1,\"ada, the first\",12.50,2026-11-25 08:00:00.000001,2026-11-25,"
                + "2026-11-25T08:00:00Z,true\n"
                + "2,,,,,,\n");
    List<Map<String, Object>> rows = readAll(file, RowSource.Format.csv);
    assertThat(rows.get(0))
        .containsEntry("order_id", 1L)
        .containsEntry("customer", "ada, the first")
        .containsEntry("amount", new BigDecimal("12.50"))
        .containsEntry("t", LocalDateTime.parse("2026-11-25T08:00:00.000001"))
        .containsEntry("day", LocalDate.parse("2026-11-25"))
        .containsEntry("seen", Instant.parse("2026-11-25T08:00:00Z"))
        .containsEntry("ok", true);
    assertThat(rows.get(1)).containsEntry("order_id", 2L).containsEntry("amount", null);
  }

  @Test
  void aBadCsvValueNamesItsLineAndColumn() throws IOException {
    Path file = write("a.csv", "order_id,amount\n1,2.5\n\"2\",abc\n");
    assertThatThrownBy(() -> readAll(file, RowSource.Format.csv))
        .hasMessage("line 3: column amount expects decimal(12,2), not 'abc'");
  }

  @Test
  void aCsvHeaderNamingNoColumnIsRefused() throws IOException {
    Path file = write("a.csv", "order_id,price\n1,2.5\n");
    assertThatThrownBy(() -> RowSource.open(file, RowSource.Format.csv, TABLE))
        .hasMessageContaining("line 1 (the header): default.orders has no column price");
  }

  @Test
  void aCsvLineWithTheWrongNumberOfFieldsIsRefused() throws IOException {
    Path file = write("a.csv", "order_id,amount\n1,2.5\n2\n");
    assertThatThrownBy(() -> readAll(file, RowSource.Format.csv))
        .hasMessage("line 3: 1 fields where the header names 2");
  }

  @Test
  void ndjsonAndJsonArraysFollowTheApiJsonRules() throws IOException {
    Path ndjson =
        write(
            "a.ndjson",
            "{\"order_id\": 1, \"amount\": \"12.50\", \"t\": \"2026-11-25T08:00:00\"}\n"
                + "{\"order_id\": 2, \"amount\": 7.25}\n");
    assertThat(readAll(ndjson, RowSource.Format.ndjson))
        .extracting(r -> r.get("amount"))
        .containsExactly(new BigDecimal("12.50"), new BigDecimal("7.25"));
    Path json = write("a.json", "[\n  {\"order_id\": 1},\n  {\"order_id\": 2, \"ok\": false}\n]\n");
    assertThat(readAll(json, RowSource.Format.json))
        .extracting(r -> r.get("order_id"))
        .containsExactly(1L, 2L);
    Path single = write("b.json", "{\"order_id\": 9}");
    assertThat(readAll(single, RowSource.Format.json)).containsExactly(Map.of("order_id", 9L));
  }

  @Test
  void aBadJsonValueNamesItsRowAndLine() throws IOException {
    Path ndjson = write("a.ndjson", "{\"order_id\": 1}\n{\"order_id\": \"two\"}\n");
    assertThatThrownBy(() -> readAll(ndjson, RowSource.Format.ndjson))
        .hasMessage("line 2: column order_id expects bigint, not \"two\"");
    Path json = write("a.json", "[{\"order_id\": 1},\n {\"order_id\": 2.5}]");
    assertThatThrownBy(() -> readAll(json, RowSource.Format.json))
        .hasMessage("row 2 (line 2): column order_id expects bigint, not 2.5");
  }

  @Test
  void parquetColumnsAreMatchedByNameAndTyped() throws Exception {
    Path file = dir.resolve("a.parquet");
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (SELECT 7::BIGINT AS order_id, 'ada' AS customer, 12.50::DECIMAL(12,2) AS amount,"
              + " TIMESTAMP '2026-11-25 08:00:00.000001' AS t, DATE '2026-11-25' AS day"
              + " UNION ALL SELECT 8, NULL, NULL, NULL, NULL) TO '"
              + file
              + "' (FORMAT parquet)");
    }
    List<Map<String, Object>> rows = readAll(file, RowSource.Format.parquet);
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0))
        .containsEntry("order_id", 7L)
        .containsEntry("customer", "ada")
        .containsEntry("amount", new BigDecimal("12.50"))
        .containsEntry("t", LocalDateTime.parse("2026-11-25T08:00:00.000001"))
        .containsEntry("day", LocalDate.parse("2026-11-25"));
    assertThat(rows.get(1)).containsEntry("order_id", 8L).containsEntry("customer", null);
  }

  private List<Map<String, Object>> readAll(Path file, RowSource.Format format) throws IOException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (RowSource source = RowSource.open(file, format, TABLE)) {
      while (true) {
        Map<String, Object> row;
        try {
          row = source.next();
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(source.position() + ": " + e.getMessage(), e);
        }
        if (row == null) {
          return rows;
        }
        rows.add(row);
      }
    }
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }
}
