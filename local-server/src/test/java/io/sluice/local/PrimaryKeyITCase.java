package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.core.merge.PrimaryKeyModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.options.Options;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.table.source.Split;
import org.apache.paimon.table.source.StreamTableScan;
import org.apache.paimon.types.RowKind;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Primary-key tables over HTTP on the embedded shape, with real Paimon and Iceberg lakes:
 * concurrent writers of upserts, deletes and partial updates (JSON, NDJSON and Arrow bodies)
 * interleaved with tiering; after each step the union read through either lake equals a replay of
 * the acknowledged writes, for every merge engine; then the lakes, the changelog and SQL agree too.
 */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class PrimaryKeyITCase {
  private static final int KEYS = 15;
  private static final int WRITERS = 3;

  @TestHTTPResource("/")
  URI base;

  @ConfigProperty(name = "sluice.data-dir")
  String dataDir;

  private SluiceHttp http() {
    return new SluiceHttp(base);
  }

  @ParameterizedTest
  @ValueSource(strings = {"last_row", "first_row", "versioned", "aggregation"})
  void unionReadsOfBothLakesEqualAReplayOfTheAcknowledgedWrites(String engine) throws Exception {
    SluiceHttp http = http();
    String table = "pk_" + engine;
    SluiceHttp.Answer created =
        http.putJson(
            "/v1/tables/" + table,
            PrimaryKeyModel.definition(engine, List.of("paimon", "iceberg"), 3));
    assertThat(created.status()).as("%s", created).isEqualTo(201);

    Random random = new Random(engine.hashCode());
    List<PrimaryKeyModel.Write> written = new ArrayList<>();
    ExecutorService executor = Executors.newFixedThreadPool(WRITERS);
    try {
      for (int step = 0; step < 6; step++) {
        List<Future<List<PrimaryKeyModel.Write>>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          long seed = random.nextLong();
          writers.add(executor.submit(() -> write(http, table, engine, new Random(seed), 5)));
        }
        for (Future<List<PrimaryKeyModel.Write>> writer : writers) {
          written.addAll(writer.get());
        }
        if (step % 3 != 2) {
          TieringScenarios.tier(http, table);
        }
        Map<Long, Map<String, Object>> expected = PrimaryKeyModel.replay(engine, written);
        for (String lake : List.of("paimon", "iceberg")) {
          assertThat(scan(http, table, "source=union&lake=" + lake))
              .as("union read through %s after step %d", lake, step)
              .isEqualTo(expected);
        }
      }
    } finally {
      executor.shutdownNow();
    }
    TieringScenarios.tier(http, table);
    Map<Long, Map<String, Object>> expected = PrimaryKeyModel.replay(engine, written);
    for (String lake : List.of("paimon", "iceberg")) {
      assertThat(scan(http, table, "source=lake&lake=" + lake))
          .as("the %s lake table", lake)
          .isEqualTo(expected);
    }
    assertThat(changelogReplay(http, table)).as("the changelog replayed").isEqualTo(expected);
    assertThat(paimonChangelog(table))
        .as("Paimon's own streaming read of the changelog")
        .isEqualTo(changelogByKey(http, table));
    SluiceHttp.Answer count =
        http.post(
            "/v1/sql",
            SluiceHttp.JSON,
            ("{\"sql\": \"SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS keys FROM %s\"}"
                    .formatted(table))
                .getBytes(StandardCharsets.UTF_8));
    assertThat(count.status()).as("%s", count).isEqualTo(200);
    assertThat(count.json().get(0).path("n").asLong()).isEqualTo(expected.size());
    assertThat(count.json().get(0).path("keys").asLong()).isEqualTo(expected.size());
  }

  @Test
  void badRowsAreRefusedWithTheReasonAndWriteNothing() {
    SluiceHttp http = http();
    String table = "pk_refusals";
    assertThat(
            http.putJson(
                    "/v1/tables/" + table,
                    PrimaryKeyModel.definition("first_row", List.of("paimon"), 2))
                .status())
        .isEqualTo(201);
    Map<String, String> refusals =
        Map.of(
            "[{\"a\": 1, \"s\": \"x\", \"v\": 1}]",
            "row 1: column id: a primary-key column needs a value",
            "[{\"id\": 1, \"a\": 1, \"s\": \"x\", \"v\": 1}, {\"id\": 2, \"_op\": \"upsertt\"}]",
            "row 2: _op: expected \"upsert\" or \"delete\", got \"upsertt\"",
            "[{\"id\": 1, \"a\": 1, \"s\": \"x\", \"v\": 1, \"colour\": \"red\"}]",
            "row 1: column colour: not a column of the table",
            "[{\"id\": 1, \"_op\": \"delete\"}]",
            "row 1: _op: delete is not allowed under mergeEngine first_row");
    refusals.forEach(
        (body, message) ->
            ServerScenarios.assertError(
                http.post(
                    "/v1/tables/" + table + "/rows",
                    SluiceHttp.JSON,
                    body.getBytes(StandardCharsets.UTF_8)),
                400,
                "SCHEMA_MISMATCH",
                message));
    assertThat(TieringScenarios.highWatermarks(http, table).values()).containsOnly(0L);
    ServerScenarios.assertError(
        http.get("/v1/tables/" + table + "/buckets/0/changelog?from=0&limit=0"),
        400,
        "INVALID_PARAMETER",
        "limit must be 1 to 10000");
    assertThat(
            http.putJson(
                    "/v1/tables/pk_refusals_log",
                    "{\"columns\": [{\"name\": \"id\", \"type\": \"bigint\"}]}")
                .status())
        .isEqualTo(201);
    ServerScenarios.assertError(
        http.get("/v1/tables/pk_refusals_log/buckets/0/changelog"),
        400,
        "NOT_SUPPORTED",
        "has no primary key, so no changelog");
  }

  /** Writes {@code count} single-row requests of random operations, in a random body format. */
  private static List<PrimaryKeyModel.Write> write(
      SluiceHttp http, String table, String engine, Random random, int count) throws IOException {
    List<PrimaryKeyModel.Write> done = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Map<String, Object> fields = PrimaryKeyModel.randomRow(engine, random, KEYS);
      String json = PrimaryKeyModel.json(fields);
      SluiceHttp.Answer answer =
          switch (random.nextInt(3)) {
            case 0 ->
                http.post(
                    "/v1/tables/" + table + "/rows",
                    SluiceHttp.JSON,
                    ("[" + json + "]").getBytes(StandardCharsets.UTF_8));
            case 1 ->
                http.post(
                    "/v1/tables/" + table + "/rows",
                    SluiceHttp.NDJSON,
                    (json + "\n").getBytes(StandardCharsets.UTF_8));
            default -> http.post("/v1/tables/" + table + "/rows", SluiceHttp.ARROW, arrow(fields));
          };
      assertThat(answer.status()).as("%s", answer).isEqualTo(200);
      JsonNode bucket = answer.json().path("buckets").get(0);
      done.add(
          new PrimaryKeyModel.Write(
              bucket.path("bucket").asInt(), bucket.path("baseOffset").asLong(), fields));
    }
    return done;
  }

  /** One row as an Arrow IPC stream of only the fields it gives, {@code _op} as a string. */
  private static byte[] arrow(Map<String, Object> fields) throws IOException {
    List<Field> schema = new ArrayList<>();
    fields.forEach(
        (name, value) ->
            schema.add(
                new Field(
                    name,
                    FieldType.nullable(
                        name.equals("s") || name.equals("_op")
                            ? ArrowType.Utf8.INSTANCE
                            : new ArrowType.Int(64, true)),
                    null)));
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(schema), allocator)) {
      for (FieldVector vector : root.getFieldVectors()) {
        Object value = fields.get(vector.getName());
        if (value == null) {
          vector.setNull(0);
        } else if (vector instanceof VarCharVector text) {
          text.setSafe(0, ((String) value).getBytes(StandardCharsets.UTF_8));
        } else {
          ((BigIntVector) vector).setSafe(0, (Long) value);
        }
      }
      root.setRowCount(1);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
        writer.writeBatch();
      }
      return out.toByteArray();
    }
  }

  private static Map<Long, Map<String, Object>> scan(SluiceHttp http, String table, String query) {
    SluiceHttp.Answer answer = http.get("/v1/tables/" + table + "/scan?" + query);
    assertThat(answer.status()).as("%s", answer).isEqualTo(200);
    Map<Long, Map<String, Object>> rows = new TreeMap<>();
    for (JsonNode node : answer.json()) {
      Map<String, Object> row = row(node);
      assertThat(rows.put((Long) row.get("id"), row)).as("key %s twice", row.get("id")).isNull();
    }
    return rows;
  }

  private static Map<String, Object> row(JsonNode node) {
    Map<String, Object> row = new HashMap<>();
    row.put("id", node.path("id").asLong());
    row.put("a", node.path("a").isNull() ? null : node.path("a").asLong());
    row.put("s", node.path("s").isNull() ? null : node.path("s").asText());
    row.put("v", node.path("v").isNull() ? null : node.path("v").asLong());
    return row;
  }

  /** Every record of the HTTP changelog as {@code type[id, a, s, v]}, per key in offset order. */
  private static Map<Long, List<String>> changelogByKey(SluiceHttp http, String table) {
    Map<Long, List<String>> records = new TreeMap<>();
    for (int bucket = 0; bucket < 3; bucket++) {
      SluiceHttp.Answer answer =
          http.get(
              "/v1/tables/%s/buckets/%d/changelog?from=0&limit=10000".formatted(table, bucket));
      assertThat(answer.status()).as("%s", answer).isEqualTo(200);
      for (JsonNode record : answer.json()) {
        Map<String, Object> row = row(record);
        records
            .computeIfAbsent((Long) row.get("id"), id -> new ArrayList<>())
            .add(
                record.path("_change_type").asText()
                    + List.of(
                        row.get("id"), "" + row.get("a"), "" + row.get("s"), "" + row.get("v")));
      }
    }
    return records;
  }

  /**
   * Every record of Paimon's own streaming read of the lake table from its first snapshot, as
   * {@code type[id, a, s, v]}, per key in the order read.
   */
  private Map<Long, List<String>> paimonChangelog(String table) throws Exception {
    Options options = new Options();
    options.set("warehouse", Path.of(dataDir).toAbsolutePath().resolve("lake/paimon").toString());
    options.set("cache-enabled", "false");
    Map<Long, List<String>> records = new TreeMap<>();
    try (Catalog catalog = CatalogFactory.createCatalog(CatalogContext.create(options))) {
      FileStoreTable lake = (FileStoreTable) catalog.getTable(Identifier.create("default", table));
      long latest = lake.snapshotManager().latestSnapshotId();
      ReadBuilder read =
          lake.copy(Map.of("scan.mode", "from-snapshot", "scan.snapshot-id", "1")).newReadBuilder();
      StreamTableScan scan = read.newStreamScan();
      while (true) {
        for (Split split : scan.plan().splits()) {
          try (RecordReader<InternalRow> reader = read.newRead().createReader(split)) {
            reader.forEachRemaining(
                row ->
                    records
                        .computeIfAbsent(row.getLong(0), id -> new ArrayList<>())
                        .add(
                            changeType(row.getRowKind())
                                + List.of(
                                    row.getLong(0),
                                    row.isNullAt(1) ? "null" : "" + row.getLong(1),
                                    row.isNullAt(2) ? "null" : row.getString(2).toString(),
                                    row.isNullAt(3) ? "null" : "" + row.getLong(3))));
          }
        }
        Long next = scan.checkpoint();
        if (next != null && next > latest) {
          return records;
        }
      }
    }
  }

  private static String changeType(RowKind kind) {
    return switch (kind) {
      case INSERT -> "insert";
      case UPDATE_BEFORE -> "update_before";
      case UPDATE_AFTER -> "update_after";
      case DELETE -> "delete";
    };
  }

  /** Every bucket's changelog from offset 0, replayed, checking each before-image. */
  private static Map<Long, Map<String, Object>> changelogReplay(SluiceHttp http, String table) {
    Map<Long, Map<String, Object>> rows = new TreeMap<>();
    for (int bucket = 0; bucket < 3; bucket++) {
      long from = 0;
      while (true) {
        SluiceHttp.Answer answer =
            http.get(
                "/v1/tables/%s/buckets/%d/changelog?from=%d&limit=7"
                    .formatted(table, bucket, from));
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        for (JsonNode record : answer.json()) {
          Map<String, Object> row = row(record);
          long id = (Long) row.get("id");
          switch (record.path("_change_type").asText()) {
            case "insert" -> assertThat(rows.put(id, row)).as("insert of a live key").isNull();
            case "update_before" ->
                assertThat(row).as("before-image of %d", id).isEqualTo(rows.get(id));
            case "update_after" -> rows.put(id, row);
            case "delete" -> assertThat(rows.remove(id)).as("deleted row").isEqualTo(row);
            default -> throw new AssertionError("change type of " + record);
          }
        }
        long next = answer.longHeader("Sluice-Next-Offset");
        if (next == from) {
          break;
        }
        from = next;
      }
    }
    return rows;
  }
}
