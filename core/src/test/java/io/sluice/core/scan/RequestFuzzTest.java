package io.sluice.core.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.arrow.JsonRowDecoder;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.InvalidDefinitionException;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TypeKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Coverage-guided fuzzing of what callers send besides rows: table definitions ({@code PUT
 * /v1/tables/{table}}) and scan filters ({@code filter=}). Whatever the text, a definition is
 * accepted (and then reads back the same from the JSON the API shows) or refused naming its
 * problems; a filter is accepted (and then evaluates on rows with nulls without an exception) or
 * refused naming where it is wrong. {@code ./mvnw verify} fuzzes each for 10 s (core's surefire
 * executions {@code fuzz-definitions} and {@code fuzz-filters}) and replays the inputs kept under
 * {@code src/test/resources/io/sluice/core/scan/RequestFuzzTestInputs/}; {@code tools/fuzz.sh} runs
 * the campaign.
 */
class RequestFuzzTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TableDefinition TABLE =
      TableDefinition.builder()
          .columns(
              List.of(
                  new Column("id", DataType.of(TypeKind.BIGINT), false),
                  new Column("name", DataType.of(TypeKind.STRING), true),
                  new Column("amount", DataType.decimal(12, 2), true),
                  new Column("ratio", DataType.of(TypeKind.DOUBLE), true),
                  new Column("ok", DataType.of(TypeKind.BOOLEAN), true),
                  new Column("raw", DataType.of(TypeKind.BINARY), true),
                  new Column("day", DataType.of(TypeKind.DATE), true),
                  new Column("t", DataType.of(TypeKind.TIMESTAMP), true)))
          .buckets(2)
          .build("Cannot create table fuzzed");
  private static final String ROWS =
      """
      [{"id": 1, "name": "a", "amount": "1.50", "ratio": 0.5, "ok": true, "raw": "AAE=",
        "day": "2026-12-07", "t": "2026-12-07T10:00:00"},
       {"id": 2},
       {"id": -3, "name": "", "amount": "-99.99", "ratio": -1e300, "ok": false, "raw": "",
        "day": "1970-01-01", "t": "1970-01-01T00:00:00.000001"}]
      """;

  @FuzzTest(maxDuration = "10s")
  void aDefinitionIsTakenOrItsProblemsNamed(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    TableDefinition definition;
    try {
      definition = TableDefinitionJson.parse("Cannot create table fuzzed", text);
    } catch (InvalidDefinitionException e) {
      assertThat(e.getMessage()).as("a refusal names its problem").contains("fuzzed: ");
      return;
    }
    String shown = TableDefinitionJson.toJsonString(definition);
    assertThat(TableDefinitionJson.parse("Cannot create table again", shown))
        .as("the definition the API shows creates the same table: %s", shown)
        .isEqualTo(definition);
  }

  @FuzzTest(maxDuration = "10s")
  void aFilterIsTakenOrItsProblemNamed(byte[] input) throws Exception {
    JsonNode node;
    try {
      // The scan endpoint reads the filter from a query parameter, a string.
      node = MAPPER.readTree(new String(input, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      return; // not JSON: the scan endpoint refuses it before a filter is parsed
    }
    try (BufferAllocator allocator = new RootAllocator()) {
      RowFilter filter;
      try {
        filter = new RowFilterJson(TABLE, allocator).parse(node);
      } catch (InvalidParameterException e) {
        assertThat(e.getMessage()).as("a refusal says where").startsWith("filter");
        assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
        return;
      }
      try (VectorSchemaRoot rows =
          new JsonRowDecoder(TABLE).decode(MAPPER.readTree(ROWS).elements(), allocator)) {
        for (int row = 0; row < rows.getRowCount(); row++) {
          filter.evaluate(rows, row);
        }
      }
      assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
    }
  }
}
