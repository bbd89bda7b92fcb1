package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.client.Column;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;

/**
 * Turns the values of a file into the Java types the writer takes for a column's type, by the rules
 * of API.md's JSON bodies: numbers for numeric types, strings (or numbers) for decimals, {@code
 * YYYY-MM-DD} for dates, ISO-8601 for timestamps (a space for the {@code T} too), base64 for
 * binary. In CSV every value is text and an empty field is null.
 */
final class ColumnValues {
  private ColumnValues() {}

  /** A CSV field. */
  static Object fromText(Column column, String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    String type = type(column);
    try {
      return switch (type) {
        case "boolean" -> bool(column, text);
        case "tinyint", "smallint", "int", "bigint" -> Long.parseLong(text.trim());
        case "float" -> Float.parseFloat(text.trim());
        case "double" -> Double.parseDouble(text.trim());
        case "string" -> text;
        default -> fromString(column, type, text);
      };
    } catch (NumberFormatException e) {
      throw wrong(column, "'" + text + "'");
    }
  }

  /** A JSON value. */
  static Object fromJson(Column column, JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    String type = type(column);
    switch (type) {
      case "boolean" -> {
        if (node.isBoolean()) {
          return node.booleanValue();
        }
      }
      case "tinyint", "smallint", "int", "bigint" -> {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
          return node.longValue();
        }
      }
      case "float" -> {
        if (node.isNumber()) {
          return node.floatValue();
        }
      }
      case "double" -> {
        if (node.isNumber()) {
          return node.doubleValue();
        }
      }
      case "string" -> {
        if (node.isTextual()) {
          return node.textValue();
        }
      }
      default -> {
        if (node.isTextual()) {
          return fromString(column, type, node.textValue());
        }
        if (type.startsWith("decimal") && node.isNumber()) {
          return node.decimalValue();
        }
      }
    }
    throw wrong(column, node.toString());
  }

  /** Column {@code index} of a result set (a Parquet file read through DuckDB). */
  static Object fromSql(Column column, ResultSet row, int index) throws SQLException {
    if (row.getObject(index) == null) {
      return null;
    }
    String type = type(column);
    return switch (type) {
      case "boolean" -> row.getBoolean(index);
      case "tinyint", "smallint", "int", "bigint" -> integral(column, row.getObject(index));
      case "float" -> row.getFloat(index);
      case "double" -> row.getDouble(index);
      case "string" -> row.getString(index);
      case "binary" -> row.getBytes(index);
      case "date" -> row.getObject(index, LocalDate.class);
      case "timestamp" -> row.getObject(index, LocalDateTime.class);
      case "timestamp_ltz" -> row.getObject(index, OffsetDateTime.class).toInstant();
      default -> row.getBigDecimal(index);
    };
  }

  private static Object integral(Column column, Object value) {
    if (value instanceof Long || value instanceof Integer || value instanceof Short) {
      return ((Number) value).longValue();
    }
    if (value instanceof Byte b) {
      return b.longValue();
    }
    throw wrong(column, value + " (" + value.getClass().getSimpleName() + ")");
  }

  private static Object fromString(Column column, String type, String text) {
    String trimmed = text.trim();
    try {
      if (type.startsWith("decimal")) {
        return new BigDecimal(trimmed);
      }
      return switch (type) {
        case "date" -> LocalDate.parse(trimmed);
        case "timestamp" -> LocalDateTime.parse(trimmed.replace(' ', 'T'));
        case "timestamp_ltz" -> ltz(trimmed.replace(' ', 'T'));
        case "binary" -> Base64.getDecoder().decode(trimmed);
        default -> throw wrong(column, "'" + text + "'");
      };
    } catch (NumberFormatException | DateTimeParseException e) {
      throw wrong(column, "'" + text + "'");
    } catch (IllegalArgumentException e) {
      if (type.equals("binary")) {
        throw wrong(column, "'" + text + "' (not base64)");
      }
      throw e;
    }
  }

  private static Instant ltz(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
    }
  }

  private static Boolean bool(Column column, String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> throw wrong(column, "'" + text + "'");
    };
  }

  private static String type(Column column) {
    return column.type().trim().toLowerCase(Locale.ROOT);
  }

  private static IllegalArgumentException wrong(Column column, String value) {
    return new IllegalArgumentException(
        "column " + column.name() + " expects " + column.type() + ", not " + value);
  }
}
