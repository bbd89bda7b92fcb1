package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reader's follow against a stand-in of the read API that fails on command: a bucket that
 * answers 503 is read again from the same offset, and one whose offset is below the log start fails
 * naming it, the checkpoint unmoved.
 */
class TableReaderTest {
  private static final String DESCRIBED =
      "{\"name\": \"default.t\", \"tableId\": \"t1\", \"columns\": [{\"name\": \"id\", \"type\":"
          + " \"bigint\", \"nullable\": false}], \"primaryKey\": [], \"bucketKey\": [],"
          + " \"buckets\": 1, \"lake\": {\"formats\": []}, \"bucketState\": [{\"bucket\": 0,"
          + " \"highWatermark\": 2, \"logStartOffset\": 0, \"tiered\": {}}]}";

  private HttpServer server;
  private final List<String> reads = new CopyOnWriteArrayList<>();
  private volatile Function<Integer, Answer> records;
  private SluiceClient client;

  private record Answer(int status, String type, byte[] body, long nextOffset) {}

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/tables/", this::handle);
    server.start();
    client =
        SluiceClient.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop(0);
  }

  @Test
  void aBucketThatAnswers503IsReadAgainFromTheSameOffset() throws Exception {
    byte[] rows = rows(0, 2);
    records =
        n ->
            n == 0 ? new Answer(503, "application/json", error("UNAVAILABLE"), 0) : rowsAt(rows, 2);
    List<TableRecord> read = new ArrayList<>();
    try (TableReader reader = client.reader("t", ReaderOptions.earliest())) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                read.addAll(reader.poll(Duration.ofMillis(200)));
                return read.size() >= 2;
              });
      assertThat(read).extracting(TableRecord::offset).as("each row once").containsExactly(0L, 1L);
      assertThat(reader.checkpoint().offsets()).containsExactly(Map.entry(BucketId.of(0), 2L));
    }
    assertThat(reads.subList(0, 2))
        .as("the read after the 503 asks for the same offset")
        .allMatch(q -> q.contains("from=0&"));
  }

  @Test
  void anOffsetBelowTheLogStartFailsAndNothingIsSkipped() {
    records =
        n ->
            new Answer(
                409,
                "application/json",
                ("{\"error\": {\"code\": \"OFFSET_OUT_OF_RANGE\", \"message\": \"Offset 0 of"
                        + " bucket 0 is below the log start 5; older rows were tiered into the lake"
                        + " or expired\", \"logStartOffset\": 5}}")
                    .getBytes(StandardCharsets.UTF_8),
                0);
    try (TableReader reader = client.reader("t", ReaderOptions.earliest())) {
      assertThatThrownBy(() -> reader.poll(Duration.ofSeconds(5)))
          .isInstanceOf(SluiceException.class)
          .hasMessage(
              "Cannot follow bucket 0 of default.t from offset 0: Offset 0 of bucket 0 is below"
                  + " the log start 5; older rows were tiered into the lake or expired. Rows there"
                  + " are no longer in the log, and the reader never skips rows: start from a"
                  + " newer checkpoint, or from earliest to read the lake first");
      assertThat(reader.checkpoint().offsets())
          .as("nothing skipped")
          .containsExactly(Map.entry(BucketId.of(0), 0L));
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    Answer answer;
    if (path.equals("/v1/tables/t")) {
      answer = new Answer(200, "application/json", DESCRIBED.getBytes(StandardCharsets.UTF_8), 0);
    } else if (path.equals("/v1/tables/default.t/buckets/0/records")) {
      reads.add(exchange.getRequestURI().getRawQuery() + "&");
      answer = records.apply(reads.size() - 1);
    } else {
      answer = new Answer(404, "application/json", error("TABLE_NOT_FOUND"), 0);
    }
    exchange.getResponseHeaders().add("Content-Type", answer.type());
    exchange.getResponseHeaders().add("Sluice-Next-Offset", Long.toString(answer.nextOffset()));
    exchange.sendResponseHeaders(answer.status(), answer.body().length);
    exchange.getResponseBody().write(answer.body());
    exchange.close();
  }

  private static Answer rowsAt(byte[] rows, long next) {
    return new Answer(200, "application/vnd.apache.arrow.stream", rows, next);
  }

  private static byte[] error(String code) {
    return ("{\"error\": {\"code\": \"" + code + "\", \"message\": \"" + code + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** An Arrow stream of rows {@code from} to {@code to} with their offsets as ids. */
  private static byte[] rows(long from, long to) throws IOException {
    Schema schema =
        new Schema(
            List.of(
                new Field("_offset", FieldType.notNullable(new ArrowType.Int(64, true)), null),
                new Field(
                    "_timestamp",
                    FieldType.notNullable(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                    null),
                new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
      int row = 0;
      for (long offset = from; offset < to; offset++, row++) {
        ((BigIntVector) root.getVector("_offset")).setSafe(row, offset);
        ((TimeStampMicroTZVector) root.getVector("_timestamp")).setSafe(row, offset);
        ((BigIntVector) root.getVector("id")).setSafe(row, offset);
      }
      root.setRowCount(row);
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    return out.toByteArray();
  }
}
