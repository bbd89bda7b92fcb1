package io.sluice.local;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The embedded shape with a write budget of 1000 bytes. */
public class WriteBudgetProfile implements QuarkusTestProfile {
  static final long BUDGET = 1000;

  @Override
  public Map<String, String> getConfigOverrides() {
    return EmbeddedProfile.withCommon(
        Map.of(
            "sluice.data-dir",
            EmbeddedProfile.dataDir("write-budget").toString(),
            "sluice.write.max-queued-bytes",
            String.valueOf(BUDGET)));
  }
}
