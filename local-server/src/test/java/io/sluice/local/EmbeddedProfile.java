package io.sluice.local;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** The one-machine shape: objects in a local directory, metadata in SQLite, under a fresh dir. */
public class EmbeddedProfile implements QuarkusTestProfile {
  @Override
  public Map<String, String> getConfigOverrides() {
    return withCommon(
        Map.of(
            "sluice.data-dir",
            dataDir("embedded").toString(),
            "sluice.max-body-bytes",
            Integer.toString(ServerScenarios.MAX_BODY_BYTES)));
  }

  /** Adds what every profile needs (nothing yet: one place to put it when there is). */
  static Map<String, String> withCommon(Map<String, String> overrides) {
    return Map.copyOf(overrides);
  }

  /** A fresh directory under target/, removed with the build output. */
  static Path dataDir(String shape) {
    return Path.of("target", "it-data", shape + "-" + UUID.randomUUID()).toAbsolutePath();
  }
}
