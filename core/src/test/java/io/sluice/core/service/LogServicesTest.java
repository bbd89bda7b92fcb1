package io.sluice.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.CommitResult;
import io.sluice.core.log.IdempotencyKeyReusedException;
import io.sluice.core.metadata.DelegatingMetadataStore;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TestingMetadataStore;
import io.sluice.core.store.DelegatingObjectStore;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Appending and reading through the core services, on the in-memory stores. */
class LogServicesTest {
  private static final TableName EVENTS = TableName.parse("events");
  private static final String DEFINITION =
      """
      {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                   {"name": "name", "type": "string"}], "buckets": 2}
      """;

  private final RootAllocator allocator = new RootAllocator();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final TestingMetadataStore metadata = new TestingMetadataStore();
  private final TestingObjectStore objects = new TestingObjectStore();
  private final LogWaiter waiter = new LogWaiter();
  private TableService tables;
  private AppendService appends;
  private LogReadService reads;

  @BeforeEach
  void createTable() {
    Clock clock = Clock.systemUTC();
    tables = new TableService(metadata, clock);
    appends =
        new AppendService(
            tables,
            new AppendCommitter(objects, metadata, executor, clock),
            executor,
            allocator,
            waiter,
            AppendService.Settings.DEFAULT);
    reads = new LogReadService(tables, metadata, objects, waiter, allocator);
    tables.create(EVENTS, TableDefinitionJson.parse("create", DEFINITION));
  }

  @AfterEach
  void close() {
    executor.shutdownNow();
    assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
    allocator.close();
  }

  private static RowBody json(String text) {
    return new RowBody(RowFormat.JSON, text.getBytes(StandardCharsets.UTF_8));
  }

  private LogRead read(int bucket, long from, Optional<List<String>> columns) throws Exception {
    return reads.read(new LogReadService.Request(EVENTS, bucket, from, 1000, columns, 0));
  }

  private long highWatermarks() {
    return tables.describe(EVENTS).buckets().stream().mapToLong(h -> h.nextOffset()).sum();
  }

  @Test
  void appendsAndReadsBackEveryRowAtItsOffset() throws Exception {
    CommitResult first =
        appends.append(
            EVENTS, json("[{\"id\": 1, \"name\": \"a\"}, {\"id\": 2}]"), Optional.empty());
    RowBody ndjson =
        new RowBody(
            RowFormat.NDJSON, "{\"id\": 3, \"name\": \"c\"}\n".getBytes(StandardCharsets.UTF_8));
    CommitResult second = appends.append(EVENTS, ndjson, Optional.empty());

    assertThat(first.rows()).isEqualTo(2);
    assertThat(second.rows()).isEqualTo(1);
    int bucket = first.buckets().get(0).bucket();
    try (LogRead read = read(bucket, 0, Optional.empty())) {
      VectorSchemaRoot rows = read.rows();
      assertThat(rows.getRowCount()).isEqualTo(2);
      assertThat(((BigIntVector) rows.getVector("_offset")).get(1)).isEqualTo(1);
      assertThat(((BigIntVector) rows.getVector("id")).get(0)).isEqualTo(1);
      assertThat(rows.getVector("name").isNull(1)).isTrue();
      assertThat(read.nextOffset()).isEqualTo(2);
      assertThat(read.highWatermark()).isEqualTo(2);
    }
    try (LogRead projected = read(bucket, 1, Optional.of(List.of("name")))) {
      assertThat(projected.rows().getSchema().getFields())
          .extracting(f -> f.getName())
          .containsExactly("_offset", "_timestamp", "name");
      assertThat(projected.rows().getRowCount()).isEqualTo(1);
    }
  }

  @Test
  void acceptsArrowBodiesWhoseColumnsMatchByName() throws Exception {
    List<io.sluice.core.table.Column> reversed =
        new java.util.ArrayList<>(TableDefinitionJson.parse("t", DEFINITION).columns());
    java.util.Collections.reverse(reversed);
    Schema schema = ArrowSchemas.schema(reversed);
    byte[] body;
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      ((VarCharVector) root.getVector("name")).setSafe(0, "z".getBytes(StandardCharsets.UTF_8));
      ((BigIntVector) root.getVector("id")).setSafe(0, 42);
      root.setRowCount(1);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
      body = out.toByteArray();
    }
    CommitResult result =
        appends.append(EVENTS, new RowBody(RowFormat.ARROW, body), Optional.empty());
    try (LogRead read = read(result.buckets().get(0).bucket(), 0, Optional.empty())) {
      assertThat(((BigIntVector) read.rows().getVector("id")).get(0)).isEqualTo(42);
      assertThat(read.rows().getVector("name").getObject(0).toString()).isEqualTo("z");
    }

