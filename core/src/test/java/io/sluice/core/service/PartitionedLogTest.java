package io.sluice.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingClock;
import io.sluice.core.TestingSluice;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.CommitResult;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.TestingMetadataStore;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import io.sluice.core.write.GroupCommitter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Partitioned tables' logs through the core services, on the in-memory stores. */
class PartitionedLogTest {
  private static final TableName EVENTS = TableName.parse("events");
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final String DEFINITION =
      """
      {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                   {"name": "t", "type": "timestamp", "nullable": false},
                   {"name": "region", "type": "string", "nullable": false}],
       "partitionBy": ["day(t)", "region"], "bucketKey": ["id"], "buckets": 2,
       "partitionRetention": "3d", "maxPartitions": 6}
      """;
  private static final List<String> DAYS = List.of("2026-11-25", "2026-11-26", "2026-11-27");
  private static final List<String> REGIONS = List.of("eu", "us/east");

  private final RootAllocator allocator = new RootAllocator();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final TestingMetadataStore metadata = new TestingMetadataStore();
  private final TestingObjectStore objects = new TestingObjectStore();
  private final LogWaiter waiter = new LogWaiter();
  private final TestingClock clock = new TestingClock(NOW);
  private TableService tables;
  private AppendService appends;
  private LogReadService reads;

  @BeforeEach
  void createTable() {
    tables = new TableService(metadata, clock);
    appends =
        new AppendService(
            tables,
            new AppendCommitter(objects, metadata, executor, clock),
            executor,
            allocator,
            waiter,
            AppendService.Settings.DEFAULT,
            TestingSluice::bucketFunction);
    reads = new LogReadService(tables, metadata, objects, waiter, allocator);
    tables.create(EVENTS, TableDefinitionJson.parse("create", DEFINITION));
  }

  @AfterEach
  void close() {
    executor.shutdownNow();
    assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
    allocator.close();
  }

  private static String row(long id, String day, String region) {
    return "{\"id\": %d, \"t\": \"%sT%02d:15:00\", \"region\": \"%s\"}"
        .formatted(id, day, id % 24, region);
  }

  private static String partition(String day, String region) {
    return "t_day=" + day + "/region=" + region.replace("/", "%2F");
  }

  private AppendService.Appended append(String rows, Optional<String> key) {
    RowBody body = new RowBody(RowFormat.JSON, rows.getBytes(StandardCharsets.UTF_8));
    try (var reservation = appends.admit(body.bytes().length)) {
      return appends.append(EVENTS, body, key, AppendService.RowBuckets.INCLUDED, reservation);
    }
  }

  /** Every row of one partition's bucket as id by offset, checked to start at 0. */
  private Map<Long, Long> idsByOffset(String partition, int bucket) throws Exception {
    Map<Long, Long> ids = new HashMap<>();
    long from = 0;
    while (true) {
      try (LogRead read =
          reads.read(
              new LogReadService.Request(
                  EVENTS, partition, bucket, from, 10_000, Optional.empty(), 0))) {
        int count = read.rows().getRowCount();
        if (count == 0) {
          return ids;
        }
        BigIntVector offsets = (BigIntVector) read.rows().getVector("_offset");
        BigIntVector id = (BigIntVector) read.rows().getVector("id");
        VarCharVector region = (VarCharVector) read.rows().getVector("region");
        TimeStampMicroVector t = (TimeStampMicroVector) read.rows().getVector("t");
        for (int i = 0; i < count; i++) {
          assertThat(offsets.get(i)).isEqualTo(from + i);
          String day = Instant.ofEpochSecond(t.get(i) / 1_000_000).toString().substring(0, 10);
          assertThat(partition(day, new String(region.get(i), StandardCharsets.UTF_8)))
              .as("the row at offset %d is in its partition", offsets.get(i))
              .isEqualTo(partition);
          ids.put(offsets.get(i), id.get(i));
        }
        from = read.nextOffset();
      }
    }
  }

