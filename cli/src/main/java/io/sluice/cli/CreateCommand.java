package io.sluice.cli;

import io.sluice.client.SluiceClient;
import io.sluice.client.TableDescription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice create TABLE --definition FILE}: creates a table from API.md's JSON definition. */
@Command(
    name = "create",
    description =
        "Creates a table from a JSON definition (as PUT /v1/tables/{table} takes it), or finds it"
            + " unchanged.")
final class CreateCommand extends Subcommand {
  @Parameters(
      index = "0",
      paramLabel = "TABLE",
      description = "The table, e.g. orders or db.orders.")
  String table;

  @Option(
      names = "--definition",
      required = true,
      paramLabel = "FILE",
      description = "The JSON definition; - reads it from stdin.")
  String definition;

  @Override
  int run(SluiceClient client) throws IOException {
    TableDescription created = client.create(table, read());
    terminal()
        .out()
        .printf(
            "Table %s: %d columns, %d buckets, lake %s (tableId %s)%n",
            created.name(),
            created.columns().size(),
            created.buckets(),
            Describe.list(created.lakeFormats()),
            created.tableId());
    return 0;
  }

  private String read() throws IOException {
    if (definition.equals("-")) {
      return new String(terminal().in().readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      return Files.readString(terminal().file(definition));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("Cannot read definition " + definition + ": no such file");
    }
  }
}
