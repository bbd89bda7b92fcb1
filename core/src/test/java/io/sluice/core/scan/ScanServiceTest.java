package io.sluice.core.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.TestingSluice;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.TestingLakeFormat;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.TableService;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import io.sluice.core.tiering.TieringService;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Union scans: exactly once across the lake/log boundary, projection, filters and limits. */
class ScanServiceTest {
  private static final TableName ORDERS = TableName.parse("orders");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestingSluice sluice = new TestingSluice();
  private final TestingLakeFormat paimon = new TestingLakeFormat(LakeFormatName.PAIMON);
  private final TestingLakeFormat iceberg = new TestingLakeFormat(LakeFormatName.ICEBERG);
  private final LakeFormats lakes = LakeFormats.of(paimon, iceberg);
  private final AtomicLong nextId = new AtomicLong();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private TableService tables;
  private TieringService tiering;
  private ScanService scans;

  @BeforeEach
  void createTable() {
    tables = sluice.tables();
    tiering = sluice.tiering(lakes);
    scans =
        new ScanService(
            tables,
            sluice.metadata(),
            sluice.reads(sluice.objects()),
            Optional.of(lakes),
            sluice.allocator());
    sluice.create(
        ORDERS,
        """
        {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                     {"name": "amount", "type": "decimal(10,2)"},
                     {"name": "note", "type": "string"}],
         "buckets": 3, "lake": {"formats": ["paimon", "iceberg"]}}
        """);
  }

  @AfterEach
  void close() {
    executor.shutdownNow();
    sluice.close();
  }

  /** Writes one request of {@code rows} rows with fresh ids; amount is id/100, note null on odd. */
  private void write(int rows) {
    long first = nextId.getAndAdd(rows);
    String body =
        LongStream.range(first, first + rows)
            .mapToObj(
                id ->
                    "{\"id\": %d, \"amount\": \"%s\", \"note\": %s}"
                        .formatted(
                            id,
                            BigDecimal.valueOf(id, 2).toPlainString(),
                            id % 2 == 0 ? "\"n" + id + "\"" : "null"))
            .collect(Collectors.joining(",", "[", "]"));
    sluice.append(ORDERS, body);
  }