  @Test
  void rowsSpanningPartitionsLandInTheirPartitionsBucketsAtTheAnsweredOffsets() throws Exception {
    List<Future<Map<Long, String>>> writers = new ArrayList<>();
    for (int writer = 0; writer < 6; writer++) {
      int w = writer;
      writers.add(
          executor.submit(
              () -> {
                Map<Long, String> placed = new HashMap<>();
                for (int request = 0; request < 20; request++) {
                  List<String> rows = new ArrayList<>();
                  List<Long> ids = new ArrayList<>();
                  for (int r = 0; r < 12; r++) {
                    long id = w * 10_000L + request * 100L + r;
                    ids.add(id);
                    rows.add(row(id, DAYS.get(r % 3), REGIONS.get((r / 3) % 2)));
                  }
                  AppendService.Appended appended =
                      append("[" + String.join(",", rows) + "]", Optional.empty());
                  CommitResult result = appended.result();
                  assertThat(result.rows()).isEqualTo(12);
                  int[] buckets = appended.rowPlaces().orElseThrow().buckets();
                  var partitions = appended.rowPlaces().orElseThrow().partitions();
                  Map<String, Long> rank = new HashMap<>();
                  for (int r = 0; r < ids.size(); r++) {
                    String name = partitions.partition(r).name();
                    assertThat(name)
                        .isEqualTo(partition(DAYS.get(r % 3), REGIONS.get((r / 3) % 2)));
                    int bucket = buckets[r];
                    CommitResult.BucketOffsets part =
                        result.buckets().stream()
                            .filter(b -> b.partition().equals(name) && b.bucket() == bucket)
                            .findFirst()
                            .orElseThrow();
                    long offset =
                        part.baseOffset() + rank.merge(name + "#" + bucket, 1L, Long::sum) - 1;
                    placed.put(ids.get(r), name + "#" + bucket + "@" + offset);
                  }
                }
                return placed;
              }));
    }
    Map<Long, String> answered = new HashMap<>();
    for (Future<Map<Long, String>> writer : writers) {
      answered.putAll(writer.get());
    }

    assertThat(tables.partitions(tables.table(EVENTS)))
        .containsExactlyInAnyOrder(
            partition(DAYS.get(0), "eu"),
            partition(DAYS.get(0), "us/east"),
            partition(DAYS.get(1), "eu"),
            partition(DAYS.get(1), "us/east"),
            partition(DAYS.get(2), "eu"),
            partition(DAYS.get(2), "us/east"));
    Map<Long, String> read = new HashMap<>();
    for (String partition : tables.partitions(tables.table(EVENTS))) {
      for (int bucket = 0; bucket < 2; bucket++) {
        String at = partition + "#" + bucket;
        idsByOffset(partition, bucket)
            .forEach(
                (offset, id) ->
                    assertThat(read.put(id, at + "@" + offset)).as("row %d once", id).isNull());
      }
    }
    assertThat(read).hasSize(6 * 20 * 12).isEqualTo(answered);
  }

  @Test
  void aRetriedKeyedWriteIsAnsweredWithTheSamePartitionsAndOffsets() throws Exception {
    String rows = "[" + row(1, DAYS.get(0), "eu") + "," + row(2, DAYS.get(1), "us/east") + "]";
    CommitResult first = append(rows, Optional.of("k-1")).result();
    CommitResult again = append(rows, Optional.of("k-1")).result();
    assertThat(again).isEqualTo(first);
    assertThat(first.buckets())
        .extracting(CommitResult.BucketOffsets::partition)
        .containsExactlyInAnyOrder(partition(DAYS.get(0), "eu"), partition(DAYS.get(1), "us/east"));
    long stored = tables.describe(EVENTS).buckets().stream().mapToLong(h -> h.nextOffset()).sum();
    assertThat(stored).isEqualTo(2);
  }

