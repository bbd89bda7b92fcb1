package io.sluice.function.read.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.scan.RowFilterJson;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.table.Column;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The part of a query's {@code WHERE} clause that a scan of its one table can take as its filter
 * (JSON, as {@link RowFilterJson} reads it), so that the scan prunes partitions and lake files; the
 * query still applies its whole {@code WHERE} to what the scan returns.
 *
 * <p>What is taken: comparisons ({@code = <> < <= > >=}), {@code IN} lists, {@code BETWEEN} and
 * {@code IS [NOT] NULL} of a column of the table against literals, under {@code AND} (parts that
 * cannot be taken are left out) and {@code OR} (taken only when every part is). Literals are taken
 * only where DuckDB compares in the column's own type, and converted as DuckDB converts them (dates
 * and timestamps are cast by DuckDB itself, in its session time zone): integers against integer
 * columns (when they fit), strings against strings (only {@code =}, {@code <>} and {@code IN}:
 * DuckDB orders strings by their bytes), booleans against booleans, and untyped strings or {@code
 * DATE}/{@code TIMESTAMP}/{@code TIMESTAMPTZ} literals against columns of exactly that type. {@code
 * NOT}, expressions and functions of columns, casts of columns and everything else are not taken.
 * The filter taken is implied by the {@code WHERE} clause, so the scan drops only rows the query
 * would drop.
 */
final class WherePushdown {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS", Locale.ROOT);
  private static final Map<String, String> OPERATORS =
      Map.of(
          "COMPARE_EQUAL", "=",
          "COMPARE_NOTEQUAL", "!=",
          "COMPARE_LESSTHAN", "<",
          "COMPARE_LESSTHANOREQUALTO", "<=",
          "COMPARE_GREATERTHAN", ">",
          "COMPARE_GREATERTHANOREQUALTO", ">=");
  private static final Map<String, String> FLIPPED =
      Map.of("=", "=", "!=", "!=", "<", ">", "<=", ">=", ">", "<", ">=", "<=");
  private static final Set<String> STRING_OPERATORS = Set.of("=", "!=");

  private final TableDefinition table;
  private final Set<String> qualifiers;
  private final Connection connection;
  private final RowFilterJson check;

  /**
   * @param qualifiers the names a column of the table may be qualified with in the query (its
   *     alias, or its name as written), lower case
   */
  WherePushdown(
      TableDefinition table,
      Set<String> qualifiers,
      Connection connection,
      BufferAllocator allocator) {
    this.table = table;
    this.qualifiers = qualifiers;
    this.connection = connection;
    this.check = new RowFilterJson(table, allocator);
  }

  /** The filter the scan can take from {@code where} (DuckDB's parse tree of it), if any. */
  Optional<JsonNode> filter(JsonNode where) {
    return translate(where);
  }

  private Optional<JsonNode> translate(JsonNode node) {
    String type = node.path("type").asText("");
    switch (type) {
      case "CONJUNCTION_AND" -> {
        ArrayNode parts = NODES.arrayNode();
        for (JsonNode child : node.path("children")) {
          translate(child).ifPresent(parts::add);
        }
        return parts.isEmpty()
            ? Optional.empty()
            : Optional.of(parts.size() == 1 ? parts.get(0) : NODES.objectNode().set("and", parts));
      }
      case "CONJUNCTION_OR" -> {
        ArrayNode parts = NODES.arrayNode();
        for (JsonNode child : node.path("children")) {
          Optional<JsonNode> part = translate(child);
          if (part.isEmpty()) {
            return Optional.empty();
          }
          parts.add(part.get());
        }
        return parts.isEmpty()
            ? Optional.empty()
            : Optional.of(NODES.objectNode().set("or", parts));
      }
      case "OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL" -> {
        JsonNode children = node.path("children");
        Optional<Column> column = children.size() == 1 ? column(children.get(0)) : Optional.empty();
        return column.flatMap(
            c ->
                checked(
                    NODES
                        .objectNode()
                        .put("column", c.name())
                        .put("op", type.equals("OPERATOR_IS_NULL") ? "is_null" : "is_not_null")));
      }
      case "COMPARE_IN" -> {
        JsonNode children = node.path("children");
        Optional<Column> column = children.size() > 1 ? column(children.get(0)) : Optional.empty();
        if (column.isEmpty()) {
          return Optional.empty();
        }
        ArrayNode values = NODES.arrayNode();
        for (int i = 1; i < children.size(); i++) {
          Optional<JsonNode> value = literal(column.get(), "=", children.get(i));
          if (value.isEmpty()) {
            return Optional.empty();
          }
          values.add(value.get());
        }
        ObjectNode in = NODES.objectNode().put("column", column.get().name()).put("op", "in");
        in.set("values", values);
        return checked(in);
      }
      case "COMPARE_BETWEEN" -> {
        Optional<Column> column = column(node.path("input"));
        if (column.isEmpty()) {
          return Optional.empty();
        }
        ArrayNode parts = NODES.arrayNode();
        comparison(column.get(), ">=", node.path("lower")).ifPresent(parts::add);
        comparison(column.get(), "<=", node.path("upper")).ifPresent(parts::add);
        return parts.isEmpty()
            ? Optional.empty()
            : Optional.of(parts.size() == 1 ? parts.get(0) : NODES.objectNode().set("and", parts));
      }
      default -> {
        String op = OPERATORS.get(type);
        if (op == null) {
          return Optional.empty(); // NOT, functions, subqueries, ...: not taken
        }
        Optional<Column> left = column(node.path("left"));
        if (left.isPresent()) {
          return comparison(left.get(), op, node.path("right"));
        }
        Optional<Column> right = column(node.path("right"));
        return right.flatMap(c -> comparison(c, FLIPPED.get(op), node.path("left")));
      }
    }
  }

