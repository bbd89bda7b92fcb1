package io.sluice.cli;

import io.sluice.client.Column;
import io.sluice.client.TableDescription;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The rows of one input file, read one at a time and typed for the table's columns; a value that
 * does not fit its column fails naming the file, the line (or row) and the column.
 */
interface RowSource extends AutoCloseable {
  /** The file formats {@code sluice write} reads. */
  enum Format {
    csv,
    ndjson,
    json,
    parquet;

    /** The format a file's name says, or empty. */
    static Optional<Format> of(String fileName) {
      String name = fileName.toLowerCase(Locale.ROOT);
      if (name.endsWith(".csv")) {
        return Optional.of(csv);
      }
      if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) {
        return Optional.of(ndjson);
      }
      if (name.endsWith(".json")) {
        return Optional.of(json);
      }
      if (name.endsWith(".parquet")) {
        return Optional.of(parquet);
      }
      return Optional.empty();
    }
  }

  /** The next row, or null after the last. */
  Map<String, Object> next() throws IOException;

  /** Where the row {@link #next} returned last is, such as {@code line 7} or {@code row 7}. */
  String position();

  /** The bytes of the file read so far (for a Parquet file, its size once read to the end). */
  long bytesRead();

  @Override
  void close() throws IOException;

  /** Opens a file of a format for a table. */
  static RowSource open(Path file, Format format, TableDescription table) throws IOException {
    return switch (format) {
      case csv -> new CsvRows(file, table);
      case ndjson -> new JsonRows(file, table, false);
      case json -> new JsonRows(file, table, true);
      case parquet -> new ParquetRows(file, table);
    };
  }

  /** The column of a field name in the file, or an error naming it. */
  static Optional<Column> column(TableDescription table, String name) {
    if (name.equals("_op") && table.hasPrimaryKey()) {
      return Optional.empty();
    }
    return Optional.of(
        table
            .column(name)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "%s has no column %s (columns: %s)"
                            .formatted(
                                table.name(),
                                name,
                                table.columns().stream().map(Column::name).toList()))));
  }
}
