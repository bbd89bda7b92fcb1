package io.sluice.local;

import io.quarkus.runtime.StartupEvent;
import io.sluice.function.SluiceConfig;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Prints where the local server listens and a first command to try. */
public class StartupNotice {
  @Inject SluiceConfig config;

  @ConfigProperty(name = "quarkus.http.port")
  int port;

  void onStart(@Observes StartupEvent event) {
    String url = "http://localhost:" + port;
    System.out.printf(
        "%nSluice is running at %s (data in %s)%nTry:%n"
            + "  curl -X PUT %s/v1/tables/demo -H 'Content-Type: application/json' \\%n"
            + "       -d '{\"columns\": [{\"name\": \"msg\", \"type\": \"string\"}]}'%n%n",
        url, Path.of(config.dataDir()).toAbsolutePath(), url);
  }
}
