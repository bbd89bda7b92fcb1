package io.sluice.lake.changes;

import io.sluice.core.merge.ChangeType;
import io.sluice.core.merge.Changelogs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A batch of a primary-key table's changes ({@link Changelogs}) split into what each record does
 * and the rows themselves, so that the lake adapters read the rows as they read a log table's.
 */
public final class ChangeBatch {
  private final ChangeType[] types;
  private final VectorSchemaRoot rows;

  private ChangeBatch(ChangeType[] types, VectorSchemaRoot rows) {
    this.types = types;
    this.rows = rows;
  }

  /**
   * Reads the {@value Changelogs#CHANGE_TYPE} column of {@code changes}.
   *
   * @param table the table's name, for messages
   * @throws IllegalArgumentException when the column is missing, not a string column, or holds a
   *     null or an unknown change type
   */
  public static ChangeBatch of(VectorSchemaRoot changes, String table) {
    FieldVector column = changes.getVector(Changelogs.CHANGE_TYPE);
    if (!(column instanceof VarCharVector names)) {
      throw new IllegalArgumentException(
          "Cannot write changes to %s: the batch needs a string column %s, not %s"
              .formatted(
                  table,
                  Changelogs.CHANGE_TYPE,
                  column == null ? "none" : column.getField().getType()));
    }
    ChangeType[] types = new ChangeType[changes.getRowCount()];
    for (int i = 0; i < types.length; i++) {
      if (names.isNull(i)) {
        throw new IllegalArgumentException(
            "Cannot write changes to %s: record %d has no %s"
                .formatted(table, i + 1, Changelogs.CHANGE_TYPE));
      }
      try {
        types[i] = ChangeType.parse(new String(names.get(i), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Cannot write changes to %s: record %d has an %s"
                .formatted(table, i + 1, e.getMessage()),
            e);
      }
    }
    List<FieldVector> vectors =
        changes.getFieldVectors().stream().filter(v -> v != column).toList();
    VectorSchemaRoot rows =
        new VectorSchemaRoot(
            vectors.stream().map(FieldVector::getField).toList(), vectors, changes.getRowCount());
    return new ChangeBatch(types, rows);
  }

  /** How many records the batch holds. */
  public int size() {
    return types.length;
  }

  /** What record {@code record} (0-based) does. */
  public ChangeType type(int record) {
    return types[record];
  }

  /**
   * The records' rows: the batch's other columns, sharing its vectors (the caller of {@link #of}
   * keeps owning them; do not close this).
   */
  public VectorSchemaRoot rows() {
    return rows;
  }
}