  private List<Map<String, Object>> scan(ScanService.Request request) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (TableScan scan = scans.scan(request)) {
      while (scan.next()) {
        VectorSchemaRoot batch = scan.batch();
        for (int row = 0; row < batch.getRowCount(); row++) {
          Map<String, Object> values = new java.util.LinkedHashMap<>();
          for (var vector : batch.getFieldVectors()) {
            values.put(vector.getName(), ArrowValues.get(vector, row));
          }
          rows.add(values);
        }
      }
    }
    return rows;
  }

  private List<Long> ids(ScanService.Request request) {
    return scan(request).stream().map(r -> (Long) r.get("id")).toList();
  }

  private static ScanService.Request request(ScanSource source, Optional<LakeFormatName> lake) {
    return new ScanService.Request(
        ORDERS, Optional.empty(), Optional.empty(), source, lake, Long.MAX_VALUE);
  }

  private static ScanService.Request filtered(String filter) throws Exception {
    JsonNode node = JSON.readTree(filter);
    return new ScanService.Request(
        ORDERS,
        Optional.of(List.of("id")),
        Optional.of(node),
        ScanSource.UNION,
        Optional.empty(),
        Long.MAX_VALUE);
  }

  @Test
  void unionReadsTheLakeThenTheLogTailExactlyOnce() {
    write(40);
    tiering.tier(tables.table(ORDERS), "runner");
    write(25);

    assertThat(ids(ScanService.Request.all(ORDERS)))
        .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 65).boxed().toList());
    assertThat(ids(request(ScanSource.LAKE, Optional.empty())))
        .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 40).boxed().toList());
    assertThat(ids(request(ScanSource.LOG, Optional.empty())))
        .as("retention has not run: the log still holds every row")
        .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 65).boxed().toList());
    assertThat(ids(request(ScanSource.UNION, Optional.of(LakeFormatName.ICEBERG))))
        .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 65).boxed().toList());
  }

  @Test
  void offsetsTellWhereTheScanReadTheLogUpTo() {
    write(30);
    tiering.tier(tables.table(ORDERS), "runner");
    write(9);
    Map<PartitionBucket, Long> highWatermarks =
        tables.describe(ORDERS).buckets().stream()
            .collect(
                Collectors.toMap(h -> new PartitionBucket("", h.bucket()), h -> h.nextOffset()));

    try (TableScan union = scans.scan(ScanService.Request.all(ORDERS));
        TableScan lake = scans.scan(request(ScanSource.LAKE, Optional.empty()))) {
      assertThat(union.offsets()).isEqualTo(highWatermarks);
      assertThat(lake.offsets()).isEqualTo(lake.snapshot().orElseThrow().offsets());
      StringBuilder json = new StringBuilder("{");
      highWatermarks.forEach(
          (at, offset) ->
              json.append(json.length() > 1 ? "," : "")
                  .append("\"")
                  .append(at.bucket())
                  .append("\":")
                  .append(offset));
      assertThat(union.offsetsJson())
          .as("an unpartitioned table's offsets by bucket, as the Sluice-Scan-Offsets header")
          .isEqualTo(json.append("}").toString());
      assertThat(lake.offsets().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(30);
    }
  }

  @Test
  void everyScanSeesEachRowAcknowledgedBeforeItStartedExactlyOnce() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<?>> work = new ArrayList<>();
    for (int writer = 0; writer < 3; writer++) {
      work.add(
          executor.submit(
              () -> {
                // Bounded, so the table stays small however fast the writers run.
                for (int request = 0; request < 150 && !stop.get(); request++) {
                  write(7);
                }
              }));
    }
    work.add(
        executor.submit(
            () -> {
              while (!stop.get()) {
                tiering.tier(tables.table(ORDERS), "runner");
              }
            }));
    try {
      for (int round = 0; round < 30; round++) {
        // Writers take ids before their write is acknowledged: count only what is acknowledged.
        long acknowledged =
            tables.describe(ORDERS).buckets().stream().mapToLong(h -> h.nextOffset()).sum();
        List<Long> ids = ids(ScanService.Request.all(ORDERS));
        assertThat(new HashSet<>(ids)).as("no row twice").hasSize(ids.size());
        assertThat((long) ids.size()).isGreaterThanOrEqualTo(acknowledged);
      }
    } finally {
      stop.set(true);
      for (Future<?> f : work) {
        f.get();
      }
    }
    List<Long> all = new ArrayList<>(ids(ScanService.Request.all(ORDERS)));
    Collections.sort(all);
    assertThat(all).isEqualTo(LongStream.range(0, nextId.get()).boxed().toList());
  }

  @Test
  void filtersAndProjectsTheLakeAndTheLogAlike() throws Exception {
    write(40);
    tiering.tier(tables.table(ORDERS), "runner");
    write(40);

    List<Map<String, Object>> rows =
        scan(
            filtered(
                """
                {"and": [{"column": "amount", "op": ">=", "value": "0.30"},
                         {"column": "note", "op": "is_not_null"},
                         {"not": {"column": "id", "op": "=", "value": 50}}]}
                """));
    assertThat(rows).allSatisfy(r -> assertThat(r).containsOnlyKeys("id"));
    assertThat(rows.stream().map(r -> (Long) r.get("id")))
        .containsExactlyInAnyOrderElementsOf(
            LongStream.range(30, 80).filter(id -> id % 2 == 0 && id != 50).boxed().toList());
    assertThat(
            scan(filtered("{\"column\": \"id\", \"op\": \"in\", \"values\": [3, 41, 77, 500]}"))
                .stream()
                .map(r -> (Long) r.get("id")))
        .as("in: the lake's rows and the log's alike")
        .containsExactlyInAnyOrder(3L, 41L, 77L);
    assertThat(scan(filtered("{\"column\": \"note\", \"op\": \"=\", \"value\": \"n3\"}")))
        .as("a comparison with null is unknown, so odd ids never match")
        .isEmpty();
  }

  @Test
  void limitStopsAfterThatManyRows() {
    write(50);
    tiering.tier(tables.table(ORDERS), "runner");
    write(50);
    ScanService.Request limited =
        new ScanService.Request(
            ORDERS, Optional.empty(), Optional.empty(), ScanSource.UNION, Optional.empty(), 17);
    assertThat(ids(limited)).hasSize(17).doesNotHaveDuplicates();
  }

  @Test
  void refusesBadFiltersAndLakesWithTheReason() {
    assertThatThrownBy(
            () -> scans.scan(filtered("{\"column\": \"price\", \"op\": \"=\", \"value\": 1}")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage("filter: column price is not a column of the table");
    assertThatThrownBy(
            () -> scans.scan(filtered("{\"column\": \"amount\", \"op\": \"<\", \"value\": \"x\"}")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageStartingWith("filter: column amount:")
        .hasMessageContaining("decimal(10,2)");
    assertThatThrownBy(
            () ->
                scans.scan(
                    filtered("{\"or\": [{\"column\": \"id\", \"op\": \"~\", \"value\": 1}]}")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageStartingWith("filter.or[0]: op '~' is not one of");
    assertThatThrownBy(
            () -> scans.scan(filtered("{\"column\": \"id\", \"op\": \"in\", \"values\": []}")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage("filter: op in on column id needs \"values\": a non-empty array, got []");
    assertThatThrownBy(
            () ->
                scans.scan(
                    filtered("{\"column\": \"id\", \"op\": \"in\", \"values\": [1, \"x\"]}")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageStartingWith("filter.values[1]: column id:");
    sluice.create(
        TableName.parse("plain"), "{\"columns\": [{\"name\": \"id\", \"type\": \"bigint\"}]}");
    assertThatThrownBy(
            () ->
                scans.scan(
                    new ScanService.Request(
                        TableName.parse("plain"),
                        Optional.empty(),
                        Optional.empty(),
                        ScanSource.LAKE,
                        Optional.empty(),
                        0)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage("source=lake: table default.plain has no lake format");
  }
}