  private Optional<JsonNode> comparison(Column column, String op, JsonNode literal) {
    return literal(column, op, literal)
        .flatMap(
            value -> {
              ObjectNode node = NODES.objectNode().put("column", column.name()).put("op", op);
              node.set("value", value);
              return checked(node);
            });
  }

  /** The leaf when the scan's filter reads it as meant; nothing when it would refuse it. */
  private Optional<JsonNode> checked(ObjectNode leaf) {
    try {
      check.parse(leaf);
      return Optional.of(leaf);
    } catch (InvalidParameterException e) {
      return Optional.empty();
    }
  }

  /** The table's column a column reference names, if it names one. */
  private Optional<Column> column(JsonNode node) {
    if (!node.path("type").asText("").equals("COLUMN_REF")) {
      return Optional.empty();
    }
    JsonNode names = node.path("column_names");
    if (names.size() == 0 || names.size() > 2) {
      return Optional.empty();
    }
    if (names.size() == 2 && !qualifiers.contains(names.get(0).asText().toLowerCase(Locale.ROOT))) {
      return Optional.empty();
    }
    return table.column(names.get(names.size() - 1).asText().toLowerCase(Locale.ROOT));
  }

  /**
   * A literal compared with {@code column} as the JSON value the filter takes, when DuckDB compares
   * the two in the column's type and the value converts exactly.
   */
  private Optional<JsonNode> literal(Column column, String op, JsonNode node) {
    String cast = null;
    JsonNode constant = node;
    if (node.path("type").asText("").equals("OPERATOR_CAST")) {
      if (node.path("try_cast").asBoolean(false)) {
        return Optional.empty();
      }
      cast = node.path("type_expr").path("type_name").asText("").toUpperCase(Locale.ROOT);
      constant = node.path("child");
    }
    if (!constant.path("type").asText("").equals("VALUE_CONSTANT")) {
      return Optional.empty();
    }
    String kind = constant.path("literal").path("kind").asText("");
    String text = constant.path("literal").path("text").asText(null);
    if (text == null) {
      return Optional.empty();
    }
    TypeKind type = column.type().kind();
    try {
      return switch (type) {
        case TINYINT, SMALLINT, INT, BIGINT -> {
          if (cast != null || !kind.equals("INTEGER")) {
            yield Optional.empty();
          }
          long value = Long.parseLong(text);
          long max =
              switch (type) {
                case TINYINT -> Byte.MAX_VALUE;
                case SMALLINT -> Short.MAX_VALUE;
                case INT -> Integer.MAX_VALUE;
                default -> Long.MAX_VALUE;
              };
          yield value > max || value < -max - 1
              ? Optional.empty()
              : Optional.of(NODES.numberNode(value));
        }
        case STRING ->
            cast == null && kind.equals("STRING") && STRING_OPERATORS.contains(op)
                ? Optional.of(NODES.textNode(text))
                : Optional.empty();
        case BOOLEAN ->
            cast == null && kind.equals("BOOLEAN")
                ? Optional.of(NODES.booleanNode(Boolean.parseBoolean(text)))
                : Optional.empty();
        case DATE ->
            kind.equals("STRING") && (cast == null || cast.equals("DATE"))
                ? evaluate(
                        "SELECT date_diff('day', DATE '1970-01-01', CAST(CAST(? AS VARCHAR) AS DATE))",
                        text)
                    .map(days -> NODES.textNode(LocalDate.ofEpochDay(days).toString()))
                : Optional.empty();
        case TIMESTAMP ->
            kind.equals("STRING")
                    && (cast == null || Set.of("TIMESTAMP", "DATETIME").contains(cast))
                ? evaluate("SELECT epoch_us(CAST(CAST(? AS VARCHAR) AS TIMESTAMP))", text)
                    .map(micros -> NODES.textNode(MICROS.format(local(micros))))
                : Optional.empty();
        case TIMESTAMP_LTZ ->
            kind.equals("STRING")
                    && (cast == null
                        || Set.of("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE").contains(cast))
                ? evaluate("SELECT epoch_us(CAST(CAST(? AS VARCHAR) AS TIMESTAMPTZ))", text)
                    .map(micros -> NODES.textNode(MICROS.format(local(micros)) + "Z"))
                : Optional.empty();
        default -> Optional.empty(); // decimals, floats, binary: not taken
      };
    } catch (NumberFormatException | java.time.DateTimeException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  private static LocalDateTime local(long micros) {
    return LocalDateTime.ofInstant(ArrowValues.instant(micros), ZoneOffset.UTC);
  }

  /** Runs a one-value query on the query's own connection; nothing when DuckDB refuses it. */
  private Optional<Long> evaluate(String sql, String text) {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, text);
      try (ResultSet result = statement.executeQuery()) {
        if (!result.next()) {
          return Optional.empty();
        }
        long value = result.getLong(1);
        return result.wasNull() ? Optional.empty() : Optional.of(value);
      }
    } catch (SQLException e) {
      return Optional.empty(); // not a value of the type: DuckDB itself refuses the query
    }
  }
}
