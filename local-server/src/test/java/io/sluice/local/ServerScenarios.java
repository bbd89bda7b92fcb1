package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.arrow.JsonRowDecoder;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.CommitGroup;
import io.sluice.core.log.PlanKeys;
import io.sluice.core.log.RecoveryService;
import io.sluice.core.metadata.Claim;
import io.sluice.core.metadata.DelegatingMetadataStore;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.segment.BucketBatch;
import io.sluice.core.segment.EncodedSegment;
import io.sluice.core.segment.SegmentWriter;
import io.sluice.core.service.TableService;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.table.TableName;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.StreamSupport;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * What a user of the HTTP API checks, run against every deployment shape: each subclass starts the
 * server on other stores (see its test profile). Every test uses its own tables.
 */
abstract class ServerScenarios {
  static final int MAX_BODY_BYTES = 1 << 20;
  private static final BufferAllocator ALLOCATOR = new RootAllocator();

  @TestHTTPResource("/")
  URI base;

  @Inject MetadataStore metadata;
  @Inject ObjectStore objects;
  @Inject RecoveryService recovery;
  @Inject TableService tables;

  SluiceHttp http() {
    return new SluiceHttp(base);
  }

  // ---- a. tables ----

  @Test
  void createsEveryTypeThenFindsEvolvesAndRefusesTheTable() {
    SluiceHttp http = http();
    String definition = TypedRows.definition(4);

    SluiceHttp.Answer created = http.putJson("/v1/tables/all_types", definition);
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    JsonNode table = created.json();
    assertThat(table.path("name").asText()).isEqualTo("default.all_types");
    assertThat(table.path("tableId").asText()).isNotBlank();
    assertThat(table.path("buckets").asInt()).isEqualTo(4);
    assertThat(table.path("bucketKey")).isEmpty();
    Map<String, String> types = new java.util.LinkedHashMap<>();
    table.path("columns").forEach(c -> types.put(c.path("name").asText(), c.path("type").asText()));
    assertThat(types).containsExactlyEntriesOf(TypedRows.COLUMNS);
    assertThat(table.path("columns").get(0).path("nullable").asBoolean()).isFalse();
    assertThat(table.path("columns").get(1).path("nullable").asBoolean()).isTrue();

    SluiceHttp.Answer again = http.putJson("/v1/tables/all_types", definition);
    assertThat(again.status()).as("%s", again).isEqualTo(200);
    assertThat(again.json().path("tableId").asText()).isEqualTo(table.path("tableId").asText());
    assertThat(again.json().path("schemaId")).isEqualTo(table.path("schemaId"));

    JsonNode described = http.get("/v1/tables/all_types").json();
    assertThat(described.path("bucketState")).hasSize(4);
    described
        .path("bucketState")
        .forEach(b -> assertThat(b.path("highWatermark").asLong()).isZero());
    assertThat(names(http.get("/v1/tables").json())).contains("default.all_types");

    String evolved =
        definition.replace(
            "],\"bucketKey\"", ",{\"name\":\"c_note\",\"type\":\"string\"}],\"bucketKey\"");
    SluiceHttp.Answer evolution = http.putJson("/v1/tables/all_types", evolved);
    assertThat(evolution.status()).as("%s", evolution).isEqualTo(200);
    assertThat(evolution.json().path("tableId").asText()).isEqualTo(table.path("tableId").asText());
    assertThat(evolution.json().path("columns")).hasSize(TypedRows.COLUMNS.size() + 1);

    SluiceHttp.Answer written =
        http.postJson(
            "/v1/tables/all_types/rows",
            "[{\"id\": 1, \"c_note\": \"added later\"}, {\"id\": 2, \"c_int\": 7}]");
    assertThat(written.status()).as("%s", written).isEqualTo(200);
    JsonNode ack = written.json().path("buckets").get(0);
    JsonNode rows =
        http.get(
                "/v1/tables/all_types/buckets/"
                    + ack.path("bucket").asInt()
                    + "/records?from="
                    + ack.path("baseOffset").asLong())
            .json();
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).path("c_note").asText()).isEqualTo("added later");
    assertThat(rows.get(1).path("c_note").isNull()).isTrue();
    assertThat(rows.get(1).path("c_int").asInt()).isEqualTo(7);

    String otherType =
        evolved.replace("\"c_int\",\"type\":\"int\"", "\"c_int\",\"type\":\"bigint\"");
    assertThat(otherType).isNotEqualTo(evolved);
    SluiceHttp.Answer refused = http.putJson("/v1/tables/all_types", otherType);
    assertThat(refused.status()).as("%s", refused).isEqualTo(409);
    assertThat(refused.errorCode()).isEqualTo("TABLE_EXISTS");
    assertThat(refused.errorMessage()).contains("default.all_types", "different definition");
  }

  // ---- b. concurrent writes, exact read-back ----

  /** One acknowledged part of a write: which request, which bucket, where. */
  private record Ack(int request, int bucket, long baseOffset, long count, Instant committed) {}

  @Test
  void concurrentWritersAreReadBackExactlyAtTheirOffsets() throws Exception {
    SluiceHttp http = http();
    String table = "load_rows";
    int buckets = 4;
    int requests = 200;
    int rowsPerRequest = 50;
    assertThat(http.putJson("/v1/tables/" + table, TypedRows.definition(buckets)).status())
        .isEqualTo(201);

    Map<Integer, List<TypedRows.Row>> sent = new ConcurrentHashMap<>();
    Map<Integer, JsonNode> answers = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int r = 0; r < requests; r++) {
        int request = r;
        done.add(
            clients.submit(
                () -> {
                  Random random = new Random(1_000L + request);
                  List<TypedRows.Row> rows = new ArrayList<>();
                  for (int i = 0; i < rowsPerRequest; i++) {
                    rows.add(TypedRows.random(random, request * 1000L + i));
                  }
                  sent.put(request, rows);
                  SluiceHttp.Answer answer = write(http, table, request % 3, rows, buckets);
                  assertThat(answer.status()).as("%s", answer).isEqualTo(200);
                  answers.put(request, answer.json());
                }));
      }
      for (Future<?> future : done) {
        future.get(120, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }

    // Every answer accounts for its rows; the acknowledged ranges tile each bucket from 0.
    Map<Integer, TreeMap<Long, Ack>> acks = new HashMap<>();
    for (int r = 0; r < requests; r++) {
      JsonNode answer = answers.get(r);
      assertThat(answer.path("rows").asLong()).as("answer %s", answer).isEqualTo(rowsPerRequest);
      Instant committed = Instant.parse(answer.path("commitTimestamp").asText());
      long counted = 0;
      for (JsonNode part : answer.path("buckets")) {
        Ack ack =
            new Ack(
                r,
                part.path("bucket").asInt(),
                part.path("baseOffset").asLong(),
                part.path("count").asLong(),
                committed);
        counted += ack.count();
        Ack clash =
            acks.computeIfAbsent(ack.bucket(), b -> new TreeMap<>()).put(ack.baseOffset(), ack);
        assertThat(clash).as("two writes acknowledged at the same offset").isNull();
      }
      assertThat(counted).as("answer %s", answer).isEqualTo(rowsPerRequest);
    }
    long[] watermarks = highWatermarks(http, table);
    long total = 0;
    for (int bucket = 0; bucket < buckets; bucket++) {
      long next = 0;
      for (Ack ack : acks.getOrDefault(bucket, new TreeMap<>()).values()) {
        assertThat(ack.baseOffset())
            .as("bucket %d: acknowledged ranges leave no gap", bucket)
            .isEqualTo(next);
        next += ack.count();
      }
      assertThat(watermarks[bucket]).as("high watermark of bucket %d", bucket).isEqualTo(next);
      total += next;
    }
    assertThat(total).isEqualTo((long) requests * rowsPerRequest);

    // Read every bucket back in pages and compare every row with what was sent.
    List<String> columns = TypedRows.columnNames();
    int matched = 0;
    for (int bucket = 0; bucket < buckets; bucket++) {
      List<JsonNode> log = readAll(http, table, bucket, 997, watermarks[bucket]);
      assertThat(log).as("rows of bucket %d", bucket).hasSize((int) watermarks[bucket]);
      Instant previous = Instant.EPOCH;
      for (int offset = 0; offset < log.size(); offset++) {
        JsonNode row = log.get(offset);
        assertThat(row.path("_offset").asLong()).isEqualTo(offset);
        Instant timestamp = Instant.parse(row.path("_timestamp").asText());
        assertThat(timestamp)
            .as("bucket %d offset %d: _timestamp never decreases", bucket, offset)
            .isAfterOrEqualTo(previous);
        previous = timestamp;
      }
      for (Ack ack : acks.getOrDefault(bucket, new TreeMap<>()).values()) {
        List<TypedRows.Row> rows = sent.get(ack.request());
        long lastIndex = -1;
        for (long offset = ack.baseOffset(); offset < ack.baseOffset() + ack.count(); offset++) {
          JsonNode row = log.get((int) offset);
          long id = row.path("id").asLong();
          assertThat(id / 1000)
              .as("bucket %d offset %d belongs to request %d", bucket, offset, ack.request())
              .isEqualTo(ack.request());
          assertThat(id % 1000).as("rows of a request keep their order").isGreaterThan(lastIndex);
          lastIndex = id % 1000;
          assertThat(TypedRows.fromJson(row, columns))
              .as("bucket %d offset %d (request %d)", bucket, offset, ack.request())
              .isEqualTo(TypedRows.expected(rows.get((int) (id % 1000)), columns));
          assertThat(Instant.parse(row.path("_timestamp").asText()))
              .as("_timestamp is the commit time or later")
              .isAfterOrEqualTo(ack.committed());
          matched++;
        }
      }
    }
    assertThat(matched).isEqualTo(requests * rowsPerRequest);

    // The same rows through projection, NDJSON and Arrow.
    int bucket = 0;
    while (watermarks[bucket] == 0) {
      bucket++;
    }
    String page = "/v1/tables/" + table + "/buckets/" + bucket + "/records?from=0&limit=500";
    List<JsonNode> json = list(http.get(page).json());

    List<String> projected = List.of("id", "c_dec38", "c_ts_ltz", "c_binary", "c_string");
    SluiceHttp.Answer projection = http.get(page + "&columns=" + String.join(",", projected));
    assertThat(projection.status()).as("%s", projection).isEqualTo(200);
    List<JsonNode> projectedRows = list(projection.json());
    assertThat(projectedRows).hasSameSizeAs(json);
    for (int i = 0; i < json.size(); i++) {
      List<String> fields = new ArrayList<>();
      projectedRows.get(i).fieldNames().forEachRemaining(fields::add);
      assertThat(fields)
          .containsExactly(
              "_offset", "_timestamp", "id", "c_dec38", "c_ts_ltz", "c_binary", "c_string");
      assertThat(TypedRows.fromJson(projectedRows.get(i), projected))
          .isEqualTo(TypedRows.fromJson(json.get(i), projected));
    }

    SluiceHttp.Answer ndjson = http.get(page + "&format=ndjson");
    assertThat(ndjson.status()).as("%s", ndjson).isEqualTo(200);
    assertThat(ndjson.header("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith(SluiceHttp.NDJSON));
    List<JsonNode> lines = new ArrayList<>();
    for (String line : ndjson.text().split("\n")) {
      if (!line.isBlank()) {
        lines.add(SluiceHttp.MAPPER.readTree(line));
      }
    }
    assertThat(lines).isEqualTo(json);

    SluiceHttp.Answer arrow = http.get(page + "&format=arrow");
    assertThat(arrow.status()).as("%s", arrow).isEqualTo(200);
    assertThat(arrow.header("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith(SluiceHttp.ARROW));
    int read = 0;
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(arrow.bytes()), ALLOCATOR)) {
      VectorSchemaRoot batch = reader.getVectorSchemaRoot();
      assertThat(batch.getSchema().getFields().stream().map(Field::getName).toList())
          .startsWith("_offset", "_timestamp")
          .containsAll(columns);
      while (reader.loadNextBatch()) {
        for (int i = 0; i < batch.getRowCount(); i++, read++) {
          JsonNode expected = json.get(read);
          assertThat(((BigIntVector) batch.getVector("_offset")).get(i))
              .isEqualTo(expected.path("_offset").asLong());
          long micros = ((TimeStampMicroTZVector) batch.getVector("_timestamp")).get(i);
          assertThat(Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000))
              .isEqualTo(Instant.parse(expected.path("_timestamp").asText()));
          assertThat(TypedRows.fromArrow(batch, i, columns))
              .as("Arrow row %d", read)
              .isEqualTo(TypedRows.fromJson(expected, columns));
        }
      }
    }
    assertThat(read).isEqualTo(json.size());
  }

  private SluiceHttp.Answer write(
      SluiceHttp http, String table, int format, List<TypedRows.Row> rows, int buckets) {
    String path = "/v1/tables/" + table + "/rows";
    return switch (format) {
      case 0 -> http.post(path, SluiceHttp.JSON, TypedRows.jsonBody(rows));
      case 1 -> http.post(path, SluiceHttp.NDJSON, TypedRows.ndjsonBody(rows));
      default ->
          http.post(
              path,
              SluiceHttp.ARROW,
              TypedRows.arrowBody(rows, TypedRows.tableDefinition(buckets), ALLOCATOR));
    };
  }

  /** Reads a bucket from 0 to its high watermark, following Sluice-Next-Offset. */
  private static List<JsonNode> readAll(
      SluiceHttp http, String table, int bucket, int limit, long highWatermark) {
    List<JsonNode> rows = new ArrayList<>();
    long from = 0;
    while (from < highWatermark) {
      SluiceHttp.Answer page =
          http.get(
              "/v1/tables/"
                  + table
                  + "/buckets/"
                  + bucket
                  + "/records?from="
                  + from
                  + "&limit="
                  + limit);
      assertThat(page.status()).as("%s", page).isEqualTo(200);
      List<JsonNode> got = list(page.json());
      assertThat(got).as("a page below the high watermark is not empty: %s", page).isNotEmpty();
      assertThat(got.size()).isLessThanOrEqualTo(limit);
      assertThat(page.longHeader("Sluice-Next-Offset")).isEqualTo(from + got.size());
      assertThat(page.longHeader("Sluice-High-Watermark")).isEqualTo(highWatermark);
      rows.addAll(got);
      from = page.longHeader("Sluice-Next-Offset");
    }
    SluiceHttp.Answer end =
        http.get("/v1/tables/" + table + "/buckets/" + bucket + "/records?from=" + from);
    assertThat(end.status()).as("%s", end).isEqualTo(200);
    assertThat(end.json()).as("nothing past the high watermark").isEmpty();
    assertThat(end.longHeader("Sluice-Next-Offset")).isEqualTo(from);
    return rows;
  }

  // ---- c. idempotency ----

  @Test
  void aRepeatedIdempotencyKeyReturnsTheFirstAnswerAndWritesNothing() {
    SluiceHttp http = http();
    String table = "idempotent_rows";
    assertThat(http.putJson("/v1/tables/" + table, TypedRows.definition(2)).status())
        .isEqualTo(201);
    String path = "/v1/tables/" + table + "/rows";
    byte[] body =
        "[{\"id\": 1, \"c_string\": \"first\"}, {\"id\": 2, \"c_dec12\": \"-0.01\"}]"
            .getBytes(StandardCharsets.UTF_8);
    Map<String, String> key = Map.of("Idempotency-Key", "batch-2026-01-01/0001");

    SluiceHttp.Answer first = http.post(path, SluiceHttp.JSON, body, key);
    assertThat(first.status()).as("%s", first).isEqualTo(200);
    assertThat(first.json().path("rows").asLong()).isEqualTo(2);
    long[] after = highWatermarks(http, table);
    assertThat(Arrays.stream(after).sum()).isEqualTo(2);

    SluiceHttp.Answer repeated = http.post(path, SluiceHttp.JSON, body, key);
    assertThat(repeated.status()).as("%s", repeated).isEqualTo(200);
    assertThat(repeated.json()).isEqualTo(first.json());
    assertThat(highWatermarks(http, table)).isEqualTo(after);

    SluiceHttp.Answer other =
        http.post(
            path,
            SluiceHttp.JSON,
            "[{\"id\": 1, \"c_string\": \"changed\"}]".getBytes(StandardCharsets.UTF_8),
            key);
    assertThat(other.status()).as("%s", other).isEqualTo(409);
    assertThat(other.errorCode()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
    assertThat(other.errorMessage()).contains("Idempotency-Key");
    assertThat(highWatermarks(http, table)).isEqualTo(after);

    SluiceHttp.Answer badKey =
        http.post(path, SluiceHttp.JSON, body, Map.of("Idempotency-Key", "x".repeat(129)));
    assertThat(badKey.status()).as("%s", badKey).isEqualTo(400);
    assertThat(badKey.errorCode()).isEqualTo("INVALID_PARAMETER");
    assertThat(badKey.errorMessage()).contains("Idempotency-Key");
    assertThat(highWatermarks(http, table)).isEqualTo(after);
  }

  @Test
  void rowBucketsNameEachRowsOffsetAlsoWhenARetryIsAnsweredFromTheFirstWrite() {
    SluiceHttp http = http();
    for (String bucketKey : List.of("[\"id\"]", "[]")) {
      String table = bucketKey.equals("[]") ? "row_buckets_spread" : "row_buckets_hashed";
      SluiceHttp.Answer created =
          http.putJson(
              "/v1/tables/" + table,
              "{\"columns\": [{\"name\": \"id\", \"type\": \"bigint\", \"nullable\": false},"
                  + " {\"name\": \"note\", \"type\": \"string\"}], \"bucketKey\": "
                  + bucketKey
                  + ", \"buckets\": 4, \"lake\": {\"formats\": []}}");
      assertThat(created.status()).as("%s", created).isEqualTo(201);
      String path = "/v1/tables/" + table + "/rows?rowBuckets=true";
      Map<String, String> key = Map.of("Idempotency-Key", table + "/1");
      for (int write = 0; write < 3; write++) {
        StringBuilder body = new StringBuilder("[");
        for (int id = 0; id < 24; id++) {
          body.append(id == 0 ? "" : ", ")
              .append("{\"id\": ")
              .append(100 * write + id)
              .append(", \"note\": \"w")
              .append(write)
              .append("\"}");
        }
        byte[] rows = body.append("]").toString().getBytes(StandardCharsets.UTF_8);
        SluiceHttp.Answer first =
            http.post(path, SluiceHttp.JSON, rows, write == 2 ? key : Map.of());
        assertThat(first.status()).as("%s", first).isEqualTo(200);
        assertOffsetsHoldTheRows(http, table, first.json(), 100 * write);
        if (write == 2) {
          SluiceHttp.Answer retried = http.post(path, SluiceHttp.JSON, rows, key);
          assertThat(retried.status()).as("%s", retried).isEqualTo(200);
          assertThat(retried.json()).isEqualTo(first.json());
        }
      }
    }
  }

  /**
   * Checks an answer's rowBuckets the way a client uses them: row i is at its bucket part's base
   * offset plus its rank among the request's rows of that part, and holds id {@code firstId + i}.
   */
  private static void assertOffsetsHoldTheRows(
      SluiceHttp http, String table, JsonNode answer, long firstId) {
    List<JsonNode> rowBuckets = list(answer.path("rowBuckets"));
    assertThat(rowBuckets).hasSize(answer.path("rows").asInt());
    Map<Integer, Long> bases = new HashMap<>();
    for (JsonNode part : list(answer.path("buckets"))) {
      int bucket = part.path("bucket").asInt();
      bases.put(bucket, part.path("baseOffset").asLong());
      assertThat(rowBuckets.stream().filter(b -> b.asInt() == bucket).count())
          .as("rows in bucket %d", bucket)
          .isEqualTo(part.path("count").asLong());
    }
    Map<Integer, Long> ranks = new HashMap<>();
    for (int i = 0; i < rowBuckets.size(); i++) {
      int bucket = rowBuckets.get(i).asInt();
      long offset = bases.get(bucket) + ranks.merge(bucket, 1L, Long::sum) - 1;
      SluiceHttp.Answer read =
          http.get(
              "/v1/tables/"
                  + table
                  + "/buckets/"
                  + bucket
                  + "/records?from="
                  + offset
                  + "&limit=1");
      assertThat(read.status()).as("%s", read).isEqualTo(200);
      assertThat(read.json().path(0).path("id").asLong()).as("row %d", i).isEqualTo(firstId + i);
    }
  }

  // ---- d. recovery ----

  /** The failure a crashed writer leaves behind: it stopped after planning. */
  private static final class WriterStopped extends RuntimeException {
    WriterStopped(String message) {
      super(message);
    }
  }

  @Test
  void recoveryCompletesTheWriteOfAWriterThatStoppedAfterPlanning() throws Exception {
    SluiceHttp http = http();
    String table = "recovered_rows";
    assertThat(http.putJson("/v1/tables/" + table, TypedRows.definition(4)).status())
        .isEqualTo(201);
    // Something already in the log, so the plan's offsets do not start at 0.
    assertThat(http.postJson("/v1/tables/" + table + "/rows", "[{\"id\": -1}]").status())
        .isEqualTo(200);
    TableEntry entry = tables.table(TableName.parse(table));

    Random random = new Random(42);
    Map<Integer, List<TypedRows.Row>> byBucket = new TreeMap<>();
    byBucket.put(1, List.of(TypedRows.random(random, 1), TypedRows.random(random, 2)));
    byBucket.put(3, List.of(TypedRows.random(random, 3)));
    List<BucketBatch> batches = new ArrayList<>();
    EncodedSegment segment;
    try {
      byBucket.forEach(
          (bucket, rows) ->
              batches.add(
                  new BucketBatch(
                      bucket,
                      entry.schemaId(),
                      new JsonRowDecoder(entry.definition())
                          .decode(
                              rows.stream().map(r -> (JsonNode) TypedRows.jsonObject(r)).toList(),
                              ALLOCATOR))));
      segment = SegmentWriter.encode(batches);
    } finally {
      batches.forEach(b -> b.root().close());
    }
    String planKey = PlanKeys.newPlanKey(Clock.systemUTC().instant());
    CommitGroup group =
        new CommitGroup(
            entry.tableId(),
            entry.schemaId(),
            planKey,
            segment.bytes(),
            segment.buckets().stream()
                .map(r -> new CommitGroup.Part("", r.bucket(), r.offset(), r.length(), r.rows()))
                .toList(),
            List.of(new CommitGroup.Member(Optional.empty(), "", List.of())));
    long[] before = highWatermarks(http, table);

    AtomicBoolean stopped = new AtomicBoolean();
    MetadataStore stopsOnFirstAppend =
        new DelegatingMetadataStore(metadata) {
          @Override
          public Optional<Plan> commitInOneTransaction(Plan plan, List<Claim> claims) {
            return Optional.empty(); // the protocol step by step, as on DynamoDB
          }

          @Override
          public void appendSlice(TableBucket bucket, long expectedNextOffset, Slice slice) {
            if (stopped.compareAndSet(false, true)) {
              throw new WriterStopped(
                  "writer stopped before appending to bucket " + bucket.bucket());
            }
            super.appendSlice(bucket, expectedNextOffset, slice);
          }
        };
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try {
      AppendCommitter committer =
          new AppendCommitter(objects, stopsOnFirstAppend, executor, Clock.systemUTC());
      assertThatThrownBy(() -> committer.commit(group))
          .isInstanceOf(WriterStopped.class)
          .hasMessageContaining("writer stopped before appending to bucket");
    } finally {
      executor.shutdown();
      assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    Plan pending = metadata.plan(entry.tableId(), planKey).orElseThrow();
    assertThat(pending.status()).isEqualTo(PlanStatus.PENDING);
    long[] stalled = highWatermarks(http, table);
    long visible = 0;
    for (int bucket : byBucket.keySet()) {
      visible += stalled[bucket] - before[bucket];
    }
    assertThat(visible).as("rows visible before recovery").isLessThan(3);

    // Recovery leaves plans younger than its delay to their writers: run it as it would run once
    // the delay has passed.
    ExecutorService applying = Executors.newFixedThreadPool(2);
    try {
      RecoveryService later =
          new RecoveryService(
              metadata, applying, Clock.offset(Clock.systemUTC(), RecoveryService.DELAY));
      assertThat(later.recover(entry.tableId())).isGreaterThanOrEqualTo(1);
    } finally {
      applying.shutdown();
    }

    Plan done = metadata.plan(entry.tableId(), planKey).orElseThrow();
    assertThat(done.status()).isEqualTo(PlanStatus.DONE);
    long[] after = highWatermarks(http, table);
    List<String> columns = TypedRows.columnNames();
    for (PlanPart part : done.parts()) {
      List<TypedRows.Row> rows = byBucket.get(part.bucket());
      assertThat(part.rows()).isEqualTo(rows.size());
      assertThat(part.baseOffset()).isGreaterThanOrEqualTo(before[part.bucket()]);
      assertThat(after[part.bucket()]).isEqualTo(before[part.bucket()] + rows.size());
      SluiceHttp.Answer read =
          http.get(
              "/v1/tables/"
                  + table
                  + "/buckets/"
                  + part.bucket()
                  + "/records?from="
                  + part.baseOffset()
                  + "&limit="
                  + part.rows());
      assertThat(read.status()).as("%s", read).isEqualTo(200);
      List<JsonNode> got = list(read.json());
      assertThat(got).hasSize(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        assertThat(got.get(i).path("_offset").asLong()).isEqualTo(part.baseOffset() + i);
        assertThat(TypedRows.fromJson(got.get(i), columns))
            .isEqualTo(TypedRows.expected(rows.get(i), columns));
      }
    }
    assertThat(done.parts()).extracting(PlanPart::bucket).containsExactlyInAnyOrder(1, 3);
  }

  // ---- e. bad input ----

  @Test
  void badBodiesAreRefusedWithTheirProblemNamedAndWriteNothing() throws IOException {
    SluiceHttp http = http();
    String table = "strict_rows";
    assertThat(http.putJson("/v1/tables/" + table, TypedRows.definition(2)).status())
        .isEqualTo(201);
    String path = "/v1/tables/" + table + "/rows";
    assertThat(http.postJson(path, "[{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]").status())
        .isEqualTo(200);
    long[] before = highWatermarks(http, table);

    SluiceHttp.Answer malformed = http.postJson(path, "[{\"id\": 1,");
    assertError(malformed, 400, "MALFORMED_BODY", "JSON");

    SluiceHttp.Answer notAnArray = http.postJson(path, "{\"id\": 1}");
    assertError(notAnArray, 400, "MALFORMED_BODY", "array");

    SluiceHttp.Answer wrongType =
        http.postJson(path, "[{\"id\": 1}, {\"id\": 2, \"c_int\": \"abc\"}]");
    assertError(wrongType, 400, "SCHEMA_MISMATCH", "c_int", "abc", "int");
    assertThat(wrongType.json().path("error").path("row").asInt()).isEqualTo(2);
    assertThat(wrongType.json().path("error").path("column").asText()).isEqualTo("c_int");

    SluiceHttp.Answer badDecimal = http.postJson(path, "[{\"id\": 1, \"c_dec12\": \"12.345\"}]");
    assertError(badDecimal, 400, "SCHEMA_MISMATCH", "c_dec12", "decimal(12,2)");
    assertThat(badDecimal.json().path("error").path("row").asInt()).isEqualTo(1);

    SluiceHttp.Answer nullId = http.postJson(path, "[{\"id\": 5}, {\"id\": null}]");
    assertError(nullId, 400, "SCHEMA_MISMATCH", "id", "null");
    assertThat(nullId.json().path("error").path("row").asInt()).isEqualTo(2);
    assertThat(nullId.json().path("error").path("column").asText()).isEqualTo("id");

    SluiceHttp.Answer missingId = http.postJson(path, "[{\"c_int\": 5}]");
    assertError(missingId, 400, "SCHEMA_MISMATCH", "id");

    SluiceHttp.Answer unknownColumn = http.postJson(path, "[{\"id\": 1, \"colour\": \"red\"}]");
    assertError(unknownColumn, 400, "SCHEMA_MISMATCH", "colour", "not a column");
    assertThat(unknownColumn.json().path("error").path("column").asText()).isEqualTo("colour");

    SluiceHttp.Answer ndjsonLine =
        http.post(
            path,
            SluiceHttp.NDJSON,
            "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3, \"c_date\": \"2026-02-30\"}\n"
                .getBytes(StandardCharsets.UTF_8));
    assertError(ndjsonLine, 400, "SCHEMA_MISMATCH", "c_date", "2026-02-30");
    assertThat(ndjsonLine.json().path("error").path("row").asInt()).isEqualTo(3);

    SluiceHttp.Answer unknownTable =
        http.postJson("/v1/tables/no_such_table/rows", "[{\"id\": 1}]");
    assertError(unknownTable, 404, "TABLE_NOT_FOUND", "no_such_table");
    assertError(http.get("/v1/tables/no_such_table"), 404, "TABLE_NOT_FOUND", "no_such_table");
    assertError(
        http.get("/v1/tables/no_such_table/buckets/0/records"),
        404,
        "TABLE_NOT_FOUND",
        "no_such_table");

    StringBuilder big = new StringBuilder("[");
    for (int i = 0; big.length() <= MAX_BODY_BYTES + 1000; i++) {
      big.append(i == 0 ? "" : ",")
          .append("{\"id\": ")
          .append(i)
          .append(", \"c_string\": \"")
          .append("x".repeat(200))
          .append("\"}");
    }
    big.append(']');
    SluiceHttp.Answer tooLarge = http.postJson(path, big.toString());
    assertError(tooLarge, 413, "BODY_TOO_LARGE", String.valueOf(MAX_BODY_BYTES));

    List<TypedRows.Row> rows =
        List.of(TypedRows.random(new Random(7), 1), TypedRows.random(new Random(8), 2));
    byte[] arrow = TypedRows.arrowBody(rows, TypedRows.tableDefinition(2), ALLOCATOR);
    SluiceHttp.Answer truncated =
        http.post(path, SluiceHttp.ARROW, Arrays.copyOf(arrow, arrow.length - 40));
    assertError(truncated, 400, "MALFORMED_BODY", "Arrow");
    SluiceHttp.Answer notArrow =
        http.post(path, SluiceHttp.ARROW, "not an arrow stream".getBytes(StandardCharsets.UTF_8));
    assertError(notArrow, 400, "MALFORMED_BODY", "Arrow");
    assertError(http.post(path, SluiceHttp.JSON, new byte[0]), 400, "MALFORMED_BODY", "JSON");
    assertError(http.post(path, SluiceHttp.ARROW, new byte[0]), 400, "MALFORMED_BODY", "Arrow");

    Schema wrongArrowType =
        new Schema(
            List.of(
                ArrowSchemas.field(TypedRows.tableDefinition(2).column("id").orElseThrow()),
                new Field("c_int", FieldType.nullable(new ArrowType.Int(64, true)), null)));
    SluiceHttp.Answer arrowMismatch =
        http.post(path, SluiceHttp.ARROW, oneRowArrowStream(wrongArrowType));
    assertError(arrowMismatch, 400, "SCHEMA_MISMATCH", "c_int");
    assertThat(arrowMismatch.json().path("error").path("column").asText()).isEqualTo("c_int");

    SluiceHttp.Answer noType =
        http.post(path, "text/plain", "id=1".getBytes(StandardCharsets.UTF_8));
    assertThat(noType.status()).as("%s", noType).isEqualTo(400);
    assertThat(noType.errorMessage()).contains("text/plain", "application/json");

    assertThat(highWatermarks(http, table)).as("nothing was written").isEqualTo(before);
  }

  /**
   * Arrow bodies damaged in transit or by a careless client: each answer is the rows written, or a
   * 400 naming the problem; never a 5xx or a text page, and the table holds exactly the rows of the
   * accepted requests.
   */
  @Test
  void mutatedArrowBodiesAreWrittenOrRefusedAsCallerErrors() {
    SluiceHttp http = http();
    String table = "mutated_rows";
    assertThat(http.putJson("/v1/tables/" + table, TypedRows.definition(2)).status())
        .isEqualTo(201);
    String path = "/v1/tables/" + table + "/rows";
    Random random = new Random(16);
    List<TypedRows.Row> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(TypedRows.random(random, i));
    }
    byte[] body = TypedRows.arrowBody(rows, TypedRows.tableDefinition(2), ALLOCATOR);
    long accepted = 0;
    for (int attempt = 0; attempt < 300; attempt++) {
      byte[] mutated = body.clone();
      for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
        int at = random.nextInt(mutated.length);
        mutated[at] = random.nextBoolean() ? (byte) random.nextInt() : (byte) (mutated[at] ^ 0x80);
      }
      SluiceHttp.Answer answer = http.post(path, SluiceHttp.ARROW, mutated);
      if (answer.status() == 200) {
        accepted += answer.json().path("rows").asLong();
        continue;
      }
      assertThat(answer.status()).as("attempt %d: %s", attempt, answer).isEqualTo(400);
      assertThat(answer.header("Content-Type"))
          .as("%s", answer)
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
      assertThat(answer.errorCode()).as("%s", answer).isIn("MALFORMED_BODY", "SCHEMA_MISMATCH");
    }
    assertThat(Arrays.stream(highWatermarks(http, table)).sum())
        .as("exactly the rows of the accepted requests")
        .isEqualTo(accepted);
  }

  /**
   * A defect is answered as API.md's JSON error with code INTERNAL and the id the server log names,
   * never as a text page: here a segment damaged in storage after it was committed.
   */
  @Test
  void aSegmentDamagedInStorageIsAnInternalErrorWithAnId() {
    SluiceHttp http = http();
    String table = "damaged_rows";
    assertThat(http.putJson("/v1/tables/" + table, TypedRows.definition(1)).status())
        .isEqualTo(201);
    assertThat(
            http.postJson("/v1/tables/" + table + "/rows", "[{\"id\": 1}, {\"id\": 2}]").status())
        .isEqualTo(200);
    TableEntry entry = tables.table(TableName.parse(table));
    Slice slice =
        metadata.head(TableBucket.of(entry.tableId(), 0)).recentSlices().firstEntry().getValue();
    byte[] damaged = objects.read(slice.segmentKey());
    for (long i = slice.byteOffset() + 40; i < slice.byteOffset() + slice.byteLength() - 40; i++) {
      damaged[(int) i] ^= 0x5a;
    }
    objects.delete(slice.segmentKey());
    objects.putIfAbsent(slice.segmentKey(), damaged);

    SluiceHttp.Answer answer = http.get("/v1/tables/" + table + "/buckets/0/records?from=0");

    assertError(answer, 500, "INTERNAL", "Internal error ");
    assertThat(answer.errorMessage()).containsPattern("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-");
  }

  private static byte[] oneRowArrowStream(Schema schema) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, ALLOCATOR);
        org.apache.arrow.vector.ipc.ArrowStreamWriter writer =
            new org.apache.arrow.vector.ipc.ArrowStreamWriter(
                root, null, java.nio.channels.Channels.newChannel(out))) {
      writer.start();
      root.allocateNew();
      ((BigIntVector) root.getVector("id")).setSafe(0, 1);
      root.setRowCount(1);
      writer.writeBatch();
      writer.end();
    }
    return out.toByteArray();
  }

  /**
   * Names that are not {@code [a-z][a-z0-9_]{0,62}} are refused. What reaches the resource depends
   * on the HTTP layer: {@code %2E%2E%2Forders} arrives decoded as the name {@code ../orders} and is
   * refused as INVALID_NAME; a literal {@code ../orders} segment is normalised away by Vert.x
   * ({@code /v1/tables/../orders} becomes {@code /v1/orders}), which no route serves: 404.
   */
  @Test
  void invalidTableNamesAreRefused() {
    SluiceHttp http = http();
    String definition = TypedRows.definition(1);
    for (String name : List.of("Orders", "a..b", "a.b.c", "1orders", "or-ders")) {
      assertError(http.putJson("/v1/tables/" + name, definition), 400, "INVALID_NAME", name);
      assertError(
          http.postJson("/v1/tables/" + name + "/rows", "[{\"id\": 1}]"),
          400,
          "INVALID_NAME",
          name);
      assertError(http.get("/v1/tables/" + name + "/buckets/0/records"), 400, "INVALID_NAME", name);
    }
    assertError(
        http.putJson("/v1/tables/%2E%2Eorders", definition), 400, "INVALID_NAME", "'..orders'");
    assertError(
        http.putJson("/v1/tables/%2E%2E%2Forders", definition), 400, "INVALID_NAME", "'../orders'");
    assertError(
        http.postJson("/v1/tables/..%2Fescape/rows", "[{\"id\": 1}]"),
        400,
        "INVALID_NAME",
        "'../escape'");
    SluiceHttp.Answer dotSegment = http.putJson("/v1/tables/../escape", definition);
    assertThat(dotSegment.status()).as("%s", dotSegment).isEqualTo(404);
    assertThat(names(http.get("/v1/tables").json()))
        .noneMatch(n -> n.contains("..") || n.contains("/") || n.contains("escape"));
  }

  @Test
  void invalidReadParametersAreRefused() {
    SluiceHttp http = http();
    String table = "read_params";
    assertThat(http.putJson("/v1/tables/" + table, TypedRows.definition(2)).status())
        .isEqualTo(201);
    String records = "/v1/tables/" + table + "/buckets/";
    assertError(
        http.get(records + "0/records?limit=20000"), 400, "INVALID_PARAMETER", "limit", "20000");
    assertError(http.get(records + "0/records?limit=0"), 400, "INVALID_PARAMETER", "limit");
    assertError(
        http.get(records + "0/records?limit=many"), 400, "INVALID_PARAMETER", "limit", "many");
    assertError(
        http.get(records + "0/records?waitMs=30000"), 400, "INVALID_PARAMETER", "waitMs", "30000");
    assertError(http.get(records + "0/records?from=-1"), 400, "INVALID_PARAMETER", "from");
    assertError(
        http.get(records + "0/records?format=xml"), 400, "INVALID_PARAMETER", "format", "xml");
    assertError(http.get(records + "0/records?columns=id,nope"), 400, "INVALID_PARAMETER", "nope");
    assertError(http.get(records + "2/records"), 404, "BUCKET_NOT_FOUND", "2");
    assertError(http.get(records + "-1/records"), 404, "BUCKET_NOT_FOUND", "-1");
    SluiceHttp.Answer ok = http.get(records + "1/records?limit=10000&waitMs=0");
    assertThat(ok.status()).as("%s", ok).isEqualTo(200);
    assertThat(ok.json()).isEmpty();
  }

  // ---- f. long polling ----

  @Test
  void aLongPollAtTheHighWatermarkReturnsAsSoonAsRowsArrive() throws Exception {
    SluiceHttp http = http();
    String table = "polled_rows";
    assertThat(http.putJson("/v1/tables/" + table, TypedRows.definition(1)).status())
        .isEqualTo(201);
    String rows = "/v1/tables/" + table + "/rows";
    assertThat(http.postJson(rows, "[{\"id\": 1}]").status()).isEqualTo(200);
    long highWatermark = highWatermarks(http, table)[0];

    long started = System.nanoTime();
    CompletableFuture<SluiceHttp.Answer> poll =
        CompletableFuture.supplyAsync(
            () ->
                http.get(
                    "/v1/tables/"
                        + table
                        + "/buckets/0/records?from="
                        + highWatermark
                        + "&waitMs=5000"));
    // The poll waits while nothing arrives...
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !poll.isDone());

    long written = System.nanoTime();
    SluiceHttp.Answer write =
        http.postJson(rows, "[{\"id\": 2, \"c_string\": \"wake up\"}, {\"id\": 3}]");
    assertThat(write.status()).as("%s", write).isEqualTo(200);
    SluiceHttp.Answer answer = poll.get(10, TimeUnit.SECONDS);
    long answered = System.nanoTime();

    assertThat(answer.status()).as("%s", answer).isEqualTo(200);
    List<JsonNode> got = list(answer.json());
    assertThat(got).extracting(r -> r.path("id").asLong()).containsExactly(2L, 3L);
    assertThat(got.get(0).path("_offset").asLong()).isEqualTo(highWatermark);
    assertThat(got.get(0).path("c_string").asText()).isEqualTo("wake up");
    assertThat(answer.longHeader("Sluice-Next-Offset")).isEqualTo(highWatermark + 2);
    assertThat(Duration.ofNanos(answered - written))
        .as("answered soon after the write")
        .isLessThan(Duration.ofMillis(2000));
    assertThat(Duration.ofNanos(answered - started)).isLessThan(Duration.ofMillis(4500));

    // With nothing arriving, the poll ends after waitMs with no rows.
    long idle = System.nanoTime();
    SluiceHttp.Answer empty =
        http.get(
            "/v1/tables/"
                + table
                + "/buckets/0/records?from="
                + (highWatermark + 2)
                + "&waitMs=300");
    assertThat(empty.status()).isEqualTo(200);
    assertThat(empty.json()).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - idle))
        .isGreaterThanOrEqualTo(Duration.ofMillis(250));
  }

  // ---- g. operations ----

  @Test
  void healthOpenApiAndMetricsAnswer() {
    SluiceHttp http = http();
    String table = "metered_rows";
    assertThat(http.putJson("/v1/tables/" + table, TypedRows.definition(1)).status())
        .isEqualTo(201);
    assertThat(
            http.postJson(
                    "/v1/tables/" + table + "/rows", "[{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]")
                .status())
        .isEqualTo(200);

    SluiceHttp.Answer health = http.get("/q/health");
    assertThat(health.status()).as("%s", health).isEqualTo(200);
    assertThat(health.json().path("status").asText()).isEqualTo("UP");
    JsonNode stores =
        StreamSupport.stream(health.json().path("checks").spliterator(), false)
            .filter(c -> c.path("name").asText().equals("stores"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("No stores check in " + health));
    assertThat(stores.path("status").asText()).isEqualTo("UP");
    assertThat(stores.path("data").path("metadata").asText()).isEqualTo("up");
    assertThat(stores.path("data").path("objects").asText()).isEqualTo("up");

    SluiceHttp.Answer openapi = http.get("/q/openapi?format=json");
    assertThat(openapi.status()).as("%s", openapi).isEqualTo(200);
    List<String> paths = new ArrayList<>();
    openapi.json().path("paths").fieldNames().forEachRemaining(paths::add);
    assertThat(paths)
        .contains(
            "/v1/tables",
            "/v1/tables/{table}",
            "/v1/tables/{table}/rows",
            "/v1/tables/{table}/buckets/{bucket}/records");

    SluiceHttp.Answer metrics = http.get("/q/metrics");
    assertThat(metrics.status()).as("%s", metrics).isEqualTo(200);
    assertThat(metrics.text())
        .containsPattern(
            "sluice_write_rows_total\\{[^}]*table=\"default\\." + table + "\"[^}]*\\} 3\\.0");
  }

  // ---- helpers ----

  static void assertError(SluiceHttp.Answer answer, int status, String code, String... named) {
    assertThat(answer.status()).as("%s", answer).isEqualTo(status);
    assertThat(answer.header("Content-Type"))
        .as("%s", answer)
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(answer.errorCode()).as("%s", answer).isEqualTo(code);
    assertThat(answer.errorMessage()).as("%s", answer).contains(named);
  }

  static long[] highWatermarks(SluiceHttp http, String table) {
    SluiceHttp.Answer described = http.get("/v1/tables/" + table);
    assertThat(described.status()).as("%s", described).isEqualTo(200);
    JsonNode states = described.json().path("bucketState");
    long[] marks = new long[states.size()];
    for (JsonNode state : states) {
      marks[state.path("bucket").asInt()] = state.path("highWatermark").asLong();
    }
    return marks;
  }

  static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.path("tables").forEach(t -> names.add(t.path("name").asText()));
    return names;
  }

  static List<JsonNode> list(JsonNode array) {
    assertThat(array.isArray()).as("a JSON array: %s", array).isTrue();
    List<JsonNode> rows = new ArrayList<>();
    array.forEach(rows::add);
    return rows;
  }
}
