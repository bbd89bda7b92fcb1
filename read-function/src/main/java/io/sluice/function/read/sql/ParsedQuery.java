package io.sluice.function.read.sql;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.service.InvalidSqlException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a query reads, from DuckDB's own parse tree ({@code json_serialize_sql}): the tables it
 * names (with how often) and the column names it mentions, or that it selects {@code *}. Only one
 * {@code SELECT} statement parses; anything else is refused.
 */
record ParsedQuery(Map<QualifiedName, Integer> tables, Set<String> columns, boolean star) {

  /** A table as the query wrote it; {@code schema} is empty when unqualified. */
  record QualifiedName(String schema, String name) {}

  /**
   * Reads the tree DuckDB returned for {@code sql}.
   *
   * @throws InvalidSqlException with DuckDB's reason when the query does not parse, is not one
   *     read-only SELECT, or has more than one statement
   */
  static ParsedQuery of(JsonNode tree) {
    if (tree.path("error").asBoolean(false)) {
      String type = tree.path("error_type").asText("");
      String message = tree.path("error_message").asText("cannot parse the query");
      if (type.equals("not implemented")) {
        throw new InvalidSqlException(
            "Only read-only queries (one SELECT, WITH ... SELECT, VALUES) run here: " + message);
      }
      throw new InvalidSqlException("Cannot parse the query: " + message);
    }
    JsonNode statements = tree.path("statements");
    if (statements.size() != 1) {
      throw new InvalidSqlException(
          "Send exactly one statement per query, not " + statements.size());
    }
    Map<QualifiedName, Integer> tables = new LinkedHashMap<>();
    Set<String> columns = new HashSet<>();
    boolean[] star = {false};
    Set<String> ctes = new HashSet<>();
    collectCtes(statements.get(0), ctes);
    walk(statements.get(0), tables, columns, star, ctes);
    return new ParsedQuery(tables, columns, star[0]);
  }

  private static void collectCtes(JsonNode node, Set<String> ctes) {
    if (node.isObject()) {
      JsonNode map = node.path("cte_map").path("map");
      for (JsonNode entry : map) {
        ctes.add(entry.path("key").asText().toLowerCase(Locale.ROOT));
      }
      node.elements().forEachRemaining(child -> collectCtes(child, ctes));
    } else if (node.isArray()) {
      node.elements().forEachRemaining(child -> collectCtes(child, ctes));
    }
  }

  private static void walk(
      JsonNode node,
      Map<QualifiedName, Integer> tables,
      Set<String> columns,
      boolean[] star,
      Set<String> ctes) {
    if (node.isArray()) {
      node.elements().forEachRemaining(child -> walk(child, tables, columns, star, ctes));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    String type = node.path("type").asText("");
    switch (type) {
      case "BASE_TABLE" -> {
        String schema = node.path("schema_name").asText("");
        String name = node.path("table_name").asText("");
        if (!(schema.isEmpty() && ctes.contains(name.toLowerCase(Locale.ROOT)))) {
          tables.merge(new QualifiedName(schema, name), 1, Integer::sum);
        }
      }
      case "COLUMN_REF" -> {
        JsonNode names = node.path("column_names");
        if (names.size() > 0) {
          columns.add(names.get(names.size() - 1).asText().toLowerCase(Locale.ROOT));
        }
      }
      case "STAR" -> star[0] = true;
      default -> {}
    }
    for (JsonNode using : node.path("using_columns")) {
      columns.add(using.asText().toLowerCase(Locale.ROOT));
    }
    node.elements().forEachRemaining(child -> walk(child, tables, columns, star, ctes));
  }
}
