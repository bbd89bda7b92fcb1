package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/sql} on the embedded shape: the union, lake, log and snapshot views. */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class SqlITCase {
  @TestHTTPResource("/")
  URI base;

  private SluiceHttp.Answer sql(String query) {
    return new SluiceHttp(base)
        .postJson("/v1/sql", SluiceHttp.MAPPER.createObjectNode().put("sql", query).toString());
  }

  private JsonNode firstRow(String query) {
    SluiceHttp.Answer answer = sql(query);
    assertThat(answer.status()).as("%s", answer).isEqualTo(200);
    return answer.json().get(0);
  }

  @Test
  void theUnionAddsExactlyTheUntieredRowsToTheLake() throws Exception {
    SluiceHttp http = new SluiceHttp(base);
    String table = "sql_orders";
    assertThat(
            http.putJson(
                    "/v1/tables/" + table,
                    TieringITCase.definition(List.of("iceberg", "paimon"), null))
                .status())
        .isEqualTo(201);
    List<TieringITCase.Order> tiered = TieringITCase.orders(1, 400, 21);
    List<TieringITCase.Order> fresh = TieringITCase.orders(401, 150, 22);
    TieringITCase.write(http, table, tiered, 200);
    TieringITCase.tier(http, table);
    TieringITCase.write(http, table, fresh, 75);
    List<TieringITCase.Order> all = new ArrayList<>(tiered);
    all.addAll(fresh);

    String aggregates = "SELECT COUNT(*) AS n, SUM(amount) AS total FROM ";
    JsonNode lake = firstRow(aggregates + table + "$lake");
    assertThat(lake.path("n").asLong()).isEqualTo(400);
    assertThat(new BigDecimal(lake.path("total").asText())).isEqualByComparingTo(sum(tiered));
    JsonNode paimon = firstRow(aggregates + "\"default\"." + table + "$lake_paimon");
    assertThat(paimon.path("n").asLong()).isEqualTo(400);
    JsonNode union = firstRow(aggregates + table);
    assertThat(union.path("n").asLong()).isEqualTo(550);
    assertThat(new BigDecimal(union.path("total").asText())).isEqualByComparingTo(sum(all));
    assertThat(firstRow("SELECT COUNT(*) AS n FROM " + table + "$log").path("n").asLong())
        .isEqualTo(550);

    SluiceHttp.Answer snapshots =
        sql("SELECT lake, snapshot_id, offsets FROM " + table + "$lake$snapshots ORDER BY lake");
    assertThat(snapshots.status()).as("%s", snapshots).isEqualTo(200);
    assertThat(snapshots.json()).hasSize(2);
    for (JsonNode snapshot : snapshots.json()) {
      Map<Integer, Long> offsets =
          TieringITCase.offsets(SluiceHttp.MAPPER.readTree(snapshot.path("offsets").asText()));
      assertThat(offsets.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(400);
    }

    SluiceHttp.Answer ndjson =
        new SluiceHttp(base)
            .postJson(
                "/v1/sql?format=ndjson",
                "{\"sql\": \"SELECT id FROM " + table + " WHERE id <= 3 ORDER BY id\"}");
    assertThat(ndjson.status()).as("%s", ndjson).isEqualTo(200);
    assertThat(ndjson.text()).isEqualTo("{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n");
  }

  @Test
  void refusesWritesBadSqlAndUnknownNamesWithTheReason() {
    SluiceHttp http = new SluiceHttp(base);
    assertThat(
            http.putJson("/v1/tables/sql_refused", TieringITCase.definition(List.of(), null))
                .status())
        .isEqualTo(201);
    ServerScenarios.assertError(sql("DROP TABLE sql_refused"), 400, "INVALID_SQL", "read-only");
    ServerScenarios.assertError(
        sql("INSERT INTO sql_refused VALUES (1, 'a', 1.0, NULL)"), 400, "INVALID_SQL", "read-only");
    ServerScenarios.assertError(sql("SELECT FROM WHERE"), 400, "INVALID_SQL", "syntax error");
    ServerScenarios.assertError(
        sql("SELECT * FROM no_such_table"), 400, "INVALID_SQL", "no_such_table");
    ServerScenarios.assertError(
        sql("SELECT colour FROM sql_refused"), 400, "INVALID_SQL", "colour");
    ServerScenarios.assertError(
        sql("SELECT * FROM sql_refused$lake"), 400, "INVALID_SQL", "no lake format");
    ServerScenarios.assertError(
        http.postJson("/v1/sql", "{\"query\": \"SELECT 1\"}"), 400, "MALFORMED_BODY", "sql");
  }

  private static BigDecimal sum(List<TieringITCase.Order> orders) {
    return orders.stream()
        .map(TieringITCase.Order::amount)
        .filter(Objects::nonNull)
        .reduce(BigDecimal.ZERO, BigDecimal::add);
  }
}
