package io.sluice.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.paimon.data.BinaryRow;
import org.apache.paimon.data.BinaryRowWriter;
import org.apache.paimon.table.sink.KeyAndBucketExtractor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spark 3.5 in local mode, with Iceberg's and Paimon's own Spark connectors, reads the lake tables
 * that Sluice's tiering wrote, and finds exactly the rows written over HTTP.
 *
 * <p>The server runs as a separate process (the local server's jar, {@code sluice.server.jar}):
 * paimon-spark-3.5 0.9 bundles Paimon 0.9 classes unrelocated, so Sluice's Paimon must not share
 * this JVM. Both tables receive the same rows; {@code orders_p} buckets them with Paimon's function
 * ({@code formats: [paimon, iceberg]}), {@code orders_i} with Iceberg's ({@code [iceberg,
 * paimon]}). So the log's per-bucket high watermarks of {@code orders_p} are the Paimon bucket
 * counts of both tables, and those of {@code orders_i} the Iceberg partition counts of both.
 *
 * <p>Two primary-key tables, {@code stock_p} ({@code [paimon, iceberg]}, {@code last_row}) and
 * {@code stock_i} ({@code [iceberg, paimon]}, {@code aggregation}), receive the same upserts,
 * partial updates, explicit nulls and deletes, tiered in two rounds: Spark must read one row per
 * live key, the row Sluice's scan gives and a replay of the writes computes.
 *
 * <p>The Iceberg catalog is a JDBC catalog on SQLite whose rows carry the catalog name {@code
 * sluice}, so the Spark catalog must be called {@code sluice} as well.
 */
