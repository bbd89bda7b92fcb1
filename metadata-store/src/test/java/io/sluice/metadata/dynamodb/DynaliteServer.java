package io.sluice.metadata.dynamodb;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * dynalite, the DynamoDB API stand-in, as a child process (in memory, or on disk with {@link
 * #persistingTo}) on a free loopback port. The build ({@code ./mvnw verify}) installs it under
 * {@code .build/tools/dynalite}.
 */
public final class DynaliteServer implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final int OUTPUT_LINES_KEPT = 50;

  private final Process process;
  private final int port;
  private final Deque<String> output = new ArrayDeque<>();

  private DynaliteServer(Process process, int port) {
    this.process = process;
    this.port = port;
    drain(process.getInputStream(), "stdout");
    drain(process.getErrorStream(), "stderr");
  }

  /**
   * Starts dynalite and waits until it accepts connections.
   *
   * @throws IllegalStateException naming what is missing when node or dynalite is not installed, or
   *     when dynalite does not come up
   */
  public static DynaliteServer start() {
    return start(List.of());
  }

  /**
   * Starts dynalite keeping its tables in {@code dir} (LevelDB) instead of memory, so that what it
   * acknowledged outlives it; otherwise as {@link #start()}.
   */
  public static DynaliteServer persistingTo(Path dir) {
    return start(List.of("--path", dir.toAbsolutePath().toString()));
  }

  private static DynaliteServer start(List<String> options) {
    Path cli = toolsDir().resolve("dynalite/node_modules/dynalite/cli.js");
    if (!Files.isRegularFile(cli)) {
      throw new IllegalStateException(
          "Cannot start dynalite: "
              + cli
              + " is missing. Run the build (./mvnw verify), which installs it with npm.");
    }
    int port = freePort();
    Process process;
    try {
      process =
          new ProcessBuilder(
                  Stream.concat(
                          Stream.of(
                              "node",
                              cli.toString(),
                              "--host",
                              HOST,
                              "--port",
                              Integer.toString(port),
                              "--createTableMs",
                              "0",
                              "--deleteTableMs",
                              "0",
                              "--updateTableMs",
                              "0"),
                          options.stream())
                      .toList())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot start dynalite: node is not installed or not on the PATH ("
              + e.getMessage()
              + "). Install Node.js and run the build (./mvnw verify), which installs dynalite.",
          e);
    }
    DynaliteServer server = new DynaliteServer(process, port);
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "Cannot start dynalite: it exited with code "
                          + process.exitValue()
                          + ": "
                          + server.output());
                }
                return accepts(port);
              });
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** The HTTP endpoint to point a DynamoDB client at. */
  public URI endpoint() {
    return URI.create("http://" + HOST + ":" + port);
  }

  /** What dynalite printed last, for failure messages. */
  public String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** {@code standins.tools.dir} as the build passes it, else {@code .build/tools} found upwards. */
  static Path toolsDir() {
    String property = System.getProperty("standins.tools.dir");
    if (property != null && !property.isBlank()) {
      return Paths.get(property);
    }
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(".build/tools");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "Cannot find the test tools: neither the system property standins.tools.dir is set nor is"
            + " there a .build/tools directory above "
            + Paths.get("").toAbsolutePath()
            + ". Run the build (./mvnw verify), which installs them.");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free loopback port for dynalite", e);
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void drain(InputStream stream, String name) {
    Thread thread =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  synchronized (output) {
                    output.addLast(name + ": " + line);
                    if (output.size() > OUTPUT_LINES_KEPT) {
                      output.removeFirst();
                    }
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "dynalite-" + name);
    thread.setDaemon(true);
    thread.start();
  }
}
