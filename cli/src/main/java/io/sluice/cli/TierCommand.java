package io.sluice.cli;

import io.sluice.client.SluiceClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice tier TABLE}: tiers a table now and says which lake snapshots hold its rows. */
@Command(
    name = "tier",
    description =
        "Tiers a table now: waits until every row written before the call is in every lake format.")
final class TierCommand extends Subcommand {
  @Parameters(index = "0", paramLabel = "TABLE")
  String table;

  @Option(
      names = "--wait",
      paramLabel = "SECONDS",
      defaultValue = "25",
      description = "How long to wait, at most 600 (default: ${DEFAULT-VALUE}).")
  int waitSeconds;

  @Override
  int run(SluiceClient client) {
    Optional<Map<String, Long>> snapshots = client.tier(table, Duration.ofSeconds(waitSeconds));
    if (snapshots.isEmpty()) {
      terminal()
          .out()
          .printf(
              "Still tiering %s after %d s; it goes on in the background (sluice describe %s"
                  + " shows how far).%n",
              table, waitSeconds, table);
      return 0;
    }
    if (snapshots.get().isEmpty()) {
      terminal().out().printf("Nothing to tier in %s: no rows written yet%n", table);
      return 0;
    }
    terminal()
        .out()
        .printf(
            "Tiered %s: %s%n",
            table,
            snapshots.get().entrySet().stream()
                .map(e -> e.getKey() + " snapshot " + e.getValue())
                .collect(Collectors.joining(", ")));
    return 0;
  }
}