class LakeTablesSparkITCase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static final int BUCKETS = 4;
  private static final int ROWS = 2_000;
  private static final int ROWS_PER_REQUEST = 500;
  private static final LocalDateTime T0 = LocalDateTime.of(2026, 11, 25, 8, 0);
  private static final String PAIMON_FIRST = "orders_p";
  private static final String ICEBERG_FIRST = "orders_i";

  /** Primary-key tables: Paimon-first under {@code last_row}, Iceberg-first under aggregation. */
  private static final String PK_PAIMON_FIRST = "stock_p";

  private static final String PK_ICEBERG_FIRST = "stock_i";
  private static final Map<String, String> MERGE_ENGINES =
      Map.of(PK_PAIMON_FIRST, "last_row", PK_ICEBERG_FIRST, "aggregation");
  private static final int KEYS = 300;
  private static final int CHANGES_PER_REQUEST = 120;

  @TempDir static Path dataDir;

  private static Process server;
  private static Path serverLog;
  private static URI base;
  private static List<Order> written;
  private static Map<String, Map<Integer, Long>> highWatermarks;

  /**
   * Why tiering a table failed, by table. Each test of a table fails with it (so the other table's
   * tests still tell whether Spark reads what was tiered).
   */
  private static Map<String, String> tierFailures;

  private static SparkSession spark;

  /** The changes written to both primary-key tables, request by request, in write order. */
  private static List<List<Map<String, Object>>> changeRequests;

  /** How many of {@link #changeRequests} were written before the first tiering. */
  private static int requestsBeforeFirstTiering;

  /** Sluice's scans of the primary-key tables after the last tiering, by table and query. */
  private static Map<String, Map<String, HttpResponse<String>>> pkScans;

  /** One written row; {@code customer} and {@code amount} are null for some. */
  record Order(long id, String customer, BigDecimal amount, LocalDateTime t) {
    static Order of(long id) {
      String customer = id % 97 == 0 ? null : "customer-" + (id % 37);
      BigDecimal amount =
          id % 89 == 0 ? null : BigDecimal.valueOf((id * 7_919) % 2_000_000 - 500_000, 2);
      // Microsecond precision, which every lake format and Spark keep.
      LocalDateTime t = T0.plusNanos(id * 1_000_001_000L);
      return new Order(id, customer, amount, t);
    }

    ObjectNode json() {
      ObjectNode row = JSON.createObjectNode();
      row.put("id", id);
      row.put("customer", customer);
      row.put("amount", amount == null ? null : amount.toPlainString());
      row.put("t", t.toString());
      return row;
    }
  }

  @BeforeAll
  static void writeAndTier() throws Exception {
    startServer();
    written = new ArrayList<>();
    for (long id = 1; id <= ROWS; id++) {
      written.add(Order.of(id));
    }
    highWatermarks = new TreeMap<>();
    tierFailures = new TreeMap<>();
    for (var table : List.of(PAIMON_FIRST, ICEBERG_FIRST)) {
      List<String> formats =
          table.equals(PAIMON_FIRST) ? List.of("paimon", "iceberg") : List.of("iceberg", "paimon");
      createTable(table, formats);
      for (int from = 0; from < ROWS; from += ROWS_PER_REQUEST) {
        ArrayNode body = JSON.createArrayNode();
        written.subList(from, from + ROWS_PER_REQUEST).forEach(o -> body.add(o.json()));
        HttpResponse<String> response = send("POST", "/v1/tables/" + table + "/rows", body);
        assertThat(response.statusCode()).as("write: %s", response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("rows").asLong())
            .isEqualTo(ROWS_PER_REQUEST);
      }
      Map<Integer, Long> marks = describeHighWatermarks(table);
      assertThat(marks.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(ROWS);
      highWatermarks.put(table, marks);

      String failure = tier(table, formats, marks);
      if (failure != null) {
        tierFailures.put(table, failure);
      }
    }
    writeAndTierPrimaryKeyTables();
    writeAndTierPartitionedTable();
    startSpark();
  }

  /**
   * Writes the same changes to both primary-key tables in two rounds, tiering after each, so the
   * second tiering updates and deletes rows of the first one's lake snapshot (Paimon then merges
   * files of two commits, Iceberg applies equality deletes); then scans them through Sluice.
   */
  private static void writeAndTierPrimaryKeyTables() throws Exception {
    Random random = new Random(20261125L);
    changeRequests = new ArrayList<>();
    List<Map<String, Object>> everyKey = new ArrayList<>();
    for (long id = 0; id < KEYS; id++) {
      everyKey.add(wholeRow(id, random));
    }
    changeRequests.add(everyKey);
    for (int i = 0; i < 3; i++) {
      changeRequests.add(randomChanges(random));
    }
    requestsBeforeFirstTiering = changeRequests.size();
    for (int i = 0; i < 2; i++) {
      changeRequests.add(randomChanges(random));
    }

    pkScans = new TreeMap<>();
    for (var table : List.of(PK_PAIMON_FIRST, PK_ICEBERG_FIRST)) {
      List<String> formats =
          table.equals(PK_PAIMON_FIRST)
              ? List.of("paimon", "iceberg")
              : List.of("iceberg", "paimon");
      createPrimaryKeyTable(table, MERGE_ENGINES.get(table), formats);
      for (var round :
          List.of(
              changeRequests.subList(0, requestsBeforeFirstTiering),
              changeRequests.subList(requestsBeforeFirstTiering, changeRequests.size()))) {
        for (var request : round) {
          ArrayNode body = JSON.createArrayNode();
          request.forEach(change -> body.add(json(change)));
          HttpResponse<String> response = send("POST", "/v1/tables/" + table + "/rows", body);
          assertThat(response.statusCode()).as("write: %s", response.body()).isEqualTo(200);
          assertThat(JSON.readTree(response.body()).path("rows").asLong())
              .isEqualTo(request.size());
        }
        String failure = tier(table, formats, describeHighWatermarks(table));
        if (failure != null) {
          tierFailures.put(table, failure);
          break;
        }
      }
      Map<String, HttpResponse<String>> scans = new TreeMap<>();
      for (String source : List.of("lake", "union")) {
        for (String lake : formats) {
          String query = "source=" + source + "&lake=" + lake;
          scans.put(query, send("GET", "/v1/tables/" + table + "/scan?" + query, null));
        }
      }
      pkScans.put(table, scans);
    }
  }

  // ---- a partitioned table ------------------------------------------------------------------

  /** A table partitioned by {@code day(t)} and {@code region}, tiered into Paimon and Iceberg. */
  private static final String PARTITIONED = "events_pd";

  /** The rows written to {@link #PARTITIONED}: id, day of month, region. */
  private static List<long[]> partitionedRows;

  private static final List<String> REGIONS = List.of("eu", "us");

  private static void writeAndTierPartitionedTable() throws Exception {
    ObjectNode definition = JSON.createObjectNode();
    ArrayNode columns = definition.putArray("columns");
    columns.addObject().put("name", "id").put("type", "bigint").put("nullable", false);
    columns.addObject().put("name", "t").put("type", "timestamp").put("nullable", false);
    columns.addObject().put("name", "region").put("type", "string").put("nullable", false);
    definition.putArray("partitionBy").add("day(t)").add("region");
    definition.putArray("bucketKey").add("id");
    definition.put("buckets", BUCKETS);
    definition.putObject("lake").putArray("formats").add("paimon").add("iceberg");
    HttpResponse<String> created = send("PUT", "/v1/tables/" + PARTITIONED, definition);
    assertThat(created.statusCode()).as("create: %s", created.body()).isEqualTo(201);
    partitionedRows = new ArrayList<>();
    ArrayNode body = JSON.createArrayNode();
    for (long id = 0; id < 1_200; id++) {
      long day = 20 + id % 5;
      partitionedRows.add(new long[] {id, day, id % 2});
      body.addObject()
          .put("id", id)
          .put("t", LocalDateTime.of(2026, 11, (int) day, (int) (id % 24), 30).toString())
          .put("region", REGIONS.get((int) (id % 2)));
    }
    HttpResponse<String> wrote = send("POST", "/v1/tables/" + PARTITIONED + "/rows", body);
    assertThat(wrote.statusCode()).as("write: %s", wrote.body()).isEqualTo(200);
    HttpResponse<String> tier =
        send("POST", "/v1/tables/" + PARTITIONED + "/tier?waitMs=120000", null);
    if (tier.statusCode() != 200) {
      tierFailures.put(
          PARTITIONED,
          "tier answered " + tier.statusCode() + " " + tier.body() + serverError(tier.body()));
    }
  }

  @Test
  void sparkCountsEachPartitionOfAPartitionedTableExactly() {
    requireTiered(PARTITIONED);
    Map<String, Long> expected = new TreeMap<>();
    for (long[] row : partitionedRows) {
      expected.merge("2026-11-" + row[1] + "/" + REGIONS.get((int) row[2]), 1L, Long::sum);
    }
    Map<String, Long> read = new TreeMap<>();
    for (Row row :
        spark
            .sql(
                "SELECT t_day, region, COUNT(*) FROM "
                    + name("paimon", PARTITIONED)
                    + " GROUP BY t_day, region")
            .collectAsList()) {
      read.put(row.getString(0) + "/" + row.getString(1), row.getLong(2));
    }
    assertThat(read).hasSize(10).isEqualTo(expected);
    Row oneDay =
        spark
            .sql(
                "SELECT COUNT(*) FROM "
                    + name("paimon", PARTITIONED)
                    + " WHERE t_day = '2026-11-22' AND region = 'us'")
            .first();
    assertThat(oneDay.getLong(0)).isEqualTo(expected.get("2026-11-22/us"));
  }

  @Test
  void icebergPartitionsAPartitionedTableByDayRegionAndBucket() {
    requireTiered(PARTITIONED);
    String name = name("iceberg", PARTITIONED);
    Map<String, Long> expected = new TreeMap<>();
    for (long[] row : partitionedRows) {
      expected.merge("2026-11-" + row[1] + "/" + REGIONS.get((int) row[2]), 1L, Long::sum);
    }
    Map<String, Long> fromManifests = new TreeMap<>();
    for (Row row :
        spark
            .sql(
                "SELECT CAST(partition.t_day AS STRING), partition.region, SUM(record_count)"
                    + " FROM "
                    + name
                    + ".partitions GROUP BY 1, 2")
            .collectAsList()) {
      fromManifests.put(row.getString(0) + "/" + row.getString(1), row.getLong(2));
    }
    assertThat(fromManifests).isEqualTo(expected);
    long misplaced =
        spark
            .sql(
                "SELECT COUNT(*) FROM "
                    + name
                    + " WHERE _partition.t_day <> CAST(t AS DATE) OR _partition.region <> region"
                    + " OR _partition.id_bucket <> sluice.system.bucket("
                    + BUCKETS
                    + ", id)")
            .first()
            .getLong(0);
    assertThat(misplaced).as("rows outside the partition of their values").isZero();
    assertThat(spark.sql("SELECT COUNT(*) FROM " + name).first().getLong(0))
        .isEqualTo(partitionedRows.size());
  }

  @Test
  void eachRowOfAPartitionedTableSitsInItsPartitionDirectoryAndLogBucket() {
    requireTiered(PARTITIONED);
    List<String> misplaced =
        spark
            .sql("SELECT id, t_day, region, __paimon_file_path FROM " + name("paimon", PARTITIONED))
            .collectAsList()
            .stream()
            .filter(
                r -> {
                  long id = r.getLong(0);
                  long[] written = partitionedRows.get((int) id);
                  String expected =
                      "/t_day=2026-11-"
                          + written[1]
                          + "/region="
                          + REGIONS.get((int) written[2])
                          + "/bucket-"
                          + paimonBucket(id)
                          + "/";
                  return !r.getString(3).contains(expected)
                      || !r.getString(1).equals("2026-11-" + written[1]);
                })
            .map(r -> r.getLong(0) + " in " + r.getString(3))
            .toList();
    assertThat(spark.sql("SELECT COUNT(*) FROM " + name("paimon", PARTITIONED)).first().getLong(0))
        .isEqualTo(partitionedRows.size());
    assertThat(misplaced).as("rows outside their partition directory or log bucket").isEmpty();
    List<String> partitions =
        spark.sql("SHOW PARTITIONS " + name("paimon", PARTITIONED)).collectAsList().stream()
            .map(r -> r.getString(0))
            .sorted()
            .toList();
    assertThat(partitions).hasSize(10).contains("t_day=2026-11-20/region=eu");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (server != null) {
      server.destroy();
      try {
        if (!server.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        server.destroyForcibly();
      }
    }
  }

  static Stream<Arguments> tables() {
    return Stream.of(
        Arguments.of("paimon", PAIMON_FIRST),
        Arguments.of("paimon", ICEBERG_FIRST),
        Arguments.of("iceberg", PAIMON_FIRST),
        Arguments.of("iceberg", ICEBERG_FIRST));
  }

  /**
   * Spark's Iceberg REST catalog, given only Sluice's URL, reads the same rows as through the JDBC
   * catalog, and refuses to change a table.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {PAIMON_FIRST, ICEBERG_FIRST, PK_ICEBERG_FIRST})
  void theIcebergRestCatalogReadsWhatTheJdbcCatalogReads(String table) {
    requireTiered(table);
    List<Row> viaRest =
        spark.sql("SELECT * FROM rest.`default`." + table + " ORDER BY 1").collectAsList();
    List<Row> viaJdbc =
        spark.sql("SELECT * FROM " + name("iceberg", table) + " ORDER BY 1").collectAsList();
    assertThat(viaRest).isNotEmpty().isEqualTo(viaJdbc);
    assertThat(spark.sql("SHOW TABLES IN rest.`default`").collectAsList())
        .extracting(row -> row.getString(1))
        .contains(table);

    assertThatThrownBy(
            () ->
                spark
                    .sql(
                        "INSERT INTO rest.`default`."
                            + table
                            + " SELECT * FROM rest.`default`."
                            + table
                            + " LIMIT 1")
                    .collectAsList())
        .hasMessageContaining("Server does not support endpoint")
        .hasMessageContaining("POST /v1/{prefix}/namespaces/{namespace}/tables/{table}");
    assertThat(spark.sql("SELECT * FROM " + name("iceberg", table) + " ORDER BY 1").collectAsList())
        .as("nothing changed")
        .isEqualTo(viaJdbc);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("tables")
  void countAndSumAreThoseWritten(String lake, String table) {
    requireTiered(table);
    BigDecimal expectedSum =
        written.stream()
            .map(Order::amount)
            .filter(Objects::nonNull)
            .reduce(BigDecimal.ZERO, BigDecimal::add);

    Row row =
        spark
            .sql(
                "SELECT COUNT(*), SUM(amount), COUNT(DISTINCT id), COUNT(amount) FROM "
                    + name(lake, table))
            .first();

    assertThat(row.getLong(0)).isEqualTo(ROWS);
    assertThat(row.getDecimal(1)).isEqualTo(expectedSum.setScale(2));
    assertThat(row.getLong(2)).isEqualTo(ROWS);
    assertThat(row.getLong(3)).isEqualTo(written.stream().filter(o -> o.amount() != null).count());
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("tables")
  void sqlEndpointAgreesWithSpark(String lake, String table) throws Exception {
    requireTiered(table);
    Row spark =
        LakeTablesSparkITCase.spark
            .sql("SELECT COUNT(*), MAX(t), SUM(amount) FROM " + name(lake, table))
            .first();

    ObjectNode query = JSON.createObjectNode();
    query.put(
        "sql",
        "SELECT COUNT(*) AS n, MAX(t) AS last_t, SUM(amount) AS total FROM %s$lake_%s"
            .formatted(table, lake));
    HttpResponse<String> response = send("POST", "/v1/sql", query);
    assertThat(response.statusCode()).as("sql: %s", response.body()).isEqualTo(200);
    JsonNode sluice = JSON.readTree(response.body()).get(0);

    assertThat(sluice.path("n").asLong()).isEqualTo(spark.getLong(0));
    assertThat(LocalDateTime.parse(sluice.path("last_t").asText()))
        .isEqualTo(localDateTime(spark.get(1)));
    assertThat(new BigDecimal(sluice.path("total").asText()))
        .isEqualByComparingTo(spark.getDecimal(2));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("tables")
  void rowsAreExactlyThoseWritten(String lake, String table) {
    requireTiered(table);
    List<Order> read =
        spark
            .sql("SELECT id, customer, amount, t FROM " + name(lake, table) + " ORDER BY id")
            .collectAsList()
            .stream()
            .map(
                r ->
                    new Order(
                        r.getLong(0),
                        r.isNullAt(1) ? null : r.getString(1),
                        r.isNullAt(2) ? null : r.getDecimal(2),
                        r.isNullAt(3) ? null : localDateTime(r.get(3))))
            .toList();

    assertThat(read).containsExactlyElementsOf(written);
  }

  @ParameterizedTest(name = "paimon: {0}")
  @MethodSource("bothTables")
  void paimonBucketsHoldTheLogBuckets(String table) {
    requireTiered(table);
    // Paimon buckets like orders_p's log, whichever format comes first.
    Map<Integer, Long> expected = highWatermarks.get(PAIMON_FIRST);
    String files = "paimon.`default`.`" + table + "$files`";

    Map<Integer, Long> fromManifests =
        counts("SELECT bucket, SUM(record_count) FROM " + files + " GROUP BY bucket");
    Map<Integer, Long> fromRows =
        counts(
            "SELECT CAST(regexp_extract(__paimon_file_path, '/bucket-([0-9]+)/', 1) AS INT), "
                + "COUNT(*) FROM "
                + name("paimon", table)
                + " GROUP BY 1");
    List<Long> misplaced =
        spark
            .sql(
                "SELECT id, CAST(regexp_extract(__paimon_file_path, '/bucket-([0-9]+)/', 1) AS INT)"
                    + " FROM "
                    + name("paimon", table))
            .collectAsList()
            .stream()
            .filter(r -> r.getInt(1) != paimonBucket(r.getLong(0)))
            .map(r -> r.getLong(0))
            .toList();

    assertThat(fromManifests).isEqualTo(expected);
    assertThat(fromRows).isEqualTo(expected);
    assertThat(misplaced).as("ids outside the bucket Paimon's bucket function gives").isEmpty();
  }

  @ParameterizedTest(name = "iceberg: {0}")
  @MethodSource("bothTables")
  void icebergPartitionsHoldTheLogBuckets(String table) {
    requireTiered(table);
    // Iceberg partitions by bucket(id, 4) like orders_i's log, whichever format comes first.
    Map<Integer, Long> expected = highWatermarks.get(ICEBERG_FIRST);
    String name = name("iceberg", table);

    Map<Integer, Long> fromManifests =
        counts(
            "SELECT partition.id_bucket, SUM(record_count) FROM "
                + name
                + ".data_files GROUP BY 1");
    Map<Integer, Long> fromRows =
        counts("SELECT _partition.id_bucket, COUNT(*) FROM " + name + " GROUP BY 1");
    long misplaced =
        spark
            .sql(
                "SELECT COUNT(*) FROM "
                    + name
                    + " WHERE _partition.id_bucket <> sluice.system.bucket("
                    + BUCKETS
                    + ", id)")
            .first()
            .getLong(0);

    assertThat(fromManifests).isEqualTo(expected);
    assertThat(fromRows).isEqualTo(expected);
    assertThat(misplaced).as("rows outside the partition Iceberg's bucket function gives").isZero();
  }

  @Test
  void bothLogsCoverEveryBucket() {
    for (var marks : highWatermarks.values()) {
      assertThat(marks.keySet()).containsExactly(0, 1, 2, 3);
      assertThat(marks.values()).allSatisfy(count -> assertThat(count).isPositive());
    }
  }

  // ---- primary-key tables ------------------------------------------------------------------

  /** A row of a primary-key table; {@code qty}, {@code note} and {@code price} may be null. */
  record Stock(long id, Long qty, String note, BigDecimal price) {}

  static Stream<Arguments> primaryKeyTables() {
    return Stream.of(
        Arguments.of("paimon", PK_PAIMON_FIRST),
        Arguments.of("paimon", PK_ICEBERG_FIRST),
        Arguments.of("iceberg", PK_PAIMON_FIRST),
        Arguments.of("iceberg", PK_ICEBERG_FIRST));
  }

  @Test
  void theChangesUpdateDeleteAndReinsertKeysAcrossRequestsAndTierings() {
    // What the primary-key tests below rely on the written changes to contain.
    Map<Long, Stock> afterFirstTiering =
        replay("last_row", changeRequests.subList(0, requestsBeforeFirstTiering));
    List<Map<String, Object>> secondRound =
        changeRequests.subList(requestsBeforeFirstTiering, changeRequests.size()).stream()
            .flatMap(List::stream)
            .toList();
    List<Map<String, Object>> all = changeRequests.stream().flatMap(List::stream).toList();

    assertThat(secondRound)
        .as("upserts in the second round of keys the first tiering wrote")
        .anyMatch(c -> !isDelete(c) && afterFirstTiering.containsKey(key(c)));
    assertThat(secondRound)
        .as("partial upserts in the second round of keys the first tiering wrote")
        .anyMatch(c -> !isDelete(c) && c.size() < 4 && afterFirstTiering.containsKey(key(c)));
    assertThat(secondRound)
        .as("deletes in the second round of keys the first tiering wrote")
        .anyMatch(c -> isDelete(c) && afterFirstTiering.containsKey(key(c)));
    assertThat(deletedThenReinserted(all)).as("keys deleted, then upserted again").isNotEmpty();
    assertThat(all).as("explicit nulls").anyMatch(c -> c.size() > 1 && c.containsValue(null));
    for (String engine : MERGE_ENGINES.values()) {
      Map<Long, Stock> expected = replay(engine, changeRequests);
      assertThat(expected.size()).as("live keys under %s", engine).isBetween(KEYS / 2, KEYS - 1);
      assertThat(expected.values())
          .as("rows with null columns under %s", engine)
          .anyMatch(r -> r.qty() == null)
          .anyMatch(r -> r.note() == null)
          .anyMatch(r -> r.price() == null);
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("primaryKeyTables")
  void sluiceScansOfPrimaryKeyTablesEqualAReplayOfTheChanges(String lake, String table)
      throws Exception {
    requireTiered(table);
    Map<Long, Stock> expected = replay(MERGE_ENGINES.get(table), changeRequests);
    for (String source : List.of("lake", "union")) {
      String what = "Sluice's scan of " + table + " with source=" + source + "&lake=" + lake;
      assertSameRows(what, scanRows(table, source, lake), expected, "the replay of the changes");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("primaryKeyTables")
  void sparkReadsPrimaryKeyTablesAsSluiceScansThem(String lake, String table) throws Exception {
    requireTiered(table);
    Dataset<Row> frame = spark.sql("SELECT * FROM " + name(lake, table));
    assertThat(frame.columns()).containsExactly("id", "qty", "note", "price");
    List<Stock> read =
        frame.collectAsList().stream()
            .map(
                r ->
                    new Stock(
                        r.getLong(0),
                        r.isNullAt(1) ? null : r.getLong(1),
                        r.isNullAt(2) ? null : r.getString(2),
                        r.isNullAt(3) ? null : r.getDecimal(3)))
            .toList();
    String what = "Spark's read of " + name(lake, table);

    Map<Long, Stock> scanned = new TreeMap<>();
    scanRows(table, "lake", lake).forEach(row -> scanned.put(row.id(), row));
    assertSameRows(what, read, scanned, "Sluice's scan with source=lake&lake=" + lake);
    assertSameRows(
        what, read, replay(MERGE_ENGINES.get(table), changeRequests), "the replay of the changes");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("primaryKeyTables")
  void theSecondTieringChangedTheLakeSnapshotOfTheFirst(String lake, String table) {
    requireTiered(table);
    if (lake.equals("paimon")) {
      String snapshots = "paimon.`default`.`" + table + "$snapshots`";
      assertThat(spark.sql("SELECT COUNT(*) FROM " + snapshots).first().getLong(0))
          .as("Paimon snapshots of %s", table)
          .isGreaterThanOrEqualTo(2);
    } else {
      String name = name(lake, table);
      assertThat(spark.sql("SELECT COUNT(*) FROM " + name + ".snapshots").first().getLong(0))
          .as("Iceberg snapshots of %s", table)
          .isGreaterThanOrEqualTo(2);
      // content 2: equality deletes, which the second tiering wrote for the keys it changed.
      assertThat(
              spark
                  .sql("SELECT COUNT(*) FROM " + name + ".delete_files WHERE content = 2")
                  .first()
                  .getLong(0))
          .as("Iceberg equality delete files of %s", table)
          .isPositive();
    }
  }

  /**
   * Checks that {@code actual} holds one row per key, and for each key the row {@code expected}
   * holds; the failure lists the keys that differ.
   */
  private static void assertSameRows(
      String what, List<Stock> actual, Map<Long, Stock> expected, String expectedWhat) {
    Map<Long, Stock> byKey = new TreeMap<>();
    List<Stock> duplicates = new ArrayList<>();
    for (Stock row : actual) {
      Stock earlier = byKey.put(row.id(), row);
      if (earlier != null) {
        duplicates.add(earlier);
        duplicates.add(row);
      }
    }
    assertThat(duplicates).as("%s: rows of keys given more than once", what).isEmpty();

    List<String> differences = new ArrayList<>();
    TreeSet<Long> keys = new TreeSet<>(expected.keySet());
    keys.addAll(byKey.keySet());
    for (long key : keys) {
      Stock want = expected.get(key);
      Stock got = byKey.get(key);
      if (want == null) {
        differences.add("key " + key + ": not in " + expectedWhat + ", but read " + got);
      } else if (got == null) {
        differences.add("key " + key + ": missing, " + expectedWhat + " has " + want);
      } else if (!want.equals(got)) {
        differences.add("key " + key + ": read " + got + ", " + expectedWhat + " has " + want);
      }
    }
    assertThat(differences)
        .as(
            "%s (%d rows) against %s (%d rows): differing keys",
            what, actual.size(), expectedWhat, expected.size())
        .isEmpty();
  }

  private static List<Stock> scanRows(String table, String source, String lake) throws IOException {
    HttpResponse<String> response = pkScans.get(table).get("source=" + source + "&lake=" + lake);
    assertThat(response.statusCode())
        .as("GET /v1/tables/%s/scan?source=%s&lake=%s: %s", table, source, lake, response.body())
        .isEqualTo(200);
    List<Stock> rows = new ArrayList<>();
    for (JsonNode node : JSON.readTree(response.body())) {
      rows.add(
          new Stock(
              node.path("id").asLong(),
              node.path("qty").isNull() ? null : node.path("qty").asLong(),
              node.path("note").isNull() ? null : node.path("note").asText(),
              node.path("price").isNull() ? null : new BigDecimal(node.path("price").asText())));
    }
    return rows;
  }

  /**
   * The rows that replaying {@code requests} in write order gives under {@code engine}: a key's
   * changes all land in its one bucket, in the order written, so write order is offset order.
   */
  private static Map<Long, Stock> replay(String engine, List<List<Map<String, Object>>> requests) {
    Map<Long, Stock> rows = new TreeMap<>();
    for (var request : requests) {
      for (var change : request) {
        long id = key(change);
        if (isDelete(change)) {
          rows.remove(id);
          continue;
        }
        Stock current = rows.get(id);
        Long qty = current == null ? null : current.qty();
        String note = current == null ? null : current.note();
        BigDecimal price = current == null ? null : current.price();
        boolean aggregate = current != null && engine.equals("aggregation");
        if (change.containsKey("qty")) {
          Long given = (Long) change.get("qty");
          if (!aggregate) {
            qty = given;
          } else if (given != null) {
            // aggregation: qty is summed, skipping nulls.
            qty = qty == null ? given : Long.valueOf(qty + given);
          }
        }
        if (change.containsKey("note")) {
          // aggregation: note has no function, so last_value.
          note = (String) change.get("note");
        }
        if (change.containsKey("price")) {
          BigDecimal given = (BigDecimal) change.get("price");
          // aggregation: price is the max, skipping nulls.
          price =
              !aggregate || price == null
                  ? given
                  : given == null ? price : given.compareTo(price) > 0 ? given : price;
        }
        rows.put(id, new Stock(id, qty, note, price));
      }
    }
    return rows;
  }

  /** Keys deleted by one change and upserted by a later one. */
  private static List<Long> deletedThenReinserted(List<Map<String, Object>> changes) {
    Map<Long, Boolean> deleted = new HashMap<>();
    List<Long> keys = new ArrayList<>();
    for (var change : changes) {
      if (isDelete(change)) {
        deleted.put(key(change), true);
      } else if (deleted.remove(key(change)) != null) {
        keys.add(key(change));
      }
    }
    return keys;
  }

  private static Map<String, Object> wholeRow(long id, Random random) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", id);
    row.put("qty", random.nextInt(8) == 0 ? null : (long) random.nextInt(1_000));
    row.put("note", random.nextInt(8) == 0 ? null : "note-" + random.nextInt(10_000));
    row.put(
        "price",
        random.nextInt(8) == 0
            ? null
            : BigDecimal.valueOf(random.nextInt(2_000_000) - 1_000_000L, 2));
    return row;
  }

  /**
   * One request's changes over random keys: whole upserts (some with explicit nulls, some with an
   * explicit {@code "_op": "upsert"}), partial upserts of one or two columns, and deletes.
   */
  private static List<Map<String, Object>> randomChanges(Random random) {
    List<Map<String, Object>> changes = new ArrayList<>();
    for (int i = 0; i < CHANGES_PER_REQUEST; i++) {
      long id = random.nextInt(KEYS);
      int kind = random.nextInt(10);
      Map<String, Object> change;
      if (kind < 2) {
        change = new LinkedHashMap<>();
        change.put("id", id);
        change.put("_op", "delete");
      } else if (kind < 6) {
        Map<String, Object> whole = wholeRow(id, random);
        change = new LinkedHashMap<>();
        change.put("id", id);
        List<String> columns = new ArrayList<>(List.of("qty", "note", "price"));
        columns.remove(random.nextInt(3));
        if (kind < 4) {
          columns.remove(random.nextInt(2));
        }
        columns.forEach(column -> change.put(column, whole.get(column)));
      } else {
        change = wholeRow(id, random);
        if (kind == 9) {
          change.put("_op", "upsert");
        }
      }
      changes.add(change);
    }
    return changes;
  }

  private static long key(Map<String, Object> change) {
    return (Long) change.get("id");
  }

  private static boolean isDelete(Map<String, Object> change) {
    return "delete".equals(change.get("_op"));
  }

  private static ObjectNode json(Map<String, Object> change) {
    ObjectNode row = JSON.createObjectNode();
    change.forEach(
        (column, value) -> {
          if (value == null) {
            row.putNull(column);
          } else if (value instanceof Long number) {
            row.put(column, number);
          } else if (value instanceof BigDecimal decimal) {
            row.put(column, decimal.toPlainString());
          } else {
            row.put(column, (String) value);
          }
        });
    return row;
  }

  static Stream<String> bothTables() {
    return Stream.of(PAIMON_FIRST, ICEBERG_FIRST);
  }

  /** Tiers the table and checks that every format holds every offset; returns why not, or null. */
  private static String tier(String table, List<String> formats, Map<Integer, Long> marks)
      throws Exception {
    HttpResponse<String> tier = send("POST", "/v1/tables/" + table + "/tier?waitMs=120000", null);
    if (tier.statusCode() != 200) {
      return "POST /v1/tables/"
          + table
          + "/tier answered "
          + tier.statusCode()
          + " "
          + tier.body()
          + serverError(tier.body());
    }
    JsonNode tiered = JSON.readTree(tier.body());
    for (String format : formats) {
      Map<Integer, Long> offsets = offsets(tiered.path(format).path("offsets"));
      if (!offsets.equals(marks)) {
        return "Tiering "
            + table
            + " put offsets "
            + offsets
            + " into "
            + format
            + ", not "
            + marks;
      }
    }
    JsonNode description = JSON.readTree(send("GET", "/v1/tables/" + table, null).body());
    for (JsonNode bucket : description.path("bucketState")) {
      for (String format : formats) {
        if (bucket.path("tiered").path(format).asLong() != bucket.path("highWatermark").asLong()) {
          return "GET /v1/tables/" + table + " shows bucket state " + bucket + " after tiering";
        }
      }
    }
    return null;
  }

  /** The server log's lines about the error id in an error body (logged after answering). */
  private static String serverError(String body) {
    Matcher id = Pattern.compile("Error id (\\S+?)\"").matcher(body);
    if (!id.find()) {
      return "";
    }
    List<String> found = new ArrayList<>();
    try {
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                List<String> lines = Files.readAllLines(serverLog, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                  if (lines.get(i).contains(id.group(1))) {
                    found.addAll(lines.subList(i, Math.min(lines.size(), i + 6)));
                    return true;
                  }
                }
                return false;
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return "\n(the server log " + serverLog + " does not mention " + id.group(1) + ")";
    }
    return "\nserver log:\n" + String.join("\n", found);
  }

  private static void requireTiered(String table) {
    String failure = tierFailures.get(table);
    if (failure != null) {
      fail("Table %s was not tiered, so Spark has nothing to check: %s", table, failure);
    }
  }

  private static String name(String lake, String table) {
    return (lake.equals("paimon") ? "paimon" : "sluice") + ".`default`." + table;
  }

  private static Map<Integer, Long> counts(String sql) {
    Map<Integer, Long> counts = new TreeMap<>();
    for (Row row : spark.sql(sql).collectAsList()) {
      counts.put(((Number) row.get(0)).intValue(), ((Number) row.get(1)).longValue());
    }
    return counts;
  }

  /** Paimon's default bucket function over a one-column BIGINT bucket key, as Paimon 0.9 has it. */
  private static int paimonBucket(long id) {
    BinaryRow key = new BinaryRow(1);
    BinaryRowWriter writer = new BinaryRowWriter(key);
    writer.writeLong(0, id);
    writer.complete();
    return KeyAndBucketExtractor.bucket(KeyAndBucketExtractor.bucketKeyHashCode(key), BUCKETS);
  }

  private static LocalDateTime localDateTime(Object value) {
    if (value instanceof LocalDateTime local) {
      return local;
    }
    if (value instanceof Instant instant) {
      return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
    throw new AssertionError("Unexpected timestamp value " + value + " of " + value.getClass());
  }

  // ---- the Spark session -------------------------------------------------------------------

  private static void startSpark() {
    Path lake = dataDir.resolve("lake").toAbsolutePath();
    spark =
        SparkSession.builder()
            .appName("sluice-lake-tables")
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.datetime.java8API.enabled", "true")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config(
                "spark.sql.warehouse.dir", dataDir.resolve("spark-warehouse").toUri().toString())
            .config("spark.sql.catalog.paimon", "org.apache.paimon.spark.SparkCatalog")
            .config("spark.sql.catalog.paimon.warehouse", lake.resolve("paimon").toUri().toString())
            .config("spark.sql.catalog.sluice", "org.apache.iceberg.spark.SparkCatalog")
            .config("spark.sql.catalog.sluice.type", "jdbc")
            .config(
                "spark.sql.catalog.sluice.uri", "jdbc:sqlite:" + lake.resolve("iceberg-catalog.db"))
            .config(
                "spark.sql.catalog.sluice.warehouse", lake.resolve("iceberg").toUri().toString())
            .config("spark.sql.catalog.rest", "org.apache.iceberg.spark.SparkCatalog")
            .config("spark.sql.catalog.rest.type", "rest")
            .config("spark.sql.catalog.rest.uri", base + "/iceberg")
            .getOrCreate();
  }

  // ---- the server --------------------------------------------------------------------------

  private static void startServer() throws IOException {
    String jarProperty = System.getProperty("sluice.server.jar");
    if (jarProperty == null || !Files.isRegularFile(Path.of(jarProperty))) {
      fail(
          "The local server's jar is missing ("
              + jarProperty
              + "); build it first: ./mvnw -q -B package -DskipTests -pl local-server -am");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    base = URI.create("http://127.0.0.1:" + port);
    Path logDir = Path.of(System.getProperty("sluice.server.log-dir", dataDir.toString()));
    Files.createDirectories(logDir);
    serverLog = logDir.resolve("sluice-server-" + port + ".log");

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String jvmArgs =
        System.getProperty("sluice.server.jvm-args", "--add-opens=java.base/java.nio=ALL-UNNAMED");
    Arrays.stream(jvmArgs.trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(command::add);
    command.add("-Dquarkus.http.host=127.0.0.1");
    command.add("-Dquarkus.http.port=" + port);
    command.add("-Dsluice.data-dir=" + dataDir.toAbsolutePath());
    command.add("-jar");
    command.add(Path.of(jarProperty).toAbsolutePath().toString());
    // The server's output goes to a file: nothing to drain, and it is there to read on failure.
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(serverLog.toFile());
    // The tiering here is driven by hand. An environment variable, not -Dsluice.scheduler.enabled:
    // Quarkus refuses that system property as an unknown sluice.* key when the bean reading it is
    // removed, while it never validates environment variables.
    builder.environment().put("SLUICE_SCHEDULER_ENABLED", "false");
    server = builder.start();

    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                if (!server.isAlive()) {
                  throw new IllegalStateException(
                      "The local server exited with " + server.exitValue() + ":\n" + logTail());
                }
                try {
                  return send("GET", "/q/health", null).statusCode() == 200;
                } catch (IOException e) {
                  return false;
                }
              });
    } catch (RuntimeException e) {
      throw new AssertionError("The local server did not become healthy:\n" + logTail(), e);
    }
  }

  private static String logTail() {
    try {
      List<String> lines = Files.readAllLines(serverLog, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no server log: " + e + ")";
    }
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private static void createTable(String table, List<String> formats) throws Exception {
    ObjectNode definition = JSON.createObjectNode();
    ArrayNode columns = definition.putArray("columns");
    columns.addObject().put("name", "id").put("type", "bigint").put("nullable", false);
    columns.addObject().put("name", "customer").put("type", "string");
    columns.addObject().put("name", "amount").put("type", "decimal(12,2)");
    columns.addObject().put("name", "t").put("type", "timestamp");
    definition.putArray("bucketKey").add("id");
    definition.put("buckets", BUCKETS);
    ArrayNode lakeFormats = definition.putObject("lake").putArray("formats");
    formats.forEach(lakeFormats::add);
    HttpResponse<String> response = send("PUT", "/v1/tables/" + table, definition);
    assertThat(response.statusCode()).as("create %s: %s", table, response.body()).isEqualTo(201);
  }

  private static void createPrimaryKeyTable(String table, String engine, List<String> formats)
      throws Exception {
    ObjectNode definition = JSON.createObjectNode();
    ArrayNode columns = definition.putArray("columns");
    columns.addObject().put("name", "id").put("type", "bigint").put("nullable", false);
    columns.addObject().put("name", "qty").put("type", "bigint");
    columns.addObject().put("name", "note").put("type", "string");
    columns.addObject().put("name", "price").put("type", "decimal(12,2)");
    definition.putArray("primaryKey").add("id");
    definition.put("buckets", BUCKETS);
    ArrayNode lakeFormats = definition.putObject("lake").putArray("formats");
    formats.forEach(lakeFormats::add);
    definition.put("mergeEngine", engine);
    if (engine.equals("aggregation")) {
      definition.putObject("aggregations").put("qty", "sum").put("price", "max");
    }
    HttpResponse<String> response = send("PUT", "/v1/tables/" + table, definition);
    assertThat(response.statusCode()).as("create %s: %s", table, response.body()).isEqualTo(201);
  }

  private static Map<Integer, Long> describeHighWatermarks(String table) throws Exception {
    HttpResponse<String> response = send("GET", "/v1/tables/" + table, null);
    assertThat(response.statusCode()).as("describe: %s", response.body()).isEqualTo(200);
    Map<Integer, Long> marks = new TreeMap<>();
    for (JsonNode bucket : JSON.readTree(response.body()).path("bucketState")) {
      marks.put(bucket.path("bucket").asInt(), bucket.path("highWatermark").asLong());
    }
    return marks;
  }

  private static Map<Integer, Long> offsets(JsonNode node) {
    Map<Integer, Long> offsets = new TreeMap<>();
    node.fields()
        .forEachRemaining(e -> offsets.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
    return offsets;
  }

  private static HttpResponse<String> send(String method, String path, JsonNode body)
      throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(3));
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("Interrupted: " + method + " " + path, e));
    }
  }
}
