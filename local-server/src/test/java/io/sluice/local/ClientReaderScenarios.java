package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.sluice.client.BucketId;
import io.sluice.client.ChangeType;
import io.sluice.client.Checkpoint;
import io.sluice.client.ReaderOptions;
import io.sluice.client.RowOffset;
import io.sluice.client.ScanOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceException;
import io.sluice.client.TableDefinition;
import io.sluice.client.TableReader;
import io.sluice.client.TableRecord;
import io.sluice.client.TableWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java client's streaming reader against the real server, on every store shape (see the
 * subclasses' profiles): the back-fill of the lake hands over to the log with every row once, a
 * checkpoint resumes exactly once, rows written while following arrive, new partitions are found,
 * and a primary-key table's follow is its changelog.
 */
abstract class ClientReaderScenarios {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  // Short, so that reads a closed reader left open end before the server stops.
  private static final Duration LONG_POLL = Duration.ofSeconds(2);

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
  void fromEarliestEveryRowOnceAcrossTwoTieringsACheckpointAndRowsWrittenWhileFollowing()
      throws Exception {
    String table = "reader_log";
    client.create(
        table,
        TableDefinition.builder()
            .requiredColumn("id", "bigint")
            .column("name", "string")
            .bucketKey("id")
            .buckets(4)
            .lakeFormats("paimon")
            .build());
    Map<Long, RowOffset> written = new HashMap<>(write(table, 0, 300));
    TieringScenarios.tier(new SluiceHttp(base), table);
    written.putAll(write(table, 300, 600));
    TieringScenarios.tier(new SluiceHttp(base), table);
    written.putAll(write(table, 600, 800)); // still only in the log

    // The first reader stops after its first batch: a checkpoint taken during the back-fill.
    Map<Long, TableRecord> read = new HashMap<>();
    Checkpoint stopped;
    try (TableReader first =
        client.reader(table, ReaderOptions.earliest().longPoll(LONG_POLL).maxPollRecords(250))) {
      List<TableRecord> batch = first.poll(POLL);
      assertThat(batch).as("the first batch of the back-fill").isNotEmpty();
      assertThat(batch).allSatisfy(r -> assertThat(r.isSnapshotRow()).as("%s", r).isTrue());
      batch.forEach(r -> addOnce(read, r));
      stopped = first.checkpoint();
    }
    assertThat(stopped.backfill())
        .as("a checkpoint during the back-fill: %s", stopped)
        .hasValueSatisfying(b -> assertThat(b.rowsDelivered()).isEqualTo(read.size()))
        .hasValueSatisfying(
            b ->
                assertThat(b.rowsDelivered()).as("rows of the snapshot delivered").isLessThan(600));
    assertThat(Checkpoint.parse(stopped.toJson())).as("the checkpoint as JSON").isEqualTo(stopped);

    // Resumed, the second reader sees the rest once: the snapshot's 600 rows, then the log's 200.
    Checkpoint following;
    try (TableReader second =
        client.reader(
            table, ReaderOptions.from(Checkpoint.parse(stopped.toJson())).longPoll(LONG_POLL))) {
      pollUntil(second, read, 800);
      assertThat(read.values().stream().filter(TableRecord::isSnapshotRow))
          .as("rows from the lake snapshot")
          .hasSize(600);
      for (long id = 600; id < 800; id++) {
        TableRecord record = read.get(id);
        assertThat(record.isSnapshotRow()).as("row %d is from the log", id).isFalse();
        assertThat(
                new RowOffset(
                    record.bucket().orElseThrow().partition(), bucketOf(record), record.offset()))
            .as("row %d at the offset its write answered", id)
            .isEqualTo(written.get(id));
        assertThat(record.timestamp()).as("row %d's commit time", id).isNotNull();
        assertThat(record.value("name")).as("row %d's name", id).isEqualTo("n" + id);
      }

      // Rows written while following arrive.
      write(table, 800, 900);
      pollUntil(second, read, 900);
      following = second.checkpoint();
    }
    assertThat(following.backfill()).as("the back-fill is over").isEmpty();
    assertThat(following.offsets().values().stream().mapToLong(Long::longValue).sum())
        .as("the checkpoint's offsets are the high watermarks")
        .isEqualTo(
            client.describe(table).bucketStates().stream().mapToLong(s -> s.highWatermark()).sum());

    // Resumed after the back-fill, a reader sees only what came after the checkpoint.
    write(table, 900, 950);
    try (TableReader third =
        client.reader(table, ReaderOptions.from(following).longPoll(LONG_POLL))) {
      pollUntil(third, read, 950);
      assertThat(third.poll(Duration.ZERO)).as("nothing more").isEmpty();
    }
    assertThat(read).hasSize(950);

    // Once a newer snapshot is tiered, the back-fill's checkpoint cannot be resumed: the scan API
    // reads only the newest snapshot, and the reader does not guess.
    TieringScenarios.tier(new SluiceHttp(base), table);
    long snapshot = stopped.backfill().orElseThrow().snapshotId();
    assertThatThrownBy(() -> client.reader(table, ReaderOptions.from(stopped)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            ("Cannot resume the back-fill of default.reader_log from paimon snapshot %d: the newest"
                    + " snapshot is now %d, and a scan reads only the newest; start from earliest"
                    + " again, or take checkpoints after the back-fill")
                .formatted(snapshot, snapshot + 1));
  }

  @Test
  void aPartitionThatAppearsWhileFollowingIsRead() {
    String table = "reader_partitions";
    client.create(
        table,
        TableDefinition.builder()
            .requiredColumn("id", "bigint")
            .requiredColumn("region", "string")
            .partitionBy("region")
            .bucketKey("id")
            .buckets(2)
            .build());
    writeRegion(table, 0, 10, "eu");
    Map<Long, TableRecord> read = new HashMap<>();
    ReaderOptions options =
        ReaderOptions.latest().partitionRefresh(Duration.ofMillis(100)).longPoll(LONG_POLL);
    try (TableReader reader = client.reader(table, options)) {
      assertThat(reader.checkpoint().offsets().keySet())
          .as("the buckets of the partition there at the start")
          .containsExactly(new BucketId("region=eu", 0), new BucketId("region=eu", 1));
      writeRegion(table, 10, 20, "eu");
      writeRegion(table, 20, 30, "us");
      pollUntil(reader, read, 20);
      assertThat(read.keySet()).as("only rows written after the start").allMatch(id -> id >= 10);
      for (TableRecord record : read.values()) {
        assertThat(record.bucket().orElseThrow().partition())
            .as("the partition of %s", record)
            .isEqualTo("region=" + record.value("region"));
      }
      assertThat(reader.checkpoint().offsets().keySet())
          .as("the new partition's buckets are followed")
          .contains(new BucketId("region=us", 0), new BucketId("region=us", 1));
    }
  }

  @Test
  void aPrimaryKeyTablesBackFillIsItsMergedRowsAndItsFollowItsChangelog() {
    String table = "reader_keys";
    client.create(
        table,
        TableDefinition.builder()
            .requiredColumn("id", "bigint")
            .column("qty", "int")
            .primaryKey("id")
            .buckets(2)
            .lakeFormats("paimon")
            .build());
    try (TableWriter writer = client.writer(table)) {
      for (long id = 0; id < 20; id++) {
        writer.write(Map.of("id", id, "qty", 1));
      }
      for (long id = 0; id < 5; id++) {
        writer.write(Map.of("id", id, "qty", 2)); // merged before tiering
      }
    }
    TieringScenarios.tier(new SluiceHttp(base), table);
    try (TableWriter writer = client.writer(table)) {
      for (long id = 0; id < 10; id++) {
        writer.write(Map.of("id", id, "qty", 3));
      }
      for (long id = 10; id < 15; id++) {
        Map<String, Object> delete = new HashMap<>();
        delete.put("id", id);
        delete.put("_op", "delete");
        writer.write(delete);
      }
      for (long id = 20; id < 25; id++) {
        writer.write(Map.of("id", id, "qty", 4));
      }
    }

    SluiceHttp http = new SluiceHttp(base);
    try (TableReader reader = client.reader(table, ReaderOptions.earliest().longPoll(LONG_POLL))) {
      Map<BucketId, Long> handOver = reader.checkpoint().offsets();
      List<String> changelog = new ArrayList<>();
      handOver.forEach(
          (bucket, from) -> {
            SluiceHttp.Answer answer =
                http.get(
                    "/v1/tables/%s/buckets/%d/changelog?from=%d&limit=10000"
                        .formatted(table, bucket.bucket(), from));
            assertThat(answer.status()).as("%s", answer).isEqualTo(200);
            for (JsonNode change : answer.json()) {
              changelog.add(
                  "%d %d %s %d %s"
                      .formatted(
                          bucket.bucket(),
                          change.path("_offset").asLong(),
                          change.path("_change_type").asText(),
                          change.path("id").asLong(),
                          change.path("qty").isNull() ? "null" : change.path("qty").asText()));
            }
          });
      List<TableRecord> records = new ArrayList<>();
      await()
          .atMost(PATIENCE)
          .until(
              () -> {
                records.addAll(reader.poll(POLL));
                return records.stream().filter(r -> !r.isSnapshotRow()).count() >= changelog.size();
              });

      Map<Long, Object> snapshot = new HashMap<>();
      records.stream()
          .filter(TableRecord::isSnapshotRow)
          .forEach(r -> snapshot.put((Long) r.value("id"), r.value("qty")));
      Map<Long, Object> lake = new HashMap<>();
      client
          .scan(table, ScanOptions.all().source(ScanOptions.Source.LAKE))
          .forEach(row -> lake.put(((Number) row.get("id")).longValue(), row.get("qty")));
      assertThat(snapshot)
          .as("the back-fill is the lake's merged rows")
          .isEqualTo(lake)
          .hasSize(20);

      List<String> followed =
          records.stream()
              .filter(r -> !r.isSnapshotRow())
              .map(
                  r ->
                      "%d %d %s %d %s"
                          .formatted(
                              bucketOf(r),
                              r.offset(),
                              r.change().apiName(),
                              (Long) r.value("id"),
                              r.value("qty")))
              .toList();
      assertThat(followed)
          .as("the follow is the changelog")
          .containsExactlyInAnyOrderElementsOf(changelog);

      // The back-fill with the changes applied is the table now.
      Map<Long, Object> replayed = new HashMap<>(snapshot);
      for (TableRecord r : records) {
        if (r.change() == ChangeType.INSERT && !r.isSnapshotRow()
            || r.change() == ChangeType.UPDATE_AFTER) {
          replayed.put((Long) r.value("id"), r.value("qty"));
        } else if (r.change() == ChangeType.DELETE) {
          replayed.remove((Long) r.value("id"));
        }
      }
      Map<Long, Object> now = new HashMap<>();
      client
          .scan(table, ScanOptions.all())
          .forEach(row -> now.put(((Number) row.get("id")).longValue(), row.get("qty")));
      assertThat(replayed).as("the back-fill plus the changes").isEqualTo(now).hasSize(20);
    }
  }

  @Test
  void aCheckpointThatCannotBeResumedFailsClearly() {
    String table = "reader_refusals";
    client.create(
        table,
        TableDefinition.builder()
            .requiredColumn("id", "bigint")
            .column("name", "string")
            .buckets(1)
            .build());
    write(table, 0, 5);
    String tableId = client.describe(table).tableId();
    Checkpoint ahead =
        Checkpoint.parse(
            "{\"table\": \"default.reader_refusals\", \"tableId\": \"%s\", \"offsets\":"
                    .formatted(tableId)
                + " [{\"bucket\": 0, \"offset\": 50}]}");
    try (TableReader reader = client.reader(table, ReaderOptions.from(ahead).longPoll(LONG_POLL))) {
      assertThatThrownBy(() -> reader.poll(Duration.ofSeconds(5)))
          .isInstanceOf(SluiceException.class)
          .hasMessageStartingWith(
              "Cannot follow bucket 0 of default.reader_refusals from offset 50:")
          .hasMessageContaining("the reader never skips rows")
          .satisfies(
              e -> assertThat(((SluiceException) e).code()).isEqualTo("OFFSET_OUT_OF_RANGE"));
      assertThat(reader.checkpoint()).as("nothing was skipped").isEqualTo(ahead);
    }

    Checkpoint otherTable =
        Checkpoint.parse(
            "{\"table\": \"default.reader_refusals\", \"tableId\": \"gone\", \"offsets\": []}");
    assertThatThrownBy(() -> client.reader(table, ReaderOptions.from(otherTable)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            ("Cannot resume default.reader_refusals (table id %s) from a checkpoint of"
                    + " default.reader_refusals (table id gone): another table, or one dropped and"
                    + " created again since")
                .formatted(tableId));
  }

  /** Writes rows {@code from} to {@code to} (ids) and returns where each went. */
  private Map<Long, RowOffset> write(String table, long from, long to) {
    Map<Long, CompletableFuture<RowOffset>> futures = new HashMap<>();
    try (TableWriter writer = client.writer(table)) {
      for (long id = from; id < to; id++) {
        futures.put(id, writer.write(Map.of("id", id, "name", "n" + id)));
      }
    }
    Map<Long, RowOffset> offsets = new HashMap<>();
    futures.forEach((id, future) -> offsets.put(id, future.join()));
    return offsets;
  }

  private void writeRegion(String table, long from, long to, String region) {
    try (TableWriter writer = client.writer(table)) {
      for (long id = from; id < to; id++) {
        writer.write(Map.of("id", id, "region", region));
      }
    }
  }

  /** Polls until {@code read} holds {@code rows} rows, each read once. */
  private static void pollUntil(TableReader reader, Map<Long, TableRecord> read, int rows) {
    await()
        .atMost(PATIENCE)
        .until(
            () -> {
              reader.poll(POLL).forEach(r -> addOnce(read, r));
              return read.size() >= rows;
            });
    assertThat(read).as("rows read").hasSize(rows);
  }

  private static void addOnce(Map<Long, TableRecord> read, TableRecord record) {
    long id = (Long) record.value("id");
    TableRecord earlier = read.put(id, record);
    assertThat(earlier).as("row %d read as %s and as %s", id, earlier, record).isNull();
  }

  private static int bucketOf(TableRecord record) {
    return record.bucket().orElseThrow().bucket();
  }
}
