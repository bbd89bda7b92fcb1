package io.sluice.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request loop the harness measures with, against a stub HTTP server on loopback: its bounds
 * hold and it counts what it should.
 */
class LoadLoopTest {
  private HttpServer server;
  private final AtomicInteger received = new AtomicInteger();
  private volatile int status = 200;
  private volatile long delayMillis = 0;

  @BeforeEach
  void startStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          if (exchange.getRequestMethod().equals("POST")) {
            received.incrementAndGet();
          }
          if (delayMillis > 0) {
            Processes.sleep(delayMillis);
          }
          byte[] answer = "{\"rows\": 10, \"buckets\": []}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    server.start();
  }

  @AfterEach
  void stopStub() {
    server.stop(0);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Test
  void sendsExactlyTheRequestBudget() throws Exception {
    LoadLoop.Result result = LoadLoop.run(4, 50, Duration.ofSeconds(20), client(10));
    assertThat(result.ok()).isEqualTo(50);
    assertThat(result.errors()).isZero();
    assertThat(received).hasValue(50);
    assertThat(result.latencyNanos()).hasSize(50).isSorted();
    assertThat(result.latencyMillis(0.5))
        .isPositive()
        .isLessThanOrEqualTo(result.latencyMillis(0.99));
    assertThat(result.requestsPerSecond()).isPositive();
  }

  @Test
  void stopsAtTheDeadline() throws Exception {
    delayMillis = 20;
    long start = System.nanoTime();
    LoadLoop.Result result = LoadLoop.run(2, 1_000_000, Duration.ofMillis(500), client(10));
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(seconds).isLessThan(3);
    assertThat(result.ok()).isBetween(10, 100);
    assertThat(result.seconds()).isBetween(0.4, 1.5);
  }

  @Test
  void countsFailedAndWrongAnswersApart() throws Exception {
    status = 503;
    LoadLoop.Result failed = LoadLoop.run(2, 6, Duration.ofSeconds(10), client(10));
    assertThat(failed.ok()).isZero();
    assertThat(failed.errors()).isEqualTo(6);
    assertThat(failed.firstError()).hasMessageContaining("HTTP 503");

    status = 200;
    LoadLoop.Result wrong = LoadLoop.run(1, 3, Duration.ofSeconds(10), client(11));
    assertThat(wrong.errors()).isEqualTo(3);
    assertThat(wrong.firstError()).hasMessageContaining("unexpected answer");
  }

  private LoadLoop.Client client(int rows) {
    return IngestBench.http(
        base(), base().resolve("/v1/tables/t/rows"), "application/json", new byte[1000], rows);
  }
}
