package io.sluice.function.read.sql;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.service.InvalidSqlException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a query reads, from DuckDB's own parse tree ({@code json_serialize_sql}): the tables it
 * names (with how often) and the column names it mentions, or that it selects {@code *}. Only one
 * {@code SELECT} statement parses; anything else is refused.
 */
record ParsedQuery(
    Map<QualifiedName, Integer> tables,
    Set<String> columns,
    boolean star,
    Map<QualifiedName, List<Selection>> selections) {

  /** A table as the query wrote it; {@code schema} is empty when unqualified. */
  record QualifiedName(String schema, String name) {}

  /**
   * A {@code SELECT} whose {@code FROM} is the one table {@code table}, named {@code alias} in it
   * (empty when not aliased), with its {@code WHERE} clause, if any.
   */
  record Selection(QualifiedName table, String alias, Optional<JsonNode> where) {}

  /**
   * The {@code WHERE} clause that every row the query reads of {@code table} must pass, if there is
   * one: when the query names the table once, as the only table of a {@code SELECT}.
   */
  Optional<Selection> onlySelection(QualifiedName table) {
    List<Selection> found = selections.getOrDefault(table, List.of());
    return tables.getOrDefault(table, 0) == 1 && found.size() == 1
        ? Optional.of(found.get(0))
        : Optional.empty();
  }

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
    Map<QualifiedName, List<Selection>> selections = new HashMap<>();
    walk(statements.get(0), tables, columns, star, ctes, selections);
    return new ParsedQuery(tables, columns, star[0], selections);
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
      Set<String> ctes,
      Map<QualifiedName, List<Selection>> selections) {
    if (node.isArray()) {
      node.elements()
          .forEachRemaining(child -> walk(child, tables, columns, star, ctes, selections));
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
      case "SELECT_NODE" -> {
        JsonNode from = node.path("from_table");
        Optional<QualifiedName> table = baseTable(from, ctes);
        if (table.isPresent()) {
          JsonNode where = node.path("where_clause");
          selections
              .computeIfAbsent(table.get(), t -> new ArrayList<>())
              .add(
                  new Selection(
                      table.get(),
                      from.path("alias").asText(""),
                      where.isObject() ? Optional.of(where) : Optional.empty()));
        }
      }
      default -> {}
    }
    for (JsonNode using : node.path("using_columns")) {
      columns.add(using.asText().toLowerCase(Locale.ROOT));
    }
    node.elements().forEachRemaining(child -> walk(child, tables, columns, star, ctes, selections));
  }

  /** The Sluice table a {@code FROM} clause is made of alone, if it is one (not a CTE). */
  private static Optional<QualifiedName> baseTable(JsonNode from, Set<String> ctes) {
    if (!from.path("type").asText("").equals("BASE_TABLE")) {
      return Optional.empty();
    }
    String schema = from.path("schema_name").asText("");
    String name = from.path("table_name").asText("");
    if (schema.isEmpty() && ctes.contains(name.toLowerCase(Locale.ROOT))) {
      return Optional.empty();
    }
    return Optional.of(new QualifiedName(schema, name));
  }
}
