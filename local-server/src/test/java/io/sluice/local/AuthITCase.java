package io.sluice.local;

import static io.sluice.local.ServerScenarios.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With {@code sluice.auth-token} set, every /v1 call needs the bearer token; /q does not. */
@QuarkusTest
@TestProfile(AuthProfile.class)
class AuthITCase {
  @TestHTTPResource("/")
  URI base;

  @Test
  void v1CallsNeedTheBearerToken() {
    SluiceHttp anonymous = new SluiceHttp(base);
    assertError(anonymous.get("/v1/tables"), 401, "UNAUTHENTICATED", "Authorization");
    assertError(
        anonymous.putJson("/v1/tables/secured", TypedRows.definition(1)),
        401,
        "UNAUTHENTICATED",
        "Authorization");

    SluiceHttp wrong = new SluiceHttp(base).withHeaders(Map.of("Authorization", "Bearer guess"));
    assertError(wrong.get("/v1/tables"), 401, "UNAUTHENTICATED", "token");
    SluiceHttp basic = new SluiceHttp(base).withHeaders(Map.of("Authorization", "Basic czNjcmV0"));
    assertError(basic.get("/v1/tables"), 401, "UNAUTHENTICATED", "Bearer");

    SluiceHttp right =
        new SluiceHttp(base).withHeaders(Map.of("Authorization", "Bearer " + AuthProfile.TOKEN));
    SluiceHttp.Answer created = right.putJson("/v1/tables/secured", TypedRows.definition(1));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    SluiceHttp.Answer listed = right.get("/v1/tables");
    assertThat(listed.status()).as("%s", listed).isEqualTo(200);
    assertThat(ServerScenarios.names(listed.json())).contains("default.secured");
    assertThat(right.postJson("/v1/tables/secured/rows", "[{\"id\": 1}]").status()).isEqualTo(200);
    assertThat(right.get("/v1/tables/secured/buckets/0/records").json()).hasSize(1);

    // Nothing was written by the refused calls.
    assertError(
        anonymous.postJson("/v1/tables/secured/rows", "[{\"id\": 2}]"),
        401,
        "UNAUTHENTICATED",
        "Authorization");
    assertThat(ServerScenarios.highWatermarks(right, "secured")).containsExactly(1);
  }

  @Test
  void theIcebergCatalogNeedsTheBearerTokenToo() {
    assertError(
        new SluiceHttp(base).get("/iceberg/v1/config"), 401, "UNAUTHENTICATED", "Authorization");
    SluiceHttp right =
        new SluiceHttp(base).withHeaders(Map.of("Authorization", "Bearer " + AuthProfile.TOKEN));
    SluiceHttp.Answer config = right.get("/iceberg/v1/config");
    assertThat(config.status()).as("%s", config).isEqualTo(200);
  }

  @Test
  void operationsEndpointsNeedNoToken() {
    SluiceHttp anonymous = new SluiceHttp(base);
    SluiceHttp.Answer health = anonymous.get("/q/health");
    assertThat(health.status()).as("%s", health).isEqualTo(200);
    assertThat(health.json().path("status").asText()).isEqualTo("UP");
    assertThat(anonymous.get("/q/metrics").status()).isEqualTo(200);
  }
}
