package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.client.TestingSluiceServer.Fault;
import io.sluice.client.TestingSluiceServer.Place;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer against a stand-in that loses answers, answers late, refuses and overloads on command:
 * every row is written once and each future holds the place the server gave the row.
 */
class TableWriterTest {
  private static final WriterOptions FAST_RETRIES =
      WriterOptions.defaults()
          .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(20))
          .deliveryTimeout(Duration.ofSeconds(30));

  private TestingSluiceServer server;
  private SluiceClient client;

  @BeforeEach
  void start() throws Exception {
    server = new TestingSluiceServer();
    client = SluiceClient.builder(server.endpoint()).requestTimeout(Duration.ofSeconds(2)).build();
  }

  @AfterEach
  void stop() {
    server.release();
    client.close();
    server.close();
  }

  @Test
  void everyRowIsWrittenOnceThroughLostAnswersAndRetriableErrors() throws Exception {
    server.faults(
        n ->
            switch (n % 5) {
              case 1 -> Fault.ANSWER_LOST;
              case 2 -> Fault.UNAVAILABLE;
              case 3 -> Fault.OVERLOADED;
              default -> Fault.NONE;
            });
    int threads = 4;
    int rowsPerThread = 5_000;
    Map<Long, CompletableFuture<RowOffset>> futures =
        new java.util.concurrent.ConcurrentHashMap<>();
    try (TableWriter writer = client.writer("t", FAST_RETRIES.batchBytes(4_000))) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          long first = (long) t * rowsPerThread;
          done.add(
              pool.submit(
                  () -> {
                    for (long id = first; id < first + rowsPerThread; id++) {
                      futures.put(id, writer.write(Map.of("id", id, "name", "row " + id)));
                    }
                  }));
        }
        for (Future<?> future : done) {
          future.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      writer.flush();
    }

    assertThat(server.duplicates()).isZero();
    assertThat(server.places()).hasSize(threads * rowsPerThread);
    for (Map.Entry<Long, CompletableFuture<RowOffset>> entry : futures.entrySet()) {
      Place place = server.places().get(entry.getKey());
      assertThat(entry.getValue().get())
          .as("row %d", entry.getKey())
          .isEqualTo(new RowOffset(null, place.bucket(), place.offset()));
    }
    assertThat(server.requests()).as("requests, each fault retried").isGreaterThan(40);
  }

  @Test
  void anAnswerLaterThanTheRequestTimeoutIsAskedForAgainWithTheSameKey() throws Exception {
    server.faults(n -> n == 1 ? Fault.ANSWER_DELAYED : Fault.NONE);
    try (SluiceClient impatient =
            SluiceClient.builder(server.endpoint()).requestTimeout(Duration.ofMillis(300)).build();
        TableWriter writer = impatient.writer("t", FAST_RETRIES)) {
      List<CompletableFuture<RowOffset>> futures = new ArrayList<>();
      for (long id = 0; id < 10; id++) {
        futures.add(writer.write(Map.of("id", id)));
      }
      writer.flush();
      for (int id = 0; id < 10; id++) {
        Place place = server.places().get((long) id);
        assertThat(futures.get(id).get())
            .isEqualTo(new RowOffset(null, place.bucket(), place.offset()));
      }
    }
    assertThat(server.places()).hasSize(10);
    assertThat(server.duplicates()).isZero();
    assertThat(server.requests()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aRowTheServerRefusesFailsAloneWithItsColumnNamed() throws Exception {
    try (TableWriter writer = client.writer("t", FAST_RETRIES.linger(Duration.ofMillis(200)))) {
      List<CompletableFuture<RowOffset>> futures = new ArrayList<>();
      for (long id = 0; id < 10; id++) {
        futures.add(writer.write(Map.of("id", id == 6 ? -6L : id)));
      }
      writer.flush();
      assertThatThrownBy(() -> futures.get(6).get())
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(SluiceException.class)
          .hasMessage(
              "Cannot write the row to default.t: column id: expected a positive bigint, got -6")
          .satisfies(e -> assertThat(((SluiceException) e).code()).isEqualTo("SCHEMA_MISMATCH"))
          .satisfies(e -> assertThat(((SluiceException) e).column()).contains("id"));
      for (int i = 0; i < 10; i++) {
        if (i != 6) {
          assertThat(futures.get(i).get().offset()).isNotNegative();
        }
      }
    }
    assertThat(server.places()).hasSize(9);
  }

  @Test
  void aBodyTooLargeIsSplitUntilItFits() throws Exception {
    server.maxRows(3);
    try (TableWriter writer = client.writer("t", FAST_RETRIES.linger(Duration.ofMillis(200)))) {
      List<CompletableFuture<RowOffset>> futures = new ArrayList<>();
      for (long id = 0; id < 20; id++) {
        futures.add(writer.write(Map.of("id", id)));
      }
      writer.flush();
      for (CompletableFuture<RowOffset> future : futures) {
        assertThat(future).isCompleted();
        future.get();
      }
    }
    assertThat(server.places()).hasSize(20);
    assertThat(server.duplicates()).isZero();
  }

  @Test
  void writeBlocksWhileTheBufferIsFullThenFails() {
    server.faults(n -> Fault.HANG);
    WriterOptions options =
        FAST_RETRIES.bufferMemory(2_000).batchBytes(500).maxBlock(Duration.ofMillis(200));
    TableWriter writer = client.writer("t", options);
    long started = System.nanoTime();
    assertThatThrownBy(
            () -> {
              for (long id = 0; id < 1_000; id++) {
                writer.write(Map.of("id", id, "name", "x".repeat(50)));
              }
            })
        .isInstanceOf(BufferFullException.class)
        .hasMessageContaining("bufferMemory 2000 bytes")
        .hasMessageContaining("maxBlock");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(200));
    server.faults(n -> Fault.NONE);
    server.release();
    writer.close();
  }

  @Test
  void aBatchThatNeverSettlesFailsAfterTheDeliveryTimeoutSayingTheOutcomeIsUnknown() {
    server.faults(n -> Fault.UNAVAILABLE);
    try (TableWriter writer =
        client.writer("t", FAST_RETRIES.deliveryTimeout(Duration.ofMillis(300)))) {
      CompletableFuture<RowOffset> future = writer.write(Map.of("id", 1L));
      assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(SluiceException.class)
          .hasMessageContaining("Cannot write 1 rows to default.t")
          .hasMessageContaining("unknown")
          .hasMessageContaining("Idempotency-Key")
          .satisfies(e -> assertThat(((SluiceException) e).status()).isEqualTo(503));
    }
    assertThat(server.places()).isEmpty();
  }

  @Test
  void wrongValuesAreRefusedAtWriteNamingColumnAndType() {
    try (TableWriter writer = client.writer("t", FAST_RETRIES)) {
      assertThatThrownBy(() -> writer.write(Map.of("id", "seven")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Cannot write column id: expected bigint (Long, Integer, Short, Byte), got String"
                  + " seven");
      assertThatThrownBy(() -> writer.write(Map.of("name", "no id")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Cannot write column id: expected bigint (not nullable), got no value");
      assertThatThrownBy(() -> writer.write(Map.of("id", 1L, "nmae", "typo")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Cannot write to default.t: it has no column nmae");
    }
    assertThat(server.requests()).isZero();
  }

  @Test
  void aClosedWriterRefusesWrites() {
    TableWriter writer = client.writer("t", FAST_RETRIES);
    writer.close();
    assertThatThrownBy(() -> writer.write(Map.of("id", 1L)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot write to default.t: the writer is closed");
  }
}
