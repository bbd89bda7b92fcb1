package io.sluice.cli;

import io.sluice.client.SluiceException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command line: each subcommand is one call (or a few) of the Java client. */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    version = "sluice 0.1.0",
    description = "Works with the tables of a Sluice server.",
    subcommands = {
      TablesCommand.class,
      CreateCommand.class,
      DescribeCommand.class,
      WriteCommand.class,
      TailCommand.class,
      SqlCommand.class,
      TierCommand.class,
      CommandLine.HelpCommand.class,
      AutoComplete.GenerateCompletion.class
    },
    footer = {
      "",
      "The server is --endpoint, else $SLUICE_ENDPOINT, else " + Terminal.DEFAULT_ENDPOINT + ";",
      "$SLUICE_TOKEN is sent as a bearer token. Errors print one line and exit 1 (2 for usage).",
      "./sluice start runs a server on this machine (./sluice start --help)."
    })
public final class SluiceCli {
  private SluiceCli() {}

  public static void main(String[] args) {
    Terminal terminal =
        new Terminal(
            System.in,
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true),
            System.getenv(),
            Path.of("").toAbsolutePath(),
            System.console() != null);
    System.exit(run(terminal, args));
  }

  /**
   * Runs one command line as {@code main} does, but with the given environment (for {@code
   * SLUICE_ENDPOINT} and {@code SLUICE_TOKEN}), working directory (for file arguments) and streams;
   * returns its exit code. It never draws a progress bar unless asked ({@code --progress}).
   */
  public static int run(
      Map<String, String> environment,
      Path workingDirectory,
      InputStream in,
      Writer out,
      Writer err,
      List<String> args) {
    Terminal terminal =
        new Terminal(
            in,
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            Map.copyOf(environment),
            workingDirectory,
            false);
    return run(terminal, args.toArray(String[]::new));
  }

  /** Runs one command line and returns its exit code. */
  static int run(Terminal terminal, String... args) {
    CommandLine line = new CommandLine(new SluiceCli(), new Factory(terminal));
    line.setOut(terminal.out());
    line.setErr(terminal.err());
    line.setExecutionExceptionHandler(
        (e, failed, parsed) -> {
          terminal.err().println("sluice " + failed.getCommandName() + ": " + message(e));
          terminal.err().flush();
          return 1;
        });
    int code = line.execute(args);
    terminal.out().flush();
    terminal.err().flush();
    return code;
  }

  /** One line for an error: the API's message and code, or what went wrong here. */
  static String message(Throwable e) {
    if (e instanceof SluiceException api) {
      if (api.code().equals(SluiceException.UNREACHABLE)) {
        return api.getMessage() + " (is the server running? ./sluice start runs one here)";
      }
      return api.getMessage() + " (" + api.code() + ")";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** Makes the subcommands with the terminal they print to. */
  private record Factory(Terminal terminal) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (Subcommand.class.isAssignableFrom(type)) {
        K command = type.getDeclaredConstructor().newInstance();
        ((Subcommand) command).attach(terminal);
        return command;
      }
      return CommandLine.defaultFactory().create(type);
    }
  }
}
