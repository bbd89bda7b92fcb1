package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.client.RowOffset;
import io.sluice.client.SluiceClient;
import io.sluice.client.TableDefinition;
import io.sluice.client.TableWriter;
import io.sluice.client.WriterOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The writer outlives its server: the packaged local server ({@code quarkus-run.jar}, built in
 * {@code package} before failsafe runs) is killed (SIGKILL) while eight threads write, then started
 * again on the same data and port, {@code restart.kills} times (2; {@code tools/kills.sh} runs
 * more). Every future completes, and every row is in the log once, at the offset its future holds:
 * batches cut off by a crash were retried under their keys.
 */
class ClientServerRestartITCase {
  private static final int KILLS = Integer.getInteger("restart.kills", 2);
  private static final int ROWS_PER_THREAD = Integer.getInteger("restart.rows-per-thread", 3_000);

  /**
   * On the embedded stores, and on s3proxy and dynalite (keeping its tables on disk), which outlive
   * the killed server.
   */
  @ParameterizedTest
  @ValueSource(strings = {"embedded", "stand-ins"})
  void theWriterOutlivesTheServerBeingKilledAndStartedAgain(String shape) throws Exception {
    Path dataDir = EmbeddedProfile.dataDir("restart");
    Files.createDirectories(dataDir);
    AwsStandInsProfile.StandIns standIns =
        new AwsStandInsProfile.StandIns(dataDir.resolve("dynalite"));
    Map<String, String> stores = shape.equals("embedded") ? Map.of() : standIns.start();
    int port = PackagedServer.freePort();
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    Process server = PackagedServer.start(dataDir, port, stores);
    try (SluiceClient client =
        SluiceClient.builder(endpoint).requestTimeout(Duration.ofSeconds(10)).build()) {
      String table = "restart_rows";
      client.create(
          table,
          TableDefinition.builder()
              .requiredColumn("id", "bigint")
              .column("name", "string")
              .bucketKey("id")
              .buckets(4)
              .build());
      int threads = 8;
      int perThread = ROWS_PER_THREAD;
      @SuppressWarnings("unchecked")
      CompletableFuture<RowOffset>[] futures = new CompletableFuture[threads * perThread];
      AtomicInteger answered = new AtomicInteger();
      WriterOptions options =
          WriterOptions.defaults()
              .linger(Duration.ofMillis(2))
              .batchBytes(16_000)
              .maxInFlight(2)
              .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
              .deliveryTimeout(Duration.ofMinutes(2));
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
                        futures[id] = writer.write(Map.of("id", (long) id, "name", "n" + id));
                        futures[id].whenComplete((o, e) -> answered.incrementAndGet());
                      }
                    }));
          }
          List<Integer> answeredAtKills = new ArrayList<>();
          for (int kill = 1; kill <= KILLS; kill++) {
            int before = futures.length * kill / (KILLS + 1);
            await().atMost(Duration.ofSeconds(120)).until(() -> answered.get() >= before);
            server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            answeredAtKills.add(answered.get());
            server = PackagedServer.start(dataDir, port, stores);
          }
          for (Future<?> future : done) {
            future.get(120, TimeUnit.SECONDS);
          }
          writer.flush();
          assertThat(answeredAtKills)
              .as("rows answered when the server was killed")
              .allMatch(answeredAtKill -> answeredAtKill < futures.length);
          System.out.printf(
              "[kills] %s: %d rows by %d threads, killed %d times, rows answered at the kills %s%n",
              shape, futures.length, threads, KILLS, answeredAtKills);
        } finally {
          pool.shutdownNow();
        }
      }

      for (CompletableFuture<RowOffset> future : futures) {
        assertThat(future).isCompletedWithValueMatching(o -> o.offset() >= 0);
      }
      Map<Long, RowOffset> read =
          ClientScenarios.readEveryBucket(new SluiceHttp(endpoint), table, client.describe(table));
      assertThat(read).hasSize(futures.length);
      for (int id = 0; id < futures.length; id++) {
        assertThat(read.get((long) id)).as("row %d", id).isEqualTo(futures[id].join());
      }
    } finally {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
      standIns.stop();
    }
  }
}
