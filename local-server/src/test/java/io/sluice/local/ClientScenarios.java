package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.sluice.client.ArrowBatches;
import io.sluice.client.BucketState;
import io.sluice.client.LakeSnapshot;
import io.sluice.client.RowOffset;
import io.sluice.client.ScanOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceException;
import io.sluice.client.TableDefinition;
import io.sluice.client.TableDescription;
import io.sluice.client.TableWriter;
import io.sluice.client.WriterOptions;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java client ({@code sluice-client}) against the real server, on every store shape (see the
 * subclasses' profiles): the writer's answered offsets are where bucket reads find the rows, once.
 */
abstract class ClientScenarios {
  @TestHTTPResource("/")
  URI base;

  private SluiceClient client;

  @BeforeEach
  void connect() {
    client = SluiceClient.builder(base).build();
  }

  @AfterEach
  void disconnect() {
    client.close();
  }

  @Test
  void rowsWrittenFromEightThreadsAreReadBackOnceAtTheirOffsets() throws Exception {
    String table = "client_many";
    client.create(
        table,
        TableDefinition.builder()
            .requiredColumn("id", "bigint")
            .column("name", "string")
            .column("amount", "decimal(12,2)")
            .column("t", "timestamp")
            .bucketKey("id")
            .buckets(4)
            .build());
    int threads = 8;
    int perThread = 125_000; // a million rows in all
    @SuppressWarnings("unchecked")
    CompletableFuture<RowOffset>[] futures = new CompletableFuture[threads * perThread];
    LocalDateTime start = LocalDateTime.of(2026, 11, 25, 8, 0);
    // Batches under the test server's 1 MiB body limit (a larger one would be split on 413).
    WriterOptions options = WriterOptions.defaults().batchBytes(ServerScenarios.MAX_BODY_BYTES / 2);
    try (TableWriter writer = client.writer(table, options)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int first = t * perThread;
          done.add(
              pool.submit(
                  () -> {
                    for (int id = first; id < first + perThread; id++) {
                      futures[id] =
                          writer.write(
                              Map.of(
                                  "id",
                                  (long) id,
                                  "name",
                                  "n" + id,
                                  "amount",
                                  BigDecimal.valueOf(id, 2),
                                  "t",
                                  start.plusSeconds(id)));
                    }
                  }));
        }
        for (Future<?> future : done) {
          future.get(5, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      writer.flush();
    }

    Map<Long, RowOffset> read = readEveryBucket(table, client.describe(table));
    assertThat(read).hasSize(futures.length);
    for (int id = 0; id < futures.length; id++) {
      assertThat(futures[id]).isCompleted();
      assertThat(read.get((long) id)).as("row %d", id).isEqualTo(futures[id].get());
    }
    assertThat(client.describe(table).bucketStates())
        .extracting(BucketState::highWatermark)
        .containsExactly(
            offsetsIn(read, 0), offsetsIn(read, 1), offsetsIn(read, 2), offsetsIn(read, 3));
  }

  @Test
  void aRowTheServerRefusesFailsNamingItsColumnAndTheOthersAreWritten() throws Exception {
    String table = "client_refused";
    client.create(
        table,
        TableDefinition.builder()
            .requiredColumn("id", "bigint")
            .requiredColumn("region", "string")
            .partitionBy("region")
            .bucketKey("id")
            .buckets(2)
            .build());
    List<CompletableFuture<RowOffset>> futures = new ArrayList<>();
    try (TableWriter writer = client.writer(table, WriterOptions.defaults())) {
      assertThatThrownBy(() -> writer.write(Map.of("id", "one", "region", "eu")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("column id: expected bigint");
      for (long id = 0; id < 10; id++) {
        // A blank partition value passes the client's checks; the server refuses it.
        futures.add(
            writer.write(Map.of("id", id, "region", id == 4 ? " " : id % 2 == 0 ? "eu" : "us")));
      }
      writer.flush();
    }
    assertThatThrownBy(() -> futures.get(4).join())
        .cause()
        .isInstanceOf(SluiceException.class)
        .hasMessage(
            "Cannot write the row to default.client_refused: column region: a partition value may"
                + " not be an empty or blank string")
        .satisfies(e -> assertThat(((SluiceException) e).code()).isEqualTo("SCHEMA_MISMATCH"));
    Map<Long, RowOffset> read = readEveryBucket(table, client.describe(table));
    assertThat(read).hasSize(9).doesNotContainKey(4L);
    for (long id = 0; id < 10; id++) {
      if (id != 4) {
        RowOffset offset = futures.get((int) id).join();
        assertThat(offset.partition()).isEqualTo(id % 2 == 0 ? "region=eu" : "region=us");
        assertThat(read.get(id)).isEqualTo(offset);
      }
    }
  }

  @Test
  void anArrowBatchIsWrittenWholeOrNotAtAll() throws Exception {
    String table = "client_arrow";
    client.create(
        table,
        TableDefinition.builder()
            .requiredColumn("id", "bigint")
            .column("name", "string")
            .bucketKey("id")
            .buckets(2)
            .lakeFormats("paimon")
            .build());
    try (BufferAllocator allocator = new RootAllocator();
        BigIntVector ids = new BigIntVector("id", allocator);
        VarCharVector names = new VarCharVector("name", allocator);
        TableWriter writer = client.writer(table, WriterOptions.defaults())) {
      for (int i = 0; i < 3; i++) {
        ids.setSafe(i, 10 + i);
        names.setSafe(i, ("n" + i).getBytes(StandardCharsets.UTF_8));
      }
      names.setNull(1);
      ids.setNull(2); // id is required: the whole batch is refused
      try (VectorSchemaRoot batch = VectorSchemaRoot.of(ids, names)) {
        batch.setRowCount(3);
        assertThatThrownBy(() -> writer.write(batch))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("Row 3 of the batch: ")
            .hasMessageContaining("column id");
        ids.setSafe(2, 12);
        List<RowOffset> placed = writer.write(batch).get(30, TimeUnit.SECONDS);
        assertThat(placed).hasSize(3);
        Map<Long, RowOffset> read = readEveryBucket(table, client.describe(table));
        assertThat(read).containsOnlyKeys(10L, 11L, 12L);
        for (int i = 0; i < 3; i++) {
          assertThat(read.get(10L + i)).isEqualTo(placed.get(i));
        }
      }
    }
    Map<String, Long> tiered = client.tier(table, Duration.ofSeconds(25)).orElseThrow();
    assertThat(tiered).containsOnlyKeys("paimon");
    List<LakeSnapshot> snapshots = client.lakeSnapshots(table, "paimon");
    assertThat(snapshots.get(0).snapshotId()).isEqualTo(tiered.get("paimon"));
    assertThat(snapshots.get(0).rows()).isEqualTo(3);
    assertThat(snapshots.get(0).offsets().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(3);
  }

  @Test
  void tablesAreCreatedDescribedScannedQueriedAndDropped() throws Exception {
    String table = "client_tables";
    TableDefinition definition =
        TableDefinition.builder()
            .requiredColumn("sku", "string")
            .column("qty", "int")
            .column("at", "timestamp_ltz")
            .primaryKey("sku")
            .buckets(2)
            .build();
    TableDescription created = client.create(table, definition);
    assertThat(created.name()).isEqualTo("default.client_tables");
    assertThat(created.primaryKey()).containsExactly("sku");
    assertThat(client.create(table, definition.toJson()).tableId()).isEqualTo(created.tableId());
    assertThat(client.tables()).extracting(TableDescription::name).contains(created.name());

    try (TableWriter writer = client.writer(table)) {
      writer.write(Map.of("sku", "a", "qty", 5, "at", Instant.parse("2026-11-25T08:00:00Z")));
      writer.write(Map.of("sku", "b", "qty", 1));
      Map<String, Object> delete = new HashMap<>();
      delete.put("sku", "b");
      delete.put("_op", "delete");
      writer.write(delete);
      writer.flush();
    }
    TableDescription described = client.describe(table);
    assertThat(described.columns())
        .extracting(c -> c.name() + " " + c.type())
        .containsExactly("sku string", "qty int", "at timestamp_ltz");
    assertThat(described.bucketStates()).hasSize(2);
    assertThat(described.bucketStates().stream().mapToLong(BucketState::highWatermark).sum())
        .isEqualTo(3);

    assertThat(client.scan(table, ScanOptions.all().columns("sku", "qty")))
        .containsExactly(Map.of("sku", "a", "qty", 5));
    try (ArrowBatches batches = client.scanArrow(table, ScanOptions.all())) {
      int rows = 0;
      while (batches.next()) {
        rows += batches.root().getRowCount();
      }
      assertThat(rows).isEqualTo(1);
      assertThat(batches.schema().getFields())
          .extracting(f -> f.getName())
          .containsExactly("sku", "qty", "at");
    }
    assertThat(client.sql("SELECT COUNT(*) AS n, MAX(sku) AS s FROM client_tables"))
        .containsExactly(Map.of("n", 1, "s", "a"));

    assertThatThrownBy(
            () -> client.create(table, TableDefinition.builder().column("x", "int").build()))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("different definition")
        .satisfies(e -> assertThat(((SluiceException) e).code()).isEqualTo("TABLE_EXISTS"));
    assertThatThrownBy(() -> client.sql("DELETE FROM client_tables"))
        .isInstanceOf(SluiceException.class)
        .satisfies(e -> assertThat(((SluiceException) e).status()).isEqualTo(400))
        .satisfies(e -> assertThat(((SluiceException) e).code()).isEqualTo("INVALID_SQL"));
    client.drop(table);
    assertThatThrownBy(() -> client.describe(table))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("client_tables")
        .satisfies(e -> assertThat(((SluiceException) e).code()).isEqualTo("TABLE_NOT_FOUND"));
    assertThatThrownBy(() -> client.writer(table))
        .isInstanceOf(SluiceException.class)
        .satisfies(e -> assertThat(((SluiceException) e).status()).isEqualTo(404));
  }

  private static long offsetsIn(Map<Long, RowOffset> read, int bucket) {
    return read.values().stream().filter(o -> o.bucket() == bucket).count();
  }

  /** Every row of every (partition,) bucket by id, through bucket reads, failing on a repeat. */
  Map<Long, RowOffset> readEveryBucket(String table, TableDescription description) {
    return readEveryBucket(new SluiceHttp(base), table, description);
  }

  static Map<Long, RowOffset> readEveryBucket(
      SluiceHttp http, String table, TableDescription description) {
    Map<Long, RowOffset> read = new HashMap<>();
    for (BucketState state : description.bucketStates()) {
      String partition =
          state.partition() == null
              ? ""
              : "&partition=" + URLEncoder.encode(state.partition(), StandardCharsets.UTF_8);
      long from = 0;
      while (from < state.highWatermark()) {
        SluiceHttp.Answer answer =
            http.get(
                "/v1/tables/%s/buckets/%d/records?columns=id&limit=10000&from=%d%s"
                    .formatted(table, state.bucket(), from, partition));
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        for (JsonNode row : answer.json()) {
          long id = row.path("id").asLong();
          RowOffset offset =
              new RowOffset(state.partition(), state.bucket(), row.path("_offset").asLong());
          RowOffset earlier = read.put(id, offset);
          assertThat(earlier).as("row %d read at %s and at %s", id, earlier, offset).isNull();
        }
        from = answer.longHeader("Sluice-Next-Offset");
      }
    }
    return read;
  }
}
