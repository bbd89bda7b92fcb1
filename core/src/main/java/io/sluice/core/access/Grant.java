package io.sluice.core.access;

import io.sluice.core.table.TableName;

/**
 * A permission on the tables a pattern names: {@code *} every table, {@code sales.*} every table of
 * database {@code sales}, {@code sales.orders} (or {@code orders}, in database {@code default})
 * one. {@link Permission#ADMIN} covers reading and writing too.
 */
public record Grant(Permission permission, String pattern) {
  public Grant {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("A grant needs a table pattern, such as sales.*");
    }
    pattern = pattern.trim();
    if (!pattern.equals("*") && !pattern.endsWith(".*")) {
      TableName.parse(pattern); // a table name, refused here if it cannot be one
    }
  }

  /** Whether this grant allows {@code wanted} on {@code table}. */
  public boolean allows(Permission wanted, TableName table) {
    if (permission != wanted && permission != Permission.ADMIN) {
      return false;
    }
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.endsWith(".*")) {
      return table.database().equals(pattern.substring(0, pattern.length() - 2));
    }
    return TableName.parse(pattern).equals(table);
  }
}
