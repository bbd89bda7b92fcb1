package io.sluice.client;

import io.sluice.client.RowLayout.PreparedRow;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Sends batches of rows so that each is written exactly once: every body gets its own
 * Idempotency-Key, and an attempt whose outcome is unknown (a 429 or 503, a lost connection, a
 * timeout) is repeated with the same key and the same body, backing off exponentially and waiting
 * at least what {@code Retry-After} asks, until the delivery timeout. A body the server finds too
 * large is split in two; a body refused for one row is sent again without it, under a new key (a
 * refused body wrote nothing).
 */
final class BatchSender {
  private static final Pattern ROW_PREFIX = Pattern.compile("^row \\d+: ");
  private static final int MAX_ISOLATED_ROWS = 32;

  private final HttpApi api;
  private final String table;
  private final String path;
  private final WriterOptions options;
  private final ScheduledExecutorService scheduler;
  private final BatchEncoder encoder;
  private final String writerId;
  private final AtomicLong sequence = new AtomicLong();

  BatchSender(
      HttpApi api,
      String table,
      WriterOptions options,
      ScheduledExecutorService scheduler,
      BatchEncoder encoder,
      String writerId) {
    this.api = api;
    this.table = table;
    this.path = HttpApi.tablePath(table, "/rows?rowBuckets=true");
    this.options = options;
    this.scheduler = scheduler;
    this.encoder = encoder;
    this.writerId = writerId;
  }

  /** Rows to send together, each with the future of its offset, all giving {@code columns}. */
  record Part(List<PreparedRow> rows, List<CompletableFuture<RowOffset>> futures, BitSet columns) {
    int size() {
      return rows.size();
    }

    Part slice(int from, int to) {
      return new Part(rows.subList(from, to), futures.subList(from, to), columns);
    }
  }

  /**
   * Sends a part; every row's future is completed by then, with its offset or the reason it was not
   * written. The returned future never fails.
   */
  CompletableFuture<Void> send(Part part) {
    return send(part, 0);
  }

  private CompletableFuture<Void> send(Part part, int isolated) {
    Delivery delivery;
    try {
      delivery = new Delivery(part, isolated);
    } catch (RuntimeException e) {
      part.futures().forEach(f -> f.completeExceptionally(e));
      return CompletableFuture.completedFuture(null);
    }
    delivery.attempt();
    return delivery.finished;
  }

  /** One body under one key, attempted until it has an answer that settles it. */
  private final class Delivery {
    private final Part part;
    private final int isolated;
    private final byte[] body;
    private final String key;
    private final long started = System.nanoTime();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private int attempts;

    Delivery(Part part, int isolated) {
      this.part = part;
      this.isolated = isolated;
      this.body = encoder.encode(part.rows(), part.columns());
      this.key = writerId + "-" + sequence.incrementAndGet();
    }

    void attempt() {
      attempts++;
      HttpRequest request =
          api.request(path)
              .header("Content-Type", HttpApi.ARROW_TYPE)
              .header("Idempotency-Key", key)
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      CompletableFuture<HttpResponse<byte[]>> sent;
      try {
        sent = api.sendAsync(request);
      } catch (RuntimeException e) {
        fail(new SluiceException(0, SluiceException.UNREACHABLE, e.toString(), null, null, e));
        return;
      }
      sent.whenComplete(
          (response, error) -> {
            try {
              if (error != null) {
                Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                if (cause instanceof IOException io) {
                  retry(HttpApi.unreachable(request, io), Duration.ZERO);
                } else {
                  fail(
                      new SluiceException(
                          0, SluiceException.UNREACHABLE, cause.toString(), null, null, cause));
                }
              } else {
                answered(response);
              }
            } catch (RuntimeException e) {
              fail(
                  new SluiceException(
                      0, SluiceException.UNEXPECTED_ANSWER, e.toString(), null, null, e));
            }
          });
    }

    private void answered(HttpResponse<byte[]> response) {
      int status = response.statusCode();
      if (status == 200) {
        List<RowOffset> offsets = WriteAnswer.offsets(HttpApi.json(response), part.size());
        for (int i = 0; i < offsets.size(); i++) {
          part.futures().get(i).complete(offsets.get(i));
        }
        finished.complete(null);
        return;
      }
      SluiceException error = HttpApi.error(response);
      if (status == 429 || status == 502 || status == 503 || status == 504) {
        retry(error, retryAfter(response));
      } else if (status == 413 && part.size() > 1) {
        int half = part.size() / 2;
        follow(send(part.slice(0, half), isolated), send(part.slice(half, part.size()), isolated));
      } else if (status / 100 == 4
          && error.row().isPresent()
          && error.row().getAsInt() >= 1
          && error.row().getAsInt() <= part.size()
          && part.size() > 1
          && isolated < MAX_ISOLATED_ROWS) {
        int bad = error.row().getAsInt() - 1;
        part.futures().get(bad).completeExceptionally(forTheRow(error));
        follow(
            send(part.slice(0, bad), isolated + 1),
            send(part.slice(bad + 1, part.size()), isolated + 1));
      } else {
        fail(
            status / 100 == 4 && error.row().isPresent() && part.size() == 1
                ? forTheRow(error)
                : error);
      }
    }

    /** The error of one refused row, its message about that row alone. */
    private SluiceException forTheRow(SluiceException error) {
      String message = ROW_PREFIX.matcher(error.getMessage()).replaceFirst("");
      return new SluiceException(
          error.status(),
          error.code(),
          "Cannot write the row to " + table + ": " + message,
          null,
          error.column().orElse(null),
          error);
    }

    private void follow(CompletableFuture<Void> first, CompletableFuture<Void> second) {
      CompletableFuture.allOf(first, second).whenComplete((v, e) -> finished.complete(null));
    }

    private void retry(SluiceException error, Duration retryAfter) {
      long backoff =
          Math.min(
              options.maxRetryBackoff().toMillis(),
              options.retryBackoff().toMillis() << Math.min(20, attempts - 1));
      long delay =
          Math.max(
              retryAfter.toMillis(),
              (long) (backoff * ThreadLocalRandom.current().nextDouble(0.8, 1.2)));
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      if (elapsed + delay > options.deliveryTimeout().toMillis()) {
        fail(
            new SluiceException(
                error.status(),
                error.code(),
                ("Cannot write %d rows to %s: no answer settled them in %d attempts over %d ms"
                        + " (deliveryTimeout %s), so whether they were written is unknown; a"
                        + " retry with Idempotency-Key %s would tell. Last: %s")
                    .formatted(
                        part.size(),
                        table,
                        attempts,
                        elapsed,
                        options.deliveryTimeout(),
                        key,
                        error.getMessage()),
                null,
                null,
                error));
        return;
      }
      try {
        scheduler.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        fail(error); // the writer's scheduler is gone: the client was closed
      }
    }

    private void fail(SluiceException error) {
      part.futures().forEach(f -> f.completeExceptionally(error));
      finished.complete(null);
    }
  }

  private static Duration retryAfter(HttpResponse<byte[]> response) {
    return response
        .headers()
        .firstValue("Retry-After")
        .map(
            value -> {
              try {
                return Duration.ofSeconds(Long.parseLong(value.trim()));
              } catch (NumberFormatException e) {
                return Duration.ZERO; // an HTTP date: fall back to the backoff
              }
            })
        .orElse(Duration.ZERO);
  }
}
