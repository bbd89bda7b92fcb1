package io.sluice.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Follows the log of every bucket of a table from an offset each, with at most one read per bucket
 * open at a time: a long poll of its records (of a primary-key table, a long poll for new rows and
 * then its changelog from the same offset). A bucket's offset moves only when its rows are handed
 * out, so {@link #positions} is always what was delivered. On a partitioned table the partitions
 * are listed now and then, and a new one is followed from offset 0.
 *
 * <p>Overload (429, 503) and lost answers are retried with backoff, the offset unchanged. An offset
 * below the log start fails: those rows are no longer in the log, and skipping them would lose
 * them.
 */
final class LogFollower implements AutoCloseable {
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration LONGEST_BACKOFF = Duration.ofSeconds(5);

  private final HttpApi api;
  private final TableDescription table;
  private final ReaderOptions options;
  private final BufferAllocator allocator;
  private final TreeMap<BucketId, Long> positions;
  private final Map<BucketId, Fetch> open = new HashMap<>();
  private final Map<BucketId, Backoff> backoffs = new HashMap<>();
  private long nextPartitionRefresh;
  private int turn;
  private RuntimeException failure; // found while records were ready: thrown by the next poll

  LogFollower(
      HttpApi api,
      TableDescription table,
      ReaderOptions options,
      BufferAllocator allocator,
      Map<BucketId, Long> from) {
    this.api = api;
    this.table = table;
    this.options = options;
    this.allocator = allocator;
    this.positions = new TreeMap<>(from);
    this.nextPartitionRefresh = System.nanoTime();
  }

  /** Per bucket, the offset of the next row to deliver. */
  Map<BucketId, Long> positions() {
    return Map.copyOf(positions);
  }

  /** The records that arrive until {@code deadline} ({@link System#nanoTime}); maybe none. */
  List<TableRecord> poll(long deadline) {
    if (failure != null) {
      RuntimeException e = failure;
      failure = null;
      throw e;
    }
    while (true) {
      refreshPartitions();
      List<TableRecord> records = collect();
      if (!records.isEmpty()) {
        return records;
      }
      if (failure != null) {
        RuntimeException e = failure;
        failure = null;
        throw e;
      }
      openFetches();
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        return List.of();
      }
      long wakeAt = deadline;
      if (table.isPartitioned() && nextPartitionRefresh - wakeAt < 0) {
        wakeAt = nextPartitionRefresh;
      }
      for (Backoff backoff : backoffs.values()) {
        if (backoff.until - wakeAt < 0) {
          wakeAt = backoff.until;
        }
      }
      if (!awaitAny(Math.max(0, wakeAt - now))) {
        return List.of();
      }
    }
  }

  @Override
  public void close() {
    open.values().forEach(f -> f.answer.cancel(true));
    open.clear();
  }

  /** Adds the partitions that appeared since the last listing, when it is time to list them. */
  private void refreshPartitions() {
    long now = System.nanoTime();
    if (!table.isPartitioned() || now - nextPartitionRefresh < 0) {
      return;
    }
    nextPartitionRefresh = now + options.partitionRefresh().toNanos();
    JsonNode listing;
    try {
      listing =
          api.sendForJson(
              api.request(HttpApi.tablePath(table.name(), "/partitions")).GET().build());
    } catch (SluiceException e) {
      if (isTransient(e)) {
        return; // listed again at the next refresh
      }
      throw e;
    }
    Set<String> known = new HashSet<>();
    positions.keySet().forEach(b -> known.add(b.partition()));
    for (JsonNode partition : listing.path("partitions")) {
      String name = partition.path("name").asText();
      if (!known.contains(name)) {
        for (int bucket = 0; bucket < table.buckets(); bucket++) {
          positions.put(new BucketId(name, bucket), 0L);
        }
      }
    }
  }

  /** The records of every finished read, moving their buckets' offsets on. */
  private List<TableRecord> collect() {
    List<TableRecord> records = new ArrayList<>();
    Iterator<Fetch> fetches = open.values().iterator();
    while (fetches.hasNext() && records.size() < options.maxPollRecords()) {
      Fetch fetch = fetches.next();
      if (!fetch.answer.isDone()) {
        continue;
      }
      fetches.remove();
      try {
        records.addAll(finish(fetch));
      } catch (RuntimeException e) {
        if (records.isEmpty()) {
          throw e;
        }
        failure = e;
        return records;
      }
    }
    return records;
  }

  private List<TableRecord> finish(Fetch fetch) {
    HttpResponse<byte[]> answer;
    try {
      answer = fetch.answer.join();
    } catch (CompletionException | CancellationException e) {
      backOff(fetch.bucket); // the answer was lost; the same offset is read again
      return List.of();
    }
    if (answer.statusCode() / 100 != 2) {
      SluiceException error = HttpApi.error(answer);
      if (isTransient(error)) {
        backOff(fetch.bucket);
        return List.of();
      }
      if (table.isPartitioned() && "BUCKET_NOT_FOUND".equals(error.code())) {
        positions.remove(fetch.bucket); // partition retention dropped the partition
        backoffs.remove(fetch.bucket);
        return List.of();
      }
      if ("OFFSET_OUT_OF_RANGE".equals(error.code())) {
        throw new SluiceException(
            error.status(),
            error.code(),
            ("Cannot follow %s of %s from offset %d: %s. Rows there are no longer in the log, and"
                    + " the reader never skips rows: start from a newer checkpoint, or from"
                    + " earliest to read the lake first")
                .formatted(fetch.bucket, table.name(), fetch.from, error.getMessage()),
            null,
            null,
            error);
      }
      throw error;
    }
    backoffs.remove(fetch.bucket);
    long next =
        answer
            .headers()
            .firstValue("Sluice-Next-Offset")
            .map(Long::parseLong)
            .orElseThrow(
                () ->
                    new SluiceException(
                        answer.statusCode(),
                        SluiceException.UNEXPECTED_ANSWER,
                        HttpApi.describe(answer.request()) + " answered no Sluice-Next-Offset",
                        null,
                        null));
    List<TableRecord> records =
        ArrowRecords.decode(answer.body(), Optional.of(fetch.bucket), allocator);
    if (next < fetch.from) {
      throw new SluiceException(
          answer.statusCode(),
          SluiceException.UNEXPECTED_ANSWER,
          "%s answered Sluice-Next-Offset %d, before the offset %d it was asked for"
              .formatted(HttpApi.describe(answer.request()), next, fetch.from),
          null,
          null);
    }
    if (positions.containsKey(fetch.bucket)) {
      positions.put(fetch.bucket, next);
    }
    return records;
  }

  /** Opens a read of each bucket that has none, taking turns when they may not all be open. */
  private void openFetches() {
    List<BucketId> buckets = new ArrayList<>(positions.keySet());
    long now = System.nanoTime();
    for (int i = 0; i < buckets.size() && open.size() < options.maxOpenFetches(); i++) {
      BucketId bucket = buckets.get((turn + i) % buckets.size());
      Backoff backoff = backoffs.get(bucket);
      if (open.containsKey(bucket) || (backoff != null && now - backoff.until < 0)) {
        continue;
      }
      long from = positions.get(bucket);
      open.put(bucket, new Fetch(bucket, from, read(bucket, from)));
    }
    turn = buckets.isEmpty() ? 0 : (turn + 1) % buckets.size();
  }

  /** A long poll of a bucket's records; of a primary-key table, then its changelog. */
  private CompletableFuture<HttpResponse<byte[]>> read(BucketId bucket, long from) {
    String partition =
        bucket.partition() == null
            ? ""
            : "&partition=" + URLEncoder.encode(bucket.partition(), StandardCharsets.UTF_8);
    String bucketPath = "/buckets/" + bucket.bucket();
    long waitMs = options.longPoll().toMillis();
    if (!table.hasPrimaryKey()) {
      return api.sendAsync(
          api.longPoll(
                  HttpApi.tablePath(
                      table.name(),
                      bucketPath
                          + "/records?format=arrow&from=%d&limit=%d&waitMs=%d%s"
                              .formatted(from, options.fetchRows(), waitMs, partition)),
                  options.longPoll())
              .GET()
              .build());
    }
    // The changelog does not wait for rows: a long poll of one key column waits instead, and only
    // once it read a row (it moved past `from`) is the changelog read from the same offset.
    HttpRequest wait =
        api.longPoll(
                HttpApi.tablePath(
                    table.name(),
                    bucketPath
                        + "/records?format=arrow&from=%d&limit=1&waitMs=%d&columns=%s%s"
                            .formatted(
                                from,
                                waitMs,
                                URLEncoder.encode(
                                    table.primaryKey().get(0), StandardCharsets.UTF_8),
                                partition)),
                options.longPoll())
            .GET()
            .build();
    HttpRequest changelog =
        api.request(
                HttpApi.tablePath(
                    table.name(),
                    bucketPath
                        + "/changelog?format=arrow&from=%d&limit=%d%s"
                            .formatted(from, options.fetchRows(), partition)))
            .GET()
            .build();
    return api.sendAsync(wait)
        .thenCompose(
            answer ->
                answer.statusCode() == 200 && nextOffset(answer) > from
                    ? api.sendAsync(changelog)
                    : CompletableFuture.completedFuture(answer));
  }

  /** Where a read says to continue; -1 when it does not say (then {@link #finish} refuses it). */
  private static long nextOffset(HttpResponse<?> answer) {
    return answer.headers().firstValue("Sluice-Next-Offset").map(Long::parseLong).orElse(-1L);
  }

  /** Waits until a read finishes or {@code nanos} pass; false when interrupted. */
  private boolean awaitAny(long nanos) {
    if (open.isEmpty()) {
      try {
        TimeUnit.NANOSECONDS.sleep(nanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      return true;
    }
    try {
      CompletableFuture.anyOf(
              open.values().stream().map(f -> f.answer).toArray(CompletableFuture[]::new))
          .get(nanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException | CancellationException e) {
      // a timeout ends the wait; a failed read is handled by collect
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return true;
  }

  private void backOff(BucketId bucket) {
    Backoff previous = backoffs.get(bucket);
    Duration wait =
        previous == null
            ? FIRST_BACKOFF
            : previous.delay.multipliedBy(2).compareTo(LONGEST_BACKOFF) > 0
                ? LONGEST_BACKOFF
                : previous.delay.multipliedBy(2);
    backoffs.put(bucket, new Backoff(wait, System.nanoTime() + wait.toNanos()));
  }

  /** Whether an error may pass by itself: overload, an unavailable store, no answer. */
  private static boolean isTransient(SluiceException e) {
    return e.status() == 429 || e.status() == 503 || e.status() == 0;
  }

  /** An open read of a bucket from an offset. */
  private record Fetch(
      BucketId bucket, long from, CompletableFuture<HttpResponse<byte[]>> answer) {}

  /** How long a bucket waits before it is read again, and until when. */
  private record Backoff(Duration delay, long until) {}
}
