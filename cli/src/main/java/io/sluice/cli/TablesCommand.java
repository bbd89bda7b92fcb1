package io.sluice.cli;

import io.sluice.client.SluiceClient;
import io.sluice.client.TableDescription;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code sluice tables}: every table with its keys, buckets and lake formats. */
@Command(name = "tables", description = "Lists the tables.")
final class TablesCommand extends Subcommand {
  @Override
  int run(SluiceClient client) {
    List<TableDescription> tables = client.tables();
    if (tables.isEmpty()) {
      terminal().out().println("No tables.");
      return 0;
    }
    TextTable out =
        new TextTable(List.of("TABLE", "BUCKETS", "PRIMARY KEY", "PARTITION BY", "LAKE"));
    for (TableDescription table : tables) {
      out.add(
          List.of(
              table.name(),
              table.buckets(),
              Describe.list(table.primaryKey()),
              Describe.list(table.partitionBy()),
              Describe.list(table.lakeFormats())));
    }
    out.print(terminal().out());
    return 0;
  }
}
