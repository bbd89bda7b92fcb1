package io.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.sluice.client.SluiceClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice sql "SELECT ..."}: runs a read-only query and prints its rows. */
@Command(
    name = "sql",
    description =
        "Runs a read-only SQL query (orders is the union read, orders$lake the lake, orders$log the"
            + " log) and prints the result.")
final class SqlCommand extends Subcommand {
  /** How the result is printed. */
  enum Format {
    table,
    csv,
    json
  }

  @Parameters(index = "0", paramLabel = "QUERY")
  String query;

  @Option(
      names = "--format",
      defaultValue = "table",
      description = "table (aligned), csv (with a header) or json (one object per line).")
  Format format;

  @Override
  int run(SluiceClient client) throws IOException {
    List<Map<String, Object>> rows = client.sql(query);
    PrintWriter out = terminal().out();
    List<String> columns = columns(rows);
    switch (format) {
      case table -> {
        TextTable table = new TextTable(columns);
        for (Map<String, Object> row : rows) {
          table.add(columns.stream().map(row::get).toList());
        }
        table.print(out);
        out.printf("(%d %s)%n", rows.size(), rows.size() == 1 ? "row" : "rows");
      }
      case csv -> {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        columns.forEach(schema::addColumn);
        List<List<Object>> values = new ArrayList<>();
        for (Map<String, Object> row : rows) {
          values.add(columns.stream().map(row::get).toList());
        }
        if (values.isEmpty()) {
          out.println(String.join(",", columns));
        } else {
          out.print(new CsvMapper().writer(schema.build()).writeValueAsString(values));
        }
      }
      case json -> {
        ObjectMapper json = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);
        for (Map<String, Object> row : rows) {
          out.println(json.writeValueAsString(row));
        }
      }
    }
    return 0;
  }

  /** The columns in the order of the answer (every row has them all). */
  private static List<String> columns(List<Map<String, Object>> rows) {
    Set<String> columns = new LinkedHashSet<>();
    rows.forEach(row -> columns.addAll(row.keySet()));
    return List.copyOf(columns);
  }
}
