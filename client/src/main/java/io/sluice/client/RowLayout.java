package io.sluice.client;

import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The columns of one table as the writer checks rows against them: every value converted, every
 * rule the server would refuse a row for checked at {@code write}, so that one caller's bad row
 * never fails a batch that holds other callers' rows.
 */
final class RowLayout {
  static final String OP = "_op";

  private final String table;
  private final List<ColumnCodec> codecs;
  private final Map<String, Integer> indexes = new HashMap<>();
  private final Set<String> primaryKey;
  private final boolean keyed;

  RowLayout(TableDescription description) {
    this.table = description.name();
    this.codecs = description.columns().stream().map(ColumnCodec::of).toList();
    for (int i = 0; i < codecs.size(); i++) {
      indexes.put(codecs.get(i).name(), i);
    }
    this.primaryKey = new HashSet<>(description.primaryKey());
    this.keyed = description.hasPrimaryKey();
  }

  List<ColumnCodec> codecs() {
    return codecs;
  }

  /** Whether rows carry {@code _op} and may leave columns out (a primary-key table). */
  boolean keyed() {
    return keyed;
  }

  /**
   * A row checked and converted.
   *
   * @throws IllegalArgumentException naming the column (and the type it expects) that is wrong
   */
  PreparedRow prepare(Map<String, Object> row) {
    if (row == null) {
      throw new IllegalArgumentException("Cannot write to " + table + ": the row is null");
    }
    Object[] values = new Object[codecs.size()];
    BitSet given = new BitSet(codecs.size());
    boolean delete = false;
    int size = 8;
    for (Map.Entry<String, Object> entry : row.entrySet()) {
      String name = entry.getKey();
      Object value = entry.getValue();
      if (keyed && OP.equals(name)) {
        delete = delete(value);
        size += 7;
        continue;
      }
      Integer index = indexes.get(name);
      if (index == null) {
        throw new IllegalArgumentException(
            "Cannot write to %s: it has no column %s (columns: %s)"
                .formatted(table, name, codecs.stream().map(ColumnCodec::name).toList()));
      }
      ColumnCodec codec = codecs.get(index);
      given.set(index);
      if (value == null) {
        size += 1;
        continue;
      }
      Object converted = codec.convert(value);
      values[index] = converted;
      size += codec.size(converted);
    }
    checkNulls(values, given, delete);
    if (!keyed) {
      given.set(0, codecs.size()); // a log table's missing column is null: send every column
      size += codecs.size() - given.cardinality();
    }
    return new PreparedRow(values, given, delete, size);
  }

  private void checkNulls(Object[] values, BitSet given, boolean delete) {
    for (int i = 0; i < codecs.size(); i++) {
      Column column = codecs.get(i).column();
      boolean key = primaryKey.contains(column.name());
      boolean required = key || (!column.nullable() && !delete);
      if (!required || values[i] != null) {
        continue;
      }
      if (keyed && !key && !given.get(i)) {
        throw new IllegalArgumentException(
            ("Cannot write column %s: expected %s (not nullable), got no value; a partial update"
                    + " may leave out only nullable columns")
                .formatted(column.name(), column.type()));
      }
      throw new IllegalArgumentException(
          "Cannot write column %s: expected %s (not nullable), got %s"
              .formatted(column.name(), column.type(), given.get(i) ? "null" : "no value"));
    }
  }

  private boolean delete(Object value) {
    if ("delete".equals(value)) {
      return true;
    }
    if (value == null || "upsert".equals(value)) {
      return false;
    }
    throw new IllegalArgumentException(
        "Cannot write column _op of %s: expected \"upsert\" or \"delete\", got %s"
            .formatted(table, value));
  }

  /**
   * A row ready for a batch: values in column order (in {@link ColumnCodec#convert}'s forms), the
   * columns it gives, whether it deletes its key, and about the bytes it takes.
   */
  record PreparedRow(Object[] values, BitSet given, boolean delete, int size) {}

  /** The positions of the primary-key columns. */
  BitSet keyColumns() {
    BitSet key = new BitSet(codecs.size());
    for (String name : primaryKey) {
      key.set(indexes.get(name));
    }
    return key;
  }
}
