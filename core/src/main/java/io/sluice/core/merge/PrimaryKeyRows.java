package io.sluice.core.merge;

import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.service.LogReadService;
import io.sluice.core.table.Column;
import io.sluice.core.table.MergeEngine;
import io.sluice.core.table.TableDefinition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Checks the rows written to a primary-key table, and reads its log rows back as values. */
public final class PrimaryKeyRows {
  private PrimaryKeyRows() {}

  /**
   * Checks a decoded write batch (the table's columns, {@code _op} and {@code _unset}): keys are
   * given, upserts leave out only nullable columns, and the merge engine allows what each row asks.
   *
   * @throws SchemaMismatchException naming the first row (1-based) and column that breaks a rule
   */
  public static void check(VectorSchemaRoot rows, TableDefinition table) {
    MergeEngine engine = table.mergeEngine().orElseThrow();
    VarCharVector ops = (VarCharVector) rows.getVector(PrimaryKeyColumns.OP);
    VarCharVector unsets = (VarCharVector) rows.getVector(PrimaryKeyColumns.UNSET);
    for (int i = 0; i < rows.getRowCount(); i++) {
      int row = i + 1;
      Op op = Op.parse(new String(ops.get(i), StandardCharsets.UTF_8));
      List<String> unset = unset(unsets, i);
      for (String key : table.primaryKey()) {
        if (unset.contains(key) || rows.getVector(key).isNull(i)) {
          throw new SchemaMismatchException(
              row,
              key,
              "row %d: column %s: a primary-key column needs a value in every row, got %s"
                  .formatted(row, key, unset.contains(key) ? "no value" : "null"));
        }
      }
      boolean keepsFirst = engine == MergeEngine.FIRST_ROW || engine == MergeEngine.VERSIONED;
      if (op == Op.DELETE) {
        if (keepsFirst) {
          throw new SchemaMismatchException(
              row,
              PrimaryKeyColumns.OP,
              "row %d: _op: delete is not allowed under mergeEngine %s, which never removes a key"
                  .formatted(row, engine.apiName()));
        }
        continue;
      }
      for (Column column : table.columns()) {
        if (!column.nullable() && !unset.contains(column.name())) {
          if (rows.getVector(column.name()).isNull(i)) {
            throw new SchemaMismatchException(
                row,
                column.name(),
                "row %d: column %s: expected %s, got null (the column is not nullable)"
                    .formatted(row, column.name(), column.type()));
          }
        }
      }
      for (String name : unset) {
        Column column = table.column(name).orElseThrow();
        if (!column.nullable()) {
          throw new SchemaMismatchException(
              row,
              name,
              ("row %d: column %s: expected %s (not nullable), got no value; a partial update may"
                      + " leave out only nullable columns")
                  .formatted(row, name, column.type()));
        }
      }
      if (keepsFirst && !unset.isEmpty()) {
        throw new SchemaMismatchException(
            row,
            unset.get(0),
            ("row %d: a partial update (leaving out %s) is not allowed under mergeEngine %s;"
                    + " give every column")
                .formatted(row, String.join(", ", unset), engine.apiName()));
      }
      if (engine == MergeEngine.VERSIONED) {
        String version = table.versionColumn().orElseThrow();
        if (rows.getVector(version).isNull(i)) {
          throw new SchemaMismatchException(
              row,
              version,
              "row %d: column %s: the versionColumn needs a value, got null"
                  .formatted(row, version));
        }
      }
    }
  }

  /**
   * The rows of a log read of a primary-key table ({@code _offset}, {@code _timestamp}, every
   * column, {@code _op}, {@code _unset}), values in the order of {@code table}'s columns.
   */
  public static List<LogRow> logRows(VectorSchemaRoot read, TableDefinition table) {
    BigIntVector offsets = (BigIntVector) read.getVector(LogReadService.OFFSET);
    TimeStampMicroTZVector timestamps =
        (TimeStampMicroTZVector) read.getVector(LogReadService.TIMESTAMP);
    return rows(
        read,
        0,
        read.getRowCount(),
        offsets::get,
        i -> ArrowValues.instant(timestamps.get(i)),
        table);
  }

  /**
   * Rows {@code from} to {@code to} (exclusive) of a slice as written (its columns, {@code _op},
   * {@code _unset}), the slice's first row at {@code baseOffset}, all committed at {@code
   * timestamp}.
   */
  public static List<LogRow> sliceRows(
      VectorSchemaRoot slice,
      int from,
      int to,
      long baseOffset,
      Instant timestamp,
      TableDefinition table) {
    return rows(slice, from, to, i -> baseOffset + i, i -> timestamp, table);
  }

  private static List<LogRow> rows(
      VectorSchemaRoot batch,
      int from,
      int to,
      IntToLongFunction offset,
      IntFunction<Instant> timestamp,
      TableDefinition table) {
    List<Column> columns = table.columns();
    FieldVector[] vectors = new FieldVector[columns.size()];
    for (int c = 0; c < vectors.length; c++) {
      vectors[c] = batch.getVector(columns.get(c).name());
    }
    VarCharVector ops = (VarCharVector) batch.getVector(PrimaryKeyColumns.OP);
    VarCharVector unsets = (VarCharVector) batch.getVector(PrimaryKeyColumns.UNSET);
    List<LogRow> rows = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      Object[] values = new Object[vectors.length];
      Set<Integer> unset = new HashSet<>();
      for (int c = 0; c < vectors.length; c++) {
        if (vectors[c] == null) {
          unset.add(c); // a column added after the row was written
        } else {
          values[c] = ArrowValues.get(vectors[c], i);
        }
      }
      for (String name : unset(unsets, i)) {
        int index = table.columnIndex(name);
        if (index >= 0) {
          unset.add(index);
        }
      }
      rows.add(
          new LogRow(
              offset.applyAsLong(i),
              timestamp.apply(i),
              Op.parse(new String(ops.get(i), StandardCharsets.UTF_8)),
              values,
              unset));
    }
    return rows;
  }

  private static List<String> unset(VarCharVector unsets, int row) {
    if (unsets == null || unsets.isNull(row)) {
      return List.of();
    }
    return List.of(new String(unsets.get(row), StandardCharsets.UTF_8).split(","));
  }
}
