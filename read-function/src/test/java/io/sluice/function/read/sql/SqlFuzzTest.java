package io.sluice.function.read.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.core.service.InvalidSqlException;
import io.sluice.core.sql.SqlRelation;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBDriver;

/**
 * Coverage-guided fuzzing of how {@code POST /v1/sql} reads a query before it runs: DuckDB's parse
 * tree walked for the tables and columns it names, each name read as a Sluice relation, and each
 * table's {@code WHERE} clause translated into the filter pushed down to its scan. Whatever the
 * text, the query is read, or refused with {@link InvalidSqlException} giving a reason; no other
 * exception. {@code ./mvnw verify} fuzzes it for 10 s (read-function's surefire execution {@code
 * fuzz-sql}) and replays the inputs kept under {@code
 * src/test/resources/io/sluice/function/read/sql/SqlFuzzTestInputs/}.
 */
class SqlFuzzTest {
  private static final TableDefinition TABLE =
      TableDefinition.builder()
          .columns(
              List.of(
                  new Column("id", DataType.of(TypeKind.BIGINT), false),
                  new Column("name", DataType.of(TypeKind.STRING), true),
                  new Column("amount", DataType.decimal(12, 2), true),
                  new Column("ok", DataType.of(TypeKind.BOOLEAN), true),
                  new Column("day", DataType.of(TypeKind.DATE), true),
                  new Column("t", DataType.of(TypeKind.TIMESTAMP), true)))
          .buckets(2)
          .build("Cannot create table orders");
  private static final BufferAllocator ALLOCATOR = new RootAllocator();
  private static final Connection CONNECTION = connect();

  private static Connection connect() {
    try {
      return new DuckDBDriver().connect("jdbc:duckdb:", new Properties());
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot open an in-memory DuckDB", e);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void aQueryIsReadOrRefusedWithItsReason(byte[] input) throws SQLException {
    String sql = new String(input, StandardCharsets.UTF_8);
    ParsedQuery parsed;
    try {
      parsed = ParsedQuery.of(SqlService.serialize(CONNECTION, sql));
    } catch (InvalidSqlException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    for (ParsedQuery.QualifiedName name : parsed.tables().keySet()) {
      try {
        SqlRelation.parse(name.schema(), name.name());
      } catch (InvalidSqlException e) {
        assertThat(e.getMessage()).isNotBlank();
        continue;
      }
      parsed
          .onlySelection(name)
          .filter(selection -> selection.where().isPresent())
          .ifPresent(
              selection ->
                  new WherePushdown(TABLE, SqlService.qualifiers(selection), CONNECTION, ALLOCATOR)
                      .filter(selection.where().get()));
    }
  }
}
