package io.sluice.core.arrow;

/**
 * Rows or an Arrow schema that do not fit a table: the row (1-based, 0 when the problem is not
 * about one row), the column (null when the problem is not about one column) and what was expected
 * and found.
 */
public class SchemaMismatchException extends IllegalArgumentException {
  private final int row;
  private final String column;

  public SchemaMismatchException(int row, String column, String message) {
    super(message);
    this.row = row;
    this.column = column;
  }

  /** The 1-based row of the body (or NDJSON line) at fault, or 0 for a schema-level problem. */
  public int row() {
    return row;
  }

  /** The column at fault, or null for a row-level problem such as a row that is not an object. */
  public String column() {
    return column;
  }
}