    byte[] truncated = java.util.Arrays.copyOf(body, body.length / 2);
    assertThatThrownBy(
            () -> appends.append(EVENTS, new RowBody(RowFormat.ARROW, truncated), Optional.empty()))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageContaining("Arrow IPC stream");
  }

  @Test
  void writesNothingForABadBody() {
    assertThatThrownBy(
            () -> appends.append(EVENTS, json("[{\"id\": 1}, {\"id\": \"x\"}]"), Optional.empty()))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessage("row 2: column id: expected bigint, got \"x\"");
    assertThatThrownBy(() -> appends.append(EVENTS, json("[{\"id\": 1"), Optional.empty()))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageContaining("Cannot parse the JSON body");
    assertThatThrownBy(() -> appends.append(EVENTS, json("{\"id\": 1}"), Optional.empty()))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageContaining("array of row objects");
    assertThatThrownBy(
            () -> appends.append(TableName.parse("missing"), json("[]"), Optional.empty()))
        .isInstanceOf(TableNotFoundException.class)
        .hasMessage("Table default.missing does not exist");
    assertThatThrownBy(() -> appends.append(EVENTS, json("[{\"id\": 1}]"), Optional.of("\u0001")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("Idempotency-Key");
    assertThat(highWatermarks()).isZero();
    assertThat(objects.list("").count()).isZero();
  }

  @Test
  void answersARetriedIdempotencyKeyOnceAndRefusesItForAnotherBody() {
    CommitResult first = appends.append(EVENTS, json("[{\"id\": 1}]"), Optional.of("key-1"));
    CommitResult again = appends.append(EVENTS, json("[{\"id\": 1}]"), Optional.of("key-1"));

    assertThat(again).isEqualTo(first);
    assertThat(highWatermarks()).isEqualTo(1);
    assertThat(objects.list("").count()).as("the retry uploads nothing").isEqualTo(1);
    assertThatThrownBy(() -> appends.append(EVENTS, json("[{\"id\": 2}]"), Optional.of("key-1")))
        .isInstanceOf(IdempotencyKeyReusedException.class)
        .hasMessageContaining("different body");
    assertThat(highWatermarks()).isEqualTo(1);
  }

  @Test
  void readsOldSlicesWithTheNewSchemaAfterAnEvolution() throws Exception {
    CommitResult before =
        appends.append(EVENTS, json("[{\"id\": 1, \"name\": \"a\"}]"), Optional.empty());
    tables.create(
        EVENTS,
        TableDefinitionJson.parse(
            "evolve",
            DEFINITION.replace(
                "{\"name\": \"name\", \"type\": \"string\"}",
                "{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"note\", \"type\": \"string\"}")));
    int bucket = before.buckets().get(0).bucket();
    CommitResult after;
    do {
      after = appends.append(EVENTS, json("[{\"id\": 2, \"note\": \"new\"}]"), Optional.empty());
    } while (after.buckets().get(0).bucket() != bucket);

    try (LogRead read = read(bucket, 0, Optional.empty())) {
      VectorSchemaRoot rows = read.rows();
      assertThat(rows.getVector("note").isNull(0)).as("written before the column existed").isTrue();
      assertThat(rows.getVector("note").getObject(rows.getRowCount() - 1).toString())
          .isEqualTo("new");
    }
  }

  @Test
  void refusesReadsOutsideTheLogAndTheLimits() {
    assertThatThrownBy(() -> read(0, 1, Optional.empty()))
        .isInstanceOf(OffsetOutOfRangeException.class)
        .hasMessageContaining("past the high watermark 0");
    assertThatThrownBy(() -> read(2, 0, Optional.empty()))
        .isInstanceOf(BucketNotFoundException.class)
        .hasMessageContaining("buckets 0 to 1, not 2");
    assertThatThrownBy(() -> read(0, 0, Optional.of(List.of("nope"))))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("nope is not a column");
    assertThatThrownBy(
            () -> reads.read(new LogReadService.Request(EVENTS, 0, 0, 10_001, Optional.empty(), 0)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("limit must be 1 to 10000");
    assertThatThrownBy(
            () ->
                reads.read(new LogReadService.Request(EVENTS, 0, 0, 10, Optional.empty(), 20_001)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("waitMs must be 0 to 20000");
  }

  @Test
  void aLongPollReturnsAsSoonAsRowsArrive() throws Exception {
    CompletableFuture<Long> rowsSeen = new CompletableFuture<>();
    executor.submit(
        () -> {
          long total = 0;
          for (int bucket = 0; bucket < 2; bucket++) {
            try (LogRead read =
                reads.read(
                    new LogReadService.Request(EVENTS, bucket, 0, 10, Optional.empty(), 0))) {
              total += read.rows().getRowCount();
            }
          }
          // Completed after the read is closed, so the leak check in close() cannot race it.
          try (LogRead waited =
              reads.read(new LogReadService.Request(EVENTS, 0, 0, 10, Optional.empty(), 20_000))) {
            total += waited.rows().getRowCount();
          }
          rowsSeen.complete(total);
          return null;
        });
    // Both buckets get a row within two writes, as each write goes whole to the next bucket.
    appends.append(EVENTS, json("[{\"id\": 1}]"), Optional.empty());
    appends.append(EVENTS, json("[{\"id\": 2}]"), Optional.empty());
    assertThat(rowsSeen.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aReadInStepsReadsOnlyTheIndexPagesOfItsStep() throws Exception {
    // Each write goes whole to the next bucket: 100 writes put 50 one-row slices in each bucket,
    // most of them moved from the head into index pages.
    for (int i = 0; i < 100; i++) {
      appends.append(EVENTS, json("[{\"id\": " + i + "}]"), Optional.empty());
    }
    String tableId = tables.table(EVENTS).tableId();
    long indexedUpTo = metadata.head(TableBucket.of(tableId, 0)).indexedUpTo();
    assertThat(indexedUpTo).as("most slices sit in index pages").isGreaterThanOrEqualTo(32);
    List<IndexPage> pagesRead = new ArrayList<>();
    LogReadService counted =
        new LogReadService(
            tables,
            new DelegatingMetadataStore(metadata) {
              @Override
              public List<IndexPage> indexPages(
                  TableBucket bucket, long fromOffset, long toOffset, int limit) {
                List<IndexPage> pages = super.indexPages(bucket, fromOffset, toOffset, limit);
                pagesRead.addAll(pages);
                return pages;
              }
            },
            objects,
            waiter,
            allocator);

    long next = 0;
    while (next < 50) {
      pagesRead.clear();
      try (LogRead read =
          counted.read(new LogReadService.Request(EVENTS, 0, next, 5, Optional.empty(), 0))) {
        assertThat(read.rows().getRowCount()).isEqualTo(5);
        for (int row = 0; row < 5; row++) {
          assertThat(((BigIntVector) read.rows().getVector("_offset")).get(row))
              .isEqualTo(next + row);
        }
        if (next < indexedUpTo) {
          assertThat(pagesRead).as("pages read from offset %d", next).isNotEmpty();
        }
        long stepEnd = next + 5;
        assertThat(pagesRead)
            .as("pages read from offset %d", next)
            .allSatisfy(page -> assertThat(page.firstOffset()).isLessThan(stepEnd));
        next = read.nextOffset();
      }
    }
    assertThat(next).isEqualTo(50);
  }

  @Test
  void projectedReadsOfALongBucketReadEachFooterOnce() throws Exception {
    TableName one = TableName.parse("one_bucket");
    tables.create(
        one,
        TableDefinitionJson.parse(
            "create",
            """
            {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                         {"name": "name", "type": "string"}], "buckets": 1}
            """));
    // More segments than a cache of 256 footers held, as a scan reads them again for every bucket.
    for (int i = 0; i < 300; i++) {
      appends.append(one, json("[{\"id\": " + i + ", \"name\": \"n\"}]"), Optional.empty());
    }
    List<String> footersRead = new ArrayList<>();
    LogReadService counted =
        new LogReadService(
            tables,
            metadata,
            new DelegatingObjectStore(objects) {
              @Override
              public byte[] readTail(String key, int length) {
                footersRead.add(key);
                return super.readTail(key, length);
              }
            },
            waiter,
            allocator);

    for (int pass = 0; pass < 2; pass++) {
      try (LogRead read =
          counted.read(
              new LogReadService.Request(
                  one, 0, 0, LogReadService.MAX_LIMIT, Optional.of(List.of("name")), 0))) {
        assertThat(read.rows().getRowCount()).isEqualTo(300);
      }
    }

    assertThat(footersRead).hasSize(300).doesNotHaveDuplicates();
  }
}
