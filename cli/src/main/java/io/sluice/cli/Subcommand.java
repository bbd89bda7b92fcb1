package io.sluice.cli;

import io.sluice.client.SluiceClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/** What every subcommand shares: the terminal, the endpoint option, and a client of it. */
abstract class Subcommand implements Callable<Integer> {
  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "The server (default: $SLUICE_ENDPOINT, else http://localhost:8080).")
  String endpoint;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  private Terminal terminal;

  void attach(Terminal terminal) {
    this.terminal = terminal;
  }

  Terminal terminal() {
    return terminal;
  }

  @Override
  public final Integer call() throws Exception {
    try (SluiceClient client = terminal.client(endpoint)) {
      return run(client);
    }
  }

  /** Runs the command; returns the exit code. */
  abstract int run(SluiceClient client) throws Exception;
}
