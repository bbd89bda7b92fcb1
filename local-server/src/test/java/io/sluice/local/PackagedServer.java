package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged local server ({@code quarkus-run.jar}, built in {@code package} before failsafe
 * runs) started as its own JVM, for tests that kill it.
 */
final class PackagedServer {
  static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

  private PackagedServer() {}

  /**
   * Starts the server on {@code port} with its data under {@code dataDir} and {@code settings} as
   * system properties, its output appended to {@code dataDir/server.log}; returns once it is
   * healthy.
   */
  static Process start(Path dataDir, int port, Map<String, String> settings) throws IOException {
    assertThat(JAR).as("the packaged server (run the package phase first)").isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    command.add("-Dquarkus.http.host=127.0.0.1");
    command.add("-Dquarkus.http.port=" + port);
    command.add("-Dsluice.data-dir=" + dataDir);
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile()))
            .start();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health"))
            .timeout(Duration.ofSeconds(2))
            .build();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              assertThat(process.isAlive()).as("server (log: %s)", dataDir).isTrue();
              return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            });
    return process;
  }

  /** A loopback port nothing listens on now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
