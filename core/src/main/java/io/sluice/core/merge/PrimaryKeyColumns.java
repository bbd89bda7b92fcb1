package io.sluice.core.merge;

import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns a primary-key table's log keeps besides the table's: {@code _op} ({@link Op}) and
 * {@code _unset}, the comma-separated columns a partial update left out (null when it gave all).
 */
public final class PrimaryKeyColumns {
  public static final String OP = "_op";
  public static final String UNSET = "_unset";

  private static final Column OP_COLUMN = new Column(OP, DataType.of(TypeKind.STRING), false);
  private static final Column UNSET_COLUMN = new Column(UNSET, DataType.of(TypeKind.STRING), true);

  private PrimaryKeyColumns() {}

  /**
   * The columns of the table's log: its own, then {@code _op} and {@code _unset} if it has a key.
   */
  public static List<Column> logColumns(TableDefinition table) {
    return withLogColumns(table, table.columns());
  }

  /** {@code columns}, then {@code _op} and {@code _unset} if the table has a primary key. */
  public static List<Column> withLogColumns(TableDefinition table, List<Column> columns) {
    if (!table.hasPrimaryKey()) {
      return columns;
    }
    List<Column> all = new ArrayList<>(columns);
    all.add(OP_COLUMN);
    all.add(UNSET_COLUMN);
    return all;
  }
}
