package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.Test;

/**
 * Union scans over HTTP on the embedded shape: while writers write and tiering commits, every scan
 * returns each row acknowledged before it started exactly once, from Paimon and from Iceberg;
 * projections, filters, sources, formats and bad requests.
 */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class UnionScanITCase {
  @TestHTTPResource("/")
  URI base;

  SluiceHttp http() {
    return new SluiceHttp(base);
  }

  @Test
  void scansDuringWritesAndTieringSeeEveryAcknowledgedRowOnceWithPaimon() throws Exception {
    scansSeeEveryAcknowledgedRowOnce("scan_paimon", List.of("paimon", "iceberg"), "paimon");
  }

  @Test
  void scansDuringWritesAndTieringSeeEveryAcknowledgedRowOnceWithIceberg() throws Exception {
    scansSeeEveryAcknowledgedRowOnce("scan_iceberg", List.of("paimon", "iceberg"), "iceberg");
  }

  private void scansSeeEveryAcknowledgedRowOnce(String table, List<String> formats, String lake)
      throws Exception {
    SluiceHttp http = http();
    assertThat(
            http.putJson("/v1/tables/" + table, TieringITCase.definition(formats, null)).status())
        .isEqualTo(201);
    Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicLong nextId = new AtomicLong(1);
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService executor = Executors.newFixedThreadPool(3);
    List<Future<?>> work = new ArrayList<>();
    for (int writer = 0; writer < 2; writer++) {
      int seed = writer;
      work.add(
          executor.submit(
              () -> {
                while (!stop.get()) {
                  long first = nextId.getAndAdd(40);
                  List<TieringITCase.Order> orders = TieringITCase.orders(first, 40, seed + first);
                  SluiceHttp.Answer answer =
                      http.post(
                          "/v1/tables/" + table + "/rows",
                          SluiceHttp.JSON,
                          TieringITCase.jsonBody(orders));
                  assertThat(answer.status()).as("%s", answer).isEqualTo(200);
                  orders.forEach(o -> acknowledged.add(o.id()));
                }
                return null;
              }));
    }
    work.add(
        executor.submit(
            () -> {
              while (!stop.get()) {
                TieringITCase.tier(http, table);
              }
              return null;
            }));
    int tieredScans = 0;
    try {
      for (int round = 0; round < 12 || tieredScans < 3; round++) {
        Set<Long> before = new HashSet<>(acknowledged);
        SluiceHttp.Answer scan = http.get("/v1/tables/" + table + "/scan?columns=id&lake=" + lake);
        assertThat(scan.status()).as("%s", scan).isEqualTo(200);
        List<Long> ids = ids(scan.json());
        Set<Long> scanned = new HashSet<>(ids);
        assertThat(scanned).as("no row twice").hasSize(ids.size());
        assertThat(before.stream().filter(id -> !scanned.contains(id)).toList())
            .as("rows acknowledged before the scan but missing from it")
            .isEmpty();
        if (scan.header("Sluice-Lake-Snapshot").isPresent()) {
          tieredScans++;
        }
        assertThat(round).as("tiering committed during the scans").isLessThan(200);
      }
    } finally {
      stop.set(true);
      for (Future<?> f : work) {
        f.get();
      }
      executor.shutdown();
    }
    TieringITCase.tier(http, table);
    SluiceHttp.Answer lakeOnly = http.get("/v1/tables/" + table + "/scan?source=lake&lake=" + lake);
    SluiceHttp.Answer union = http.get("/v1/tables/" + table + "/scan");
    List<Long> expected = acknowledged.stream().sorted().toList();
    assertThat(ids(lakeOnly.json()).stream().sorted().toList()).isEqualTo(expected);
    assertThat(ids(union.json()).stream().sorted().toList()).isEqualTo(expected);
  }

  @Test
  void filtersProjectsAndTellsWhereToFollowTheLog() throws Exception {
    SluiceHttp http = http();
    String table = "scan_filtered";
    assertThat(
            http.putJson("/v1/tables/" + table, TieringITCase.definition(List.of("paimon"), null))
                .status())
        .isEqualTo(201);
    List<TieringITCase.Order> first = TieringITCase.orders(1, 300, 5);
    List<TieringITCase.Order> second = TieringITCase.orders(301, 200, 6);
    TieringITCase.write(http, table, first, 100);
    TieringITCase.tier(http, table);
    TieringITCase.write(http, table, second, 100);
    List<TieringITCase.Order> all = new ArrayList<>(first);
    all.addAll(second);

    String filter =
        """
        {"columns": ["id", "amount"],
         "filter": {"and": [{"column": "amount", "op": ">", "value": "0"},
                            {"column": "customer", "op": "is_not_null"}]}}
        """;
    SluiceHttp.Answer scan = http.postJson("/v1/tables/" + table + "/scan", filter);
    assertThat(scan.status()).as("%s", scan).isEqualTo(200);
    List<Long> expected =
        all.stream()
            .filter(o -> o.amount() != null && o.amount().signum() > 0 && o.customer() != null)
            .map(TieringITCase.Order::id)
            .toList();
    assertThat(ids(scan.json())).containsExactlyInAnyOrderElementsOf(expected);
    for (JsonNode row : scan.json()) {
      assertThat(SluiceHttp.MAPPER.convertValue(row, Map.class)).containsOnlyKeys("id", "amount");
      assertThat(new BigDecimal(row.path("amount").asText())).isPositive();
    }
    assertThat(
            TieringITCase.offsets(
                SluiceHttp.MAPPER.readTree(scan.header("Sluice-Scan-Offsets").orElseThrow())))
        .isEqualTo(TieringITCase.highWatermarks(http, table));

    SluiceHttp.Answer log = http.get("/v1/tables/" + table + "/scan?source=log&columns=id");
    assertThat(ids(log.json())).hasSize(500);
    SluiceHttp.Answer lake = http.get("/v1/tables/" + table + "/scan?source=lake&columns=id");
    assertThat(ids(lake.json()))
        .containsExactlyInAnyOrderElementsOf(first.stream().map(TieringITCase.Order::id).toList());
    SluiceHttp.Answer limited = http.get("/v1/tables/" + table + "/scan?columns=id&limit=7");
    assertThat(ids(limited.json())).hasSize(7);

    SluiceHttp.Answer arrow = http.get("/v1/tables/" + table + "/scan?columns=id&format=arrow");
    assertThat(arrow.header("Content-Type")).contains(SluiceHttp.ARROW);
    List<Long> arrowIds = new ArrayList<>();
    try (RootAllocator allocator = new RootAllocator();
        ArrowStreamReader reader =
            new ArrowStreamReader(new ByteArrayInputStream(arrow.bytes()), allocator)) {
      while (reader.loadNextBatch()) {
        BigIntVector id = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
        for (int i = 0; i < id.getValueCount(); i++) {
          arrowIds.add(id.get(i));
        }
      }
    }
    assertThat(arrowIds)
        .containsExactlyInAnyOrderElementsOf(all.stream().map(TieringITCase.Order::id).toList());
  }

  @Test
  void badScansAreRefusedWithTheReason() {
    SluiceHttp http = http();
    String table = "scan_refused";
    assertThat(
            http.putJson("/v1/tables/" + table, TieringITCase.definition(List.of("paimon"), null))
                .status())
        .isEqualTo(201);
    String path = "/v1/tables/" + table + "/scan";
    ServerScenarios.assertError(
        http.get(path + "?columns=id,price"), 400, "INVALID_PARAMETER", "price");
    ServerScenarios.assertError(
        http.get(path + "?source=everything"), 400, "INVALID_PARAMETER", "source", "everything");
    ServerScenarios.assertError(
        http.get(path + "?lake=iceberg"), 400, "INVALID_PARAMETER", "iceberg", "paimon");
    ServerScenarios.assertError(
        http.postJson(
            path, "{\"filter\": {\"column\": \"amount\", \"op\": \">\", \"value\": \"ten\"}}"),
        400,
        "INVALID_PARAMETER",
        "filter: column amount",
        "decimal(12,2)");
    ServerScenarios.assertError(
        http.postJson(path, "{\"columns\": \"id\"}"), 400, "INVALID_PARAMETER", "columns");
    ServerScenarios.assertError(http.postJson(path, "{"), 400, "MALFORMED_BODY", "JSON");
    ServerScenarios.assertError(
        http.get("/v1/tables/no_such_table/scan"), 404, "TABLE_NOT_FOUND", "no_such_table");
  }

  private static List<Long> ids(JsonNode rows) {
    assertThat(rows.isArray()).as("%s", rows).isTrue();
    List<Long> ids = new ArrayList<>();
    rows.forEach(row -> ids.add(row.path("id").asLong()));
    return ids;
  }
}
