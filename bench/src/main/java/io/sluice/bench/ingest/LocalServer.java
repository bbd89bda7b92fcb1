package io.sluice.bench.ingest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Quarkus local server ({@code quarkus-run.jar}) as a child process on a loopback port. */
final class LocalServer implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(120);

  private final Process process;
  private final int port;
  private final Path log;

  private LocalServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts the server with its data under {@code dataDir} and the given {@code sluice.*} settings
   * (none: embedded defaults, local files and SQLite), and waits until {@code /q/health} is up.
   */
  static LocalServer start(Path jar, Path dataDir, Map<String, String> settings, Path log)
      throws IOException {
    return start(jar, dataDir, settings, log, List.of());
  }

  /** Starts the server as {@link #start(Path, Path, Map, Path)} does, with more JVM options. */
  static LocalServer start(
      Path jar, Path dataDir, Map<String, String> settings, Path log, List<String> jvmOptions)
      throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " is missing: build it with ./mvnw -q -B package -DskipTests"
              + " -Dspotless.check.skip=true -pl local-server -am (run-ingest-bench.sh does)");
    }
    Files.createDirectories(dataDir);
    int port = Processes.freePort();
    List<String> command = new ArrayList<>();
    command.add(Processes.java());
    command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    command.addAll(jvmOptions);
    command.add("-Dquarkus.http.host=" + Processes.HOST);
    command.add("-Dquarkus.http.port=" + port);
    command.add("-Dsluice.data-dir=" + dataDir);
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-jar");
    command.add(jar.toString());
    Process process = Processes.start(command, log);
    LocalServer server = new LocalServer(process, port, log);
    server.awaitHealthy();
    return server;
  }

  long pid() {
    return process.pid();
  }

  URI base() {
    return URI.create("http://" + Processes.HOST + ":" + port);
  }

  private void awaitHealthy() {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The local server exited with code "
                + process.exitValue()
                + ":\n"
                + Processes.tail(log, 40));
      }
      try {
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(base().resolve("/q/health"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      Processes.sleep(250);
    }
    close();
    throw new IllegalStateException(
        "The local server was not healthy within " + STARTUP + ":\n" + Processes.tail(log, 40));
  }

  @Override
  public void close() {
    Processes.stop(process);
  }
}
