package io.sluice.cli;

import io.sluice.client.SluiceClient;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** Where a command line reads, prints and resolves files, and its environment. */
record Terminal(
    InputStream in,
    PrintWriter out,
    PrintWriter err,
    Map<String, String> environment,
    Path workingDirectory,
    boolean interactive) {
  static final String DEFAULT_ENDPOINT = "http://localhost:8080";

  /** A file argument, relative to the working directory. */
  Path file(String name) {
    return workingDirectory.resolve(name);
  }

  /** A client of the endpoint given, else {@code SLUICE_ENDPOINT}, else the local default. */
  SluiceClient client(String endpoint) {
    String chosen =
        endpoint != null ? endpoint : environment.getOrDefault("SLUICE_ENDPOINT", DEFAULT_ENDPOINT);
    SluiceClient.Builder builder = SluiceClient.builder(URI.create(chosen));
    String token = environment.get("SLUICE_TOKEN");
    if (token != null && !token.isEmpty()) {
      builder.token(token);
    }
    return builder.build();
  }
}
