package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.client.SluiceClient;
import io.sluice.client.TableDefinition;
import io.sluice.client.TableWriter;
import io.sluice.client.WriterOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Iceberg's REST catalog at {@code /iceberg} over the tables Sluice tiers: what an engine's REST
 * client asks (config, namespaces, tables, load), and every change refused.
 */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class IcebergCatalogITCase {
  @TestHTTPResource("/")
  URI base;

  @Test
  void engineFindsAndLoadsTheTieredTableAndCannotChangeIt() throws Exception {
    long snapshot;
    try (SluiceClient client = SluiceClient.builder(base).build()) {
      client.create(
          "rest_orders",
          TableDefinition.builder()
              .requiredColumn("id", "bigint")
              .column("name", "string")
              .bucketKey("id")
              .buckets(2)
              .lakeFormats("iceberg")
              .build());
      try (TableWriter writer = client.writer("rest_orders", WriterOptions.defaults())) {
        for (long id = 0; id < 5; id++) {
          writer.write(Map.of("id", id, "name", "n" + id));
        }
      }
      snapshot = client.tier("rest_orders", Duration.ofSeconds(25)).orElseThrow().get("iceberg");
    }
    SluiceHttp http = new SluiceHttp(base);

    SluiceHttp.Answer config = http.get("/iceberg/v1/config");
    assertThat(config.status()).as("%s", config).isEqualTo(200);
    List<String> endpoints = new ArrayList<>();
    config.json().path("endpoints").forEach(e -> endpoints.add(e.asText()));
    assertThat(endpoints)
        .contains(
            "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
            "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}")
        .doesNotContain("POST /v1/{prefix}/namespaces/{namespace}/tables/{table}");

    assertThat(http.get("/iceberg/v1/namespaces").json().path("namespaces").toString())
        .contains("[\"default\"]");
    assertThat(http.get("/iceberg/v1/namespaces/default/tables").json().path("identifiers"))
        .anySatisfy(id -> assertThat(id.path("name").asText()).isEqualTo("rest_orders"));

    SluiceHttp.Answer loaded = http.get("/iceberg/v1/namespaces/default/tables/rest_orders");
    assertThat(loaded.status()).as("%s", loaded).isEqualTo(200);
    JsonNode metadata = loaded.json().path("metadata");
    assertThat(loaded.json().path("metadata-location").asText()).endsWith(".metadata.json");
    assertThat(metadata.path("current-snapshot-id").asLong()).isEqualTo(snapshot);
    assertThat(metadata.path("properties").path("sluice.table-id").asText()).isNotEmpty();
    assertThat(
            http.send(
                    "HEAD",
                    "/iceberg/v1/namespaces/default/tables/rest_orders",
                    null,
                    null,
                    Map.of())
                .status())
        .isEqualTo(204);

    SluiceHttp.Answer missing = http.get("/iceberg/v1/namespaces/default/tables/nope");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("error").path("type").asText())
        .isEqualTo("NoSuchTableException");

    SluiceHttp.Answer commit =
        http.post(
            "/iceberg/v1/namespaces/default/tables/rest_orders",
            SluiceHttp.JSON,
            "{\"requirements\": [], \"updates\": []}".getBytes(StandardCharsets.UTF_8));
    assertThat(commit.status()).as("%s", commit).isEqualTo(403);
    assertThat(commit.json().path("error").path("message").asText())
        .startsWith(
            "Sluice's Iceberg catalog is read-only: its tables are written only by Sluice's");
    SluiceHttp.Answer drop = http.delete("/iceberg/v1/namespaces/default/tables/rest_orders");
    assertThat(drop.status()).isEqualTo(403);
    SluiceHttp.Answer metrics =
        http.post(
            "/iceberg/v1/namespaces/default/tables/rest_orders/metrics",
            SluiceHttp.JSON,
            "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(metrics.status()).isEqualTo(204);
    assertThat(http.get("/iceberg/v1/namespaces/default/tables/rest_orders").status())
        .as("still there")
        .isEqualTo(200);
  }
}
