package io.sluice.core.table;

import java.util.regex.Pattern;

/** A table's name: database and table, each matching {@code [a-z][a-z0-9_]{0,62}}. */
public record TableName(String database, String table) {
  public static final String DEFAULT_DATABASE = "default";
  private static final Pattern PART = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  public TableName {
    checkPart(database, database + "." + table);
    checkPart(table, database + "." + table);
  }

  /**
   * Parses {@code db.table} or {@code table} (database {@code default}).
   *
   * @throws InvalidNameException naming the input when it is not a valid name
   */
  public static TableName parse(String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidNameException("Invalid table name: it is empty");
    }
    int dot = name.indexOf('.');
    if (dot < 0) {
      checkPart(name, name);
      return new TableName(DEFAULT_DATABASE, name);
    }
    String database = name.substring(0, dot);
    String table = name.substring(dot + 1);
    checkPart(database, name);
    checkPart(table, name);
    return new TableName(database, table);
  }

  private static void checkPart(String part, String whole) {
    if (part == null || !PART.matcher(part).matches()) {
      throw new InvalidNameException(
          "Invalid table name '"
              + printable(whole)
              + "': use db.table or table, each part matching [a-z][a-z0-9_]{0,62}");
    }
  }

  private static String printable(String value) {
    StringBuilder out = new StringBuilder();
    value
        .codePoints()
        .limit(200)
        .forEach(
            c ->
                out.append(c < 0x20 || c == 0x7f ? "\\u%04x".formatted(c) : Character.toString(c)));
    return out.toString();
  }

  /** The qualified form {@code db.table}. */
  @Override
  public String toString() {
    return database + "." + table;
  }
}
