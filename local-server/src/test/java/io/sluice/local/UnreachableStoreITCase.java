package io.sluice.local;

import static io.sluice.local.ServerScenarios.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The server starts although its metadata store cannot be reached, reports itself DOWN, and answers
 * API calls with 503 UNAVAILABLE and Retry-After.
 */
@QuarkusTest
@TestProfile(UnreachableStoreProfile.class)
class UnreachableStoreITCase {
  @TestHTTPResource("/")
  URI base;

  @Test
  void healthIsDownWhileTheMetadataStoreIsUnreachable() {
    SluiceHttp http = new SluiceHttp(base);
    SluiceHttp.Answer health = http.get("/q/health");
    assertThat(health.status()).as("%s", health).isEqualTo(503);
    assertThat(health.json().path("status").asText()).isEqualTo("DOWN");
    JsonNode stores =
        StreamSupport.stream(health.json().path("checks").spliterator(), false)
            .filter(c -> c.path("name").asText().equals("stores"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("No stores check in " + health));
    assertThat(stores.path("status").asText()).isEqualTo("DOWN");
    assertThat(stores.path("data").path("metadata").asText())
        .as("the check names what failed")
        .isNotBlank()
        .isNotEqualTo("up");

    assertThat(http.get("/q/health/live").status())
        .as("the process itself is alive")
        .isEqualTo(200);
  }

  @Test
  void apiCallsAnswerUnavailableWithRetryAfter() {
    SluiceHttp http = new SluiceHttp(base);
    SluiceHttp.Answer list = http.get("/v1/tables");
    assertError(list, 503, "UNAVAILABLE", "");
    assertThat(list.header("Retry-After")).as("%s", list).isPresent();
    SluiceHttp.Answer write = http.postJson("/v1/tables/anything/rows", "[{\"id\": 1}]");
    assertError(write, 503, "UNAVAILABLE", "");
    assertThat(write.header("Retry-After")).as("%s", write).isPresent();
  }
}
