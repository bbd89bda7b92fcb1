package io.sluice.cli;

import io.sluice.client.Column;
import io.sluice.client.TableDescription;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rows of a Parquet file, read by an in-process DuckDB (no Hadoop): its columns are matched to
 * the table's by name, and its values converted to the column types.
 */
final class ParquetRows implements RowSource {
  private final Path file;
  private final long size;
  private final Connection connection;
  private final Statement statement;
  private final ResultSet rows;
  private final List<String> names = new ArrayList<>();
  private final List<Optional<Column>> columns = new ArrayList<>();
  private long row;
  private boolean ended;

  ParquetRows(Path file, TableDescription table) throws IOException {
    this.file = file;
    this.size = Files.size(file);
    try {
      connection = DriverManager.getConnection("jdbc:duckdb:");
      statement = connection.createStatement();
      rows =
          statement.executeQuery(
              "SELECT * FROM read_parquet('" + file.toString().replace("'", "''") + "')");
      ResultSetMetaData meta = rows.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        names.add(meta.getColumnName(i));
        columns.add(RowSource.column(table, meta.getColumnName(i)));
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException("cannot read it as Parquet: " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, Object> next() throws IOException {
    try {
      if (ended || !rows.next()) {
        ended = true;
        return null;
      }
      row++;
      Map<String, Object> values = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        Optional<Column> column = columns.get(i);
        values.put(
            names.get(i),
            column.isPresent()
                ? ColumnValues.fromSql(column.get(), rows, i + 1)
                : rows.getString(i + 1));
      }
      return values;
    } catch (SQLException e) {
      throw new IOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String position() {
    return "row " + row;
  }

  @Override
  public long bytesRead() {
    return ended ? size : 0;
  }

  @Override
  public void close() throws IOException {
    try (Connection c = connection;
        Statement s = statement;
        ResultSet r = rows) {
      // closed in reverse order
    } catch (SQLException e) {
      throw new IOException("Cannot close the reader of " + file, e);
    }
  }
}
