package io.sluice.local;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The embedded shape with an administrator token and a grants file of two more tokens. */
public class GrantsProfile implements QuarkusTestProfile {
  static final String ADMIN = "admin-token-0123456789";
  static final String ANALYSTS = "analysts-token-0123456789";
  static final String LOADER = "loader-token-0123456789";

  @Override
  public Map<String, String> getConfigOverrides() {
    Path dir = EmbeddedProfile.dataDir("grants");
    Path grants = dir.resolve("grants.json");
    try {
      Files.createDirectories(dir);
      Files.writeString(
          grants,
          """
          {"tokens": [
            {"name": "analysts", "token": "%s", "grants": {"read": ["sales.*"]}},
            {"name": "loader", "token": "%s", "grants": {"write": ["sales.orders"]}}]}
          """
              .formatted(ANALYSTS, LOADER));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return EmbeddedProfile.withCommon(
        Map.of(
            "sluice.data-dir",
            dir.toString(),
            "sluice.auth-token",
            ADMIN,
            "sluice.auth-grants-file",
            grants.toString()));
  }
}
