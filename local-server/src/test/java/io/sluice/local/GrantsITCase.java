package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Per-table access: tokens of a grants file may read, write or administer the tables their patterns
 * name, on every endpoint (tables, rows, records, scans, SQL, the Iceberg catalog), and are refused
 * with 403 FORBIDDEN elsewhere, having changed nothing.
 */
@QuarkusTest
@TestProfile(GrantsProfile.class)
class GrantsITCase {
  @TestHTTPResource("/")
  URI base;

  @Test
  void eachTokenReachesOnlyWhatItsGrantsCover() {
    SluiceHttp admin = as(GrantsProfile.ADMIN);
    SluiceHttp analysts = as(GrantsProfile.ANALYSTS);
    SluiceHttp loader = as(GrantsProfile.LOADER);
    String definition =
        "{\"columns\": [{\"name\": \"id\", \"type\": \"bigint\", \"nullable\": false}],"
            + " \"bucketKey\": [\"id\"], \"buckets\": 1, \"lake\": {\"formats\": [\"iceberg\"]}}";
    assertThat(admin.putJson("/v1/tables/sales.orders", definition).status()).isEqualTo(201);
    assertThat(admin.putJson("/v1/tables/hr.salaries", definition).status()).isEqualTo(201);

    // Creating, dropping and tiering need admin.
    forbidden(
        analysts.putJson("/v1/tables/sales.more", definition),
        "analysts may not admin table sales.more");
    forbidden(loader.delete("/v1/tables/sales.orders"), "loader may not admin table sales.orders");
    forbidden(
        loader.post("/v1/tables/sales.orders/tier", SluiceHttp.JSON, new byte[0]),
        "loader may not admin table sales.orders");

    // Writing needs write; reading needs read.
    assertThat(loader.postJson("/v1/tables/sales.orders/rows", "[{\"id\": 1}]").status())
        .isEqualTo(200);
    forbidden(
        analysts.postJson("/v1/tables/sales.orders/rows", "[{\"id\": 2}]"),
        "analysts may not write table sales.orders");
    forbidden(
        loader.get("/v1/tables/sales.orders/buckets/0/records"),
        "loader may not read table sales.orders");
    assertThat(analysts.get("/v1/tables/sales.orders/buckets/0/records").json()).hasSize(1);
    forbidden(analysts.get("/v1/tables/hr.salaries"), "analysts may not read table hr.salaries");
    forbidden(
        analysts.postJson("/v1/tables/hr.salaries/scan", "{}"),
        "analysts may not read table hr.salaries");
    assertThat(ServerScenarios.names(analysts.get("/v1/tables").json()))
        .containsExactly("sales.orders");
    assertThat(ServerScenarios.names(loader.get("/v1/tables").json())).isEmpty();

    // SQL checks every table a query reads.
    SluiceHttp.Answer count =
        analysts.postJson("/v1/sql", "{\"sql\": \"SELECT COUNT(*) AS n FROM sales.orders\"}");
    assertThat(count.json().path(0).path("n").asLong()).as("%s", count).isEqualTo(1);
    forbidden(
        analysts.postJson(
            "/v1/sql",
            "{\"sql\": \"SELECT * FROM sales.orders o JOIN hr.salaries s ON o.id = s.id\"}"),
        "analysts may not read table hr.salaries");

    // The Iceberg catalog: loading needs read, listings show only what may be read.
    assertThat(admin.post("/v1/tables/hr.salaries/tier", SluiceHttp.JSON, new byte[0]).status())
        .isIn(200, 202);
    forbidden(
        analysts.get("/iceberg/v1/namespaces/hr/tables/salaries"),
        "analysts may not read table hr.salaries");
    assertThat(analysts.get("/iceberg/v1/namespaces/hr/tables").json().path("identifiers"))
        .isEmpty();
    assertThat(admin.get("/iceberg/v1/namespaces/hr/tables").json().path("identifiers")).hasSize(1);

    // Nothing the refused calls asked for happened.
    assertThat(ServerScenarios.names(admin.get("/v1/tables").json()))
        .containsExactlyInAnyOrder("sales.orders", "hr.salaries");
    assertThat(ServerScenarios.highWatermarks(admin, "sales.orders")).containsExactly(1);
  }

  private SluiceHttp as(String token) {
    return new SluiceHttp(base).withHeaders(Map.of("Authorization", "Bearer " + token));
  }

  private static void forbidden(SluiceHttp.Answer answer, String message) {
    assertThat(answer.status()).as("%s", answer).isEqualTo(403);
    assertThat(answer.errorCode()).isEqualTo("FORBIDDEN");
    assertThat(answer.errorMessage()).as("%s", answer).startsWith(message);
  }
}
