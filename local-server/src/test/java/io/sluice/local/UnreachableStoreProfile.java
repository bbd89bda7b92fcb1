package io.sluice.local;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The metadata store is DynamoDB at a closed loopback port: nothing answers there. */
public class UnreachableStoreProfile implements QuarkusTestProfile {
  @Override
  public Map<String, String> getConfigOverrides() {
    return EmbeddedProfile.withCommon(
        Map.of(
            "sluice.data-dir", EmbeddedProfile.dataDir("unreachable").toString(),
            "sluice.metadata.uri", "dynamodb:x",
            "sluice.metadata.endpoint", "http://127.0.0.1:1",
            "sluice.metadata.create-table", "false",
            "sluice.metadata.access-key", "sluice",
            "sluice.metadata.secret-key", "sluice"));
  }
}
