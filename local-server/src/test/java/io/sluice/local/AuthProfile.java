package io.sluice.local;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The embedded shape with a bearer token required on /v1. */
public class AuthProfile implements QuarkusTestProfile {
  static final String TOKEN = "s3cret";

  @Override
  public Map<String, String> getConfigOverrides() {
    return EmbeddedProfile.withCommon(
        Map.of(
            "sluice.data-dir",
            EmbeddedProfile.dataDir("auth").toString(),
            "sluice.auth-token",
            TOKEN));
  }
}
