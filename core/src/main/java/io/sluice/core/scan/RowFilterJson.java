package io.sluice.core.scan;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.arrow.JsonRowDecoder;
import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.table.Column;
import io.sluice.core.table.TableDefinition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Reads a scan's filter from JSON. The forms: {@code {"column": "amount", "op": ">=", "value":
 * "10.00"}} with {@code op} one of {@code = != < <= > >=}; {@code {"column": "note", "op":
 * "is_null"}} or {@code "is_not_null"}; {@code {"column": "region", "op": "in", "values": ["eu",
 * "us"]}} (the or of one {@code =} per value); {@code {"and": [...]}}, {@code {"or": [...]}} and
 * {@code {"not": {...}}}. Values take the forms writes accept for the column's type.
 */
public final class RowFilterJson {
  private static final Map<String, RowFilter.Operator> OPERATORS =
      Arrays.stream(RowFilter.Operator.values())
          .collect(Collectors.toMap(RowFilter.Operator::symbol, o -> o));

  private final TableDefinition table;
  private final BufferAllocator allocator;

  public RowFilterJson(TableDefinition table, BufferAllocator allocator) {
    this.table = table;
    this.allocator = allocator;
  }

  /**
   * The filter {@code node} describes.
   *
   * @throws InvalidParameterException naming what is wrong and where
   */
  public RowFilter parse(JsonNode node) {
    return parse(node, "filter");
  }

  private RowFilter parse(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw invalid(path, "expected a JSON object, got " + shown(node));
    }
    if (node.has("and")) {
      return new RowFilter.And(list(node.get("and"), path + ".and"));
    }
    if (node.has("or")) {
      return new RowFilter.Or(list(node.get("or"), path + ".or"));
    }
    if (node.has("not")) {
      return new RowFilter.Not(parse(node.get("not"), path + ".not"));
    }
    JsonNode columnNode = node.get("column");
    JsonNode opNode = node.get("op");
    if (columnNode == null || !columnNode.isTextual() || opNode == null || !opNode.isTextual()) {
      throw invalid(
          path, "expected {\"column\": ..., \"op\": ...} or and/or/not, got " + shown(node));
    }
    String name = columnNode.asText();
    Column column =
        table
            .column(name)
            .orElseThrow(() -> invalid(path, "column " + name + " is not a column of the table"));
    String op = opNode.asText();
    if (op.equals("is_null") || op.equals("is_not_null")) {
      return new RowFilter.NullCheck(name, op.equals("is_not_null"));
    }
    if (op.equals("in")) {
      JsonNode values = node.get("values");
      if (values == null || !values.isArray() || values.isEmpty()) {
        throw invalid(
            path,
            "op in on column "
                + name
                + " needs \"values\": a non-empty array, got "
                + shown(values));
      }
      List<RowFilter> equals = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        JsonNode value = values.get(i);
        String at = path + ".values[" + i + "]";
        if (value.isNull()) {
          throw invalid(at, "op in on column " + name + " takes no null value");
        }
        equals.add(
            new RowFilter.Comparison(name, RowFilter.Operator.EQ, literal(column, value, at)));
      }
      return equals.size() == 1 ? equals.get(0) : new RowFilter.Or(equals);
    }
    RowFilter.Operator operator = OPERATORS.get(op);
    if (operator == null) {
      throw invalid(
          path,
          "op '"
              + op
              + "' is not one of "
              + String.join(" ", OPERATORS.keySet())
              + " in is_null is_not_null");
    }
    JsonNode value = node.get("value");
    if (value == null || value.isNull()) {
      throw invalid(path, "op " + op + " on column " + name + " needs a non-null value");
    }
    return new RowFilter.Comparison(name, operator, literal(column, value, path));
  }

  private List<RowFilter> list(JsonNode node, String path) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw invalid(path, "expected a non-empty array of filters, got " + shown(node));
    }
    List<RowFilter> filters = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      filters.add(parse(node.get(i), path + "[" + i + "]"));
    }
    return filters;
  }

  /** Converts the value exactly as a write of that column would, so both agree on its meaning. */
  private Object literal(Column column, JsonNode value, String path) {
    TableDefinition single =
        TableDefinition.builder()
            .columns(List.of(new Column(column.name(), column.type(), false)))
            .build("filter");
    JsonRowDecoder decoder = new JsonRowDecoder(single);
    JsonNode row =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
            .objectNode()
            .set(column.name(), value);
    try (VectorSchemaRoot batch = decoder.decode(List.of(row), allocator)) {
      return ArrowValues.get(batch.getVector(0), 0);
    } catch (SchemaMismatchException e) {
      throw invalid(path, e.getMessage().replaceFirst("^row 1: ", ""));
    }
  }

  private static InvalidParameterException invalid(String path, String problem) {
    return new InvalidParameterException(path + ": " + problem);
  }

  private static String shown(JsonNode node) {
    if (node == null) {
      return "nothing";
    }
    String text = node.toString();
    return text.length() > 100 ? text.substring(0, 100) + "..." : text;
  }
}
