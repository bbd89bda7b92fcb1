package io.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The serverless shape end to end: the three Lambda packages the build produced, each run as Lambda
 * runs it and invoked only through its entry point, with API Gateway HTTP API (payload 2.0) events
 * on the routes infra/ defines and with the schedule's event, against the AWS APIs of {@link
 * AwsBackend} (LocalStack, or s3proxy + dynalite where there is no Docker). The lake warehouse is a
 * local directory with Iceberg's JDBC catalog on SQLite beside it; the lake tables are read back
 * with Paimon's and Iceberg's own readers (Spark reading them is spark-tests' job: its connectors
 * bundle another Paimon than the one on this class path).
 */
class ServerlessEndToEndITCase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ARROW = "application/vnd.apache.arrow.stream";
  private static final String TABLE =
      "{\"columns\": [{\"name\": \"order_id\", \"type\": \"bigint\", \"nullable\": false},"
          + " {\"name\": \"customer\", \"type\": \"string\"},"
          + " {\"name\": \"amount\", \"type\": \"decimal(12,2)\"}],"
          + " \"bucketKey\": [\"order_id\"], \"buckets\": 2,"
          + " \"lake\": {\"formats\": [\"paimon\", \"iceberg\"], \"freshness\": \"1s\"}}";

  private static AwsBackend backend;
  private static ServerlessFunctions functions;
  private static Map<String, String> environment;

  @BeforeAll
  static void startFunctions() throws Exception {
    Path root = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();
    Path work = root.resolve("localstack-tests/target/e2e");
    LakeReaders.deleteRecursively(work);
    Files.createDirectories(work);
    backend = AwsBackend.start();
    environment = new HashMap<>(backend.environment());
    environment.put("SLUICE_LAKE_WAREHOUSE", "s3://" + AwsBackend.BUCKET + "/sluice/lake");
    environment.put("SLUICE_LAKE_ICEBERG_URI", "jdbc:sqlite:" + work.resolve("iceberg-catalog.db"));
    environment.put("SLUICE_SCHEDULER_EVERY", "1s");
    functions = ServerlessFunctions.start(root, environment, work);
    System.out.println("[e2e] functions initialised in " + functions.initTimes());
  }

  @AfterAll
  static void stopFunctions() throws Exception {
    try {
      if (functions != null) {
        functions.close();
      }
    } finally {
      if (backend != null) {
        backend.close();
      }
    }
  }

  @Test
  void rowsTravelFromTheWriteFunctionThroughTheLogIntoBothLakes() throws Exception {
    var created = functions.callJson("PUT /v1/tables/{table}", "/v1/tables/orders", TABLE);
    assertThat(created.status()).as(created.text()).isEqualTo(201);

    var json =
        functions.callJson(
            "POST /v1/tables/{table}/rows",
            "/v1/tables/orders/rows",
            "[{\"order_id\": 1, \"customer\": \"ada\", \"amount\": \"12.50\"},"
                + " {\"order_id\": 2, \"customer\": \"grace\", \"amount\": \"7.25\"},"
                + " {\"order_id\": 3, \"customer\": \"edsger\", \"amount\": \"1.00\"}]");
    assertThat(json.status()).as(json.text()).isEqualTo(200);
    assertThat(json.json().path("rows").asInt()).isEqualTo(3);

    var arrow =
        functions.call(
            "POST /v1/tables/{table}/rows",
            "/v1/tables/orders/rows",
            ARROW,
            arrowRows(
                List.of(
                    new Object[] {4L, "barbara", new BigDecimal("3.10")},
                    new Object[] {5L, "donald", new BigDecimal("4.40")})));
    assertThat(arrow.status()).as(arrow.text()).isEqualTo(200);
    assertThat(arrow.json().path("rows").asInt()).isEqualTo(2);

    List<String> customers = new ArrayList<>();
    for (int bucket = 0; bucket < 2; bucket++) {
      var records =
          functions.call(
              "GET /v1/tables/{table}/buckets/{bucket}/records",
              "/v1/tables/orders/buckets/" + bucket + "/records?from=0&limit=100");
      assertThat(records.status()).as(records.text()).isEqualTo(200);
      for (JsonNode row : records.json()) {
        assertThat(row.has("_offset")).isTrue();
        customers.add(row.path("customer").asText());
      }
    }
    assertThat(customers).containsExactlyInAnyOrder("ada", "grace", "edsger", "barbara", "donald");

    String scheduled = functions.scheduledRun();
    assertThat(JSON.readTree(scheduled).path("passes").asInt()).as(scheduled).isPositive();
    JsonNode described = functions.call("GET /v1/tables/{table}", "/v1/tables/orders").json();
    for (JsonNode bucket : described.path("bucketState")) {
      long highWatermark = bucket.path("highWatermark").asLong();
      assertThat(bucket.path("tiered").path("paimon").asLong())
          .as(described.toString())
          .isEqualTo(highWatermark);
      assertThat(bucket.path("tiered").path("iceberg").asLong())
          .as(described.toString())
          .isEqualTo(highWatermark);
    }

    var tail =
        functions.callJson(
            "POST /v1/tables/{table}/rows",
            "/v1/tables/orders/rows",
            "[{\"order_id\": 6, \"customer\": \"niklaus\", \"amount\": \"2.00\"},"
                + " {\"order_id\": 7, \"customer\": \"john\", \"amount\": \"0.75\"}]");
    assertThat(tail.status()).as(tail.text()).isEqualTo(200);

    var union = functions.call("GET /v1/tables/{table}/scan", "/v1/tables/orders/scan");
    assertThat(union.status()).as(union.text()).isEqualTo(200);
    assertThat(union.json()).hasSize(7);
    var lakeOnly =
        functions.call(
            "GET /v1/tables/{table}/scan", "/v1/tables/orders/scan?source=lake&lake=iceberg");
    assertThat(lakeOnly.json()).as(lakeOnly.text()).hasSize(5);

    var sql =
        functions.callJson(
            "POST /v1/sql",
            "/v1/sql",
            "{\"sql\": \"SELECT COUNT(*) AS n, SUM(amount) AS total FROM orders\"}");
    assertThat(sql.status()).as(sql.text()).isEqualTo(200);
    assertThat(sql.json().path(0).path("n").asLong()).isEqualTo(7);
    assertThat(new BigDecimal(sql.json().path(0).path("total").asText()))
        .isEqualByComparingTo("31.00");

    var tiered =
        functions.call("POST /v1/tables/{table}/tier", "/v1/tables/orders/tier?waitMs=30000");
    assertThat(tiered.status()).as(tiered.text()).isEqualTo(200);
    assertThat(tiered.json().has("paimon")).isTrue();
    assertThat(tiered.json().has("iceberg")).isTrue();

    assertThat(LakeReaders.paimonRows(environment, "default", "orders")).isEqualTo(7);
    assertThat(LakeReaders.icebergRows(environment, "default", "orders")).isEqualTo(7);

    // Iceberg's REST catalog, through the read function's catch-all route.
    var loaded =
        functions.call(
            "GET",
            "ANY /iceberg/{proxy+}",
            "/iceberg/v1/namespaces/default/tables/orders",
            null,
            null);
    assertThat(loaded.status()).as(loaded.text()).isEqualTo(200);
    assertThat(loaded.json().path("metadata").path("current-snapshot-id").asLong())
        .isEqualTo(tiered.json().path("iceberg").path("snapshotId").asLong());
    var commit =
        functions.call(
            "POST",
            "ANY /iceberg/{proxy+}",
            "/iceberg/v1/namespaces/default/tables/orders",
            "application/json",
            "{\"updates\": []}".getBytes(StandardCharsets.UTF_8));
    assertThat(commit.status()).as(commit.text()).isEqualTo(403);
  }

  @Test
  void aBodyOverTheHttpApisLimitIsRefusedWith413() throws Exception {
    functions.callJson(
        "PUT /v1/tables/{table}",
        "/v1/tables/notes",
        "{\"columns\": [{\"name\": \"msg\", \"type\": \"string\"}]}");
    byte[] body = new byte[4 * 1024 * 1024 + 1];
    java.util.Arrays.fill(body, (byte) ' ');
    body[0] = '[';
    body[body.length - 1] = ']';
    var answer =
        functions.call(
            "POST /v1/tables/{table}/rows", "/v1/tables/notes/rows", "application/json", body);
    assertThat(answer.status()).as(answer.text()).isEqualTo(413);
    assertThat(answer.json().path("error").path("code").asText()).isEqualTo("BODY_TOO_LARGE");
  }

  private static byte[] arrowRows(List<Object[]> rows) throws Exception {
    List<Column> columns =
        List.of(
            new Column("order_id", DataType.parse("bigint"), false),
            new Column("customer", DataType.parse("string"), true),
            new Column("amount", DataType.parse("decimal(12,2)"), true));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = ArrowTestBatches.of(allocator, columns, rows);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    assertThat(ArrowSchemas.schema(columns).getFields()).hasSize(3);
    return out.toByteArray();
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