  @Test
  void aRowInAnExpiredPartitionIsRefusedAndNothingIsWritten() {
    String rows = "[" + row(1, DAYS.get(2), "eu") + "," + row(2, "2026-11-23", "eu") + "]";
    assertThatThrownBy(() -> append(rows, Optional.empty()))
        .isInstanceOfSatisfying(
            PartitionRejectedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(PartitionRejectedException.Reason.EXPIRED);
              assertThat(e.row()).isEqualTo(2);
            })
        .hasMessageContaining(
            "row 2: partition t_day=2026-11-23/region=eu ended at 2026-11-24T00:00:00Z");
    assertThat(tables.partitions(tables.table(EVENTS))).isEmpty();
  }

  @Test
  void aWriteThatWouldPassMaxPartitionsIsRefusedAndNothingIsWritten() throws Exception {
    List<String> rows = new ArrayList<>();
    for (String day : DAYS) {
      for (String region : REGIONS) {
        rows.add(row(rows.size(), day, region));
      }
    }
    append("[" + String.join(",", rows) + "]", Optional.empty());

    String seventh = "[" + row(100, DAYS.get(0), "eu") + "," + row(101, DAYS.get(1), "asia") + "]";
    assertThatThrownBy(() -> append(seventh, Optional.empty()))
        .isInstanceOfSatisfying(
            PartitionRejectedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(PartitionRejectedException.Reason.LIMIT);
              assertThat(e.row()).isEqualTo(2);
            })
        .hasMessageContaining("row 2: partition t_day=2026-11-26/region=asia would be partition 7")
        .hasMessageContaining("maxPartitions 6");
    assertThat(tables.partitions(tables.table(EVENTS))).hasSize(6);
    assertThat(
            idsByOffset(partition(DAYS.get(0), "eu"), 0).size()
                + idsByOffset(partition(DAYS.get(0), "eu"), 1).size())
        .as("the refused request wrote nothing, not even into a partition that exists")
        .isEqualTo(1);
  }

  @Test
  void expiredPartitionsDoNotCountAgainstMaxPartitions() throws Exception {
    List<String> rows = new ArrayList<>();
    for (String day : DAYS) {
      for (String region : REGIONS) {
        rows.add(row(rows.size(), day, region));
      }
    }
    append("[" + String.join(",", rows) + "]", Optional.empty());
    // 2026-11-25 ended more than partitionRetention (3d) ago: its two partitions are expired.
    clock.advance(Duration.ofDays(1).plusHours(13));
    append(
        "[" + row(100, "2026-11-28", "eu") + "," + row(101, "2026-11-28", "asia") + "]",
        Optional.empty());
    assertThat(tables.partitions(tables.table(EVENTS))).hasSize(8);
    assertThatThrownBy(() -> append("[" + row(102, "2026-11-29", "eu") + "]", Optional.empty()))
        .isInstanceOfSatisfying(
            PartitionRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(PartitionRejectedException.Reason.LIMIT))
        .hasMessageContaining("would be partition 7");
  }

  @Test
  void aRequestOfMoreThanAGroupsPartsIsRefusedAndNothingIsWritten() {
    TableName wide = TableName.parse("wide");
    tables.create(
        wide,
        TableDefinitionJson.parse(
            "create",
            """
            {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                         {"name": "region", "type": "string", "nullable": false}],
             "partitionBy": ["region"], "bucketKey": ["id"], "buckets": 4}
            """));
    StringBuilder rows = new StringBuilder("[");
    for (int region = 0; region < 300; region++) {
      for (int id = 0; id < 16; id++) {
        rows.append(rows.length() > 1 ? "," : "")
            .append("{\"id\": %d, \"region\": \"r%d\"}".formatted(region * 100 + id, region));
      }
    }
    RowBody body =
        new RowBody(RowFormat.JSON, rows.append("]").toString().getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> appends.append(wide, body, Optional.empty()))
        .isInstanceOf(RequestTooLargeException.class)
        .hasMessageContaining("more than the 1024 one write may commit: split the request");
    assertThat(tables.partitions(tables.table(wide))).isEmpty();
  }

  @Test
  void writesThatTogetherPassAGroupsPartsAreCommittedInSeparateGroups() throws Exception {
    AppendService lingering =
        new AppendService(
            tables,
            new AppendCommitter(objects, metadata, executor, clock),
            executor,
            allocator,
            waiter,
            new AppendService.Settings(
                new GroupCommitter.Settings(Duration.ofMillis(500), 64L << 20, 256),
                256L << 20,
                Duration.ofSeconds(1)),
            TestingSluice::bucketFunction);
    TableName wide = TableName.parse("wide");
    tables.create(
        wide,
        TableDefinitionJson.parse(
            "create",
            """
            {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                         {"name": "region", "type": "string", "nullable": false}],
             "partitionBy": ["region"], "bucketKey": ["id"], "buckets": 4}
            """));
    List<Future<CommitResult>> writes = new ArrayList<>();
    for (int writer = 0; writer < 2; writer++) {
      StringBuilder rows = new StringBuilder("[");
      for (int region = 0; region < 150; region++) {
        for (int id = 0; id < 16; id++) {
          rows.append(rows.length() > 1 ? "," : "")
              .append(
                  "{\"id\": %d, \"region\": \"w%d-%d\"}"
                      .formatted(region * 100 + id, writer, region));
        }
      }
      RowBody body =
          new RowBody(RowFormat.JSON, rows.append("]").toString().getBytes(StandardCharsets.UTF_8));
      writes.add(executor.submit(() -> lingering.append(wide, body, Optional.empty())));
    }
    long parts = 0;
    for (Future<CommitResult> write : writes) {
      parts += write.get().buckets().size();
    }
    assertThat(parts).as("both writes span more than half a group's parts").isGreaterThan(1024);
    List<Plan> plans = metadata.plans(tables.table(wide).tableId(), "", "~", 10);
    assertThat(plans).as("one group each").hasSize(2);
    assertThat(plans).allSatisfy(plan -> assertThat(plan.parts().size()).isLessThanOrEqualTo(1024));
  }

  @Test
  void aReadNamesAPartitionOfAPartitionedTableAndOnlyThere() {
    assertThatThrownBy(
            () -> reads.read(new LogReadService.Request(EVENTS, 0, 0, 10, Optional.empty(), 0)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("partition: table default.events is partitioned by [day(t), region]")
        .hasMessageContaining("partition=t_day=.../region=...");
    assertThatThrownBy(
            () ->
                reads.read(
                    new LogReadService.Request(
                        EVENTS, "region=eu/t_day=2026-11-25", 0, 0, 10, Optional.empty(), 0)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageStartingWith("partition: ");
    tables.create(
        TableName.parse("plain"),
        TableDefinitionJson.parse(
            "create", "{\"columns\": [{\"name\": \"id\", \"type\": \"bigint\"}]}"));
    assertThatThrownBy(
            () ->
                reads.read(
                    new LogReadService.Request(
                        TableName.parse("plain"),
                        "t_day=2026-11-25",
                        0,
                        0,
                        10,
                        Optional.empty(),
                        0)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage("partition: table default.plain is not partitioned");
  }
}
