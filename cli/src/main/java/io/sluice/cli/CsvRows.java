package io.sluice.cli;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.sluice.client.Column;
import io.sluice.client.TableDescription;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The rows of a CSV file whose first line names the columns (any order, a subset allowed). */
final class CsvRows implements RowSource {
  private final CountingInput input;
  private final MappingIterator<String[]> lines;
  private final List<String> names = new ArrayList<>();
  private final List<Optional<Column>> columns = new ArrayList<>();
  private long line;

  CsvRows(Path file, TableDescription table) throws IOException {
    this.input = new CountingInput(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    this.lines = mapper.readerFor(String[].class).readValues(input);
    if (!lines.hasNextValue()) {
      throw new IllegalArgumentException(
          file.getFileName() + " is empty: a CSV file starts with a line naming the columns");
    }
    line = lines.getCurrentLocation().getLineNr();
    for (String name : lines.nextValue()) {
      String trimmed = name.trim();
      try {
        columns.add(RowSource.column(table, trimmed));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + line + " (the header): " + e.getMessage());
      }
      names.add(trimmed);
    }
  }

  @Override
  public Map<String, Object> next() throws IOException {
    String[] fields;
    do {
      if (!lines.hasNextValue()) {
        return null;
      }
      line = lines.getCurrentLocation().getLineNr();
      fields = lines.nextValue();
    } while (fields.length == 1 && fields[0].isEmpty() && names.size() > 1); // a blank line
    if (fields.length != names.size()) {
      throw new IllegalArgumentException(
          "%s fields where the header names %d".formatted(fields.length, names.size()));
    }
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < fields.length; i++) {
      Optional<Column> column = columns.get(i);
      row.put(
          names.get(i),
          column.isPresent() ? ColumnValues.fromText(column.get(), fields[i]) : fields[i]);
    }
    return row;
  }

  @Override
  public String position() {
    return "line " + line;
  }

  @Override
  public long bytesRead() {
    return input.count();
  }

  @Override
  public void close() throws IOException {
    lines.close();
    input.close();
  }
}
