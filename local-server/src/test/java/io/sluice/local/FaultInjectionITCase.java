package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.store.StoreException;
import io.sluice.core.table.TableName;
import io.sluice.core.tiering.ScheduledRun;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 2: writes, reads, tiering into both lakes, retention and GC, all on S3 and
 * DynamoDB stand-ins behind {@link FaultProxy}s that delay requests, answer them with throttling
 * and server errors, reset connections and drop the answers of requests they applied. Callers only
 * ever see successes, 4xx for bad input, or 503/429 with {@code Retry-After}; writers retrying with
 * their Idempotency-Keys end with every acknowledged row in the log exactly once at its answered
 * offset and in each lake exactly once; what retention kept of the log stays readable.
 */
@QuarkusTest
@TestProfile(FaultInjectionProfile.class)
class FaultInjectionITCase {
  private static final String TABLE = "faulty";
  private static final String PATH = "/v1/tables/" + TABLE;
  private static final int BUCKETS = 4;
  private static final int ROWS_PER_REQUEST = 25;
  private static final int MAX_ATTEMPTS = 100;

  /** Requests per writer in the first round; {@code tools/faults.sh} runs longer campaigns. */
  private static final int REQUESTS = Integer.getInteger("faults.requests", 12);

  /** About one request in seven fails outright, and one in ten is delayed. */
  private static final FaultProxy.Faults CAMPAIGN =
      new FaultProxy.Faults(0.10, 0.05, 0.04, 0.05, Duration.ofMillis(20));

  private static final String DEFINITION =
      """
      {"columns": [
        {"name": "id", "type": "bigint", "nullable": false},
        {"name": "writer", "type": "int"},
        {"name": "note", "type": "string"}],
       "bucketKey": ["id"], "buckets": %d,
       "lake": {"formats": ["paimon", "iceberg"], "freshness": "1s"},
       "logRetention": "1h"}
      """
          .formatted(BUCKETS);

  @TestHTTPResource("/")
  URI base;

  @FaultInjectionProfile.InjectProxies FaultInjectionProfile.Proxies proxies;

  @Inject ScheduledRun scheduled;

  @Inject MetadataStore metadata;

  @Inject MovableClock clock;

  private final Tally tally = new Tally();

  @AfterEach
  void healTheNetwork() {
    proxies.inject(FaultProxy.Faults.NONE);
    clock.reset();
  }

  @Test
  void everyAcknowledgedRowIsThereOnceAfterFaultsInEveryStoreCall() throws Exception {
    SluiceHttp http = new SluiceHttp(base);
    SluiceHttp.Answer created = http.putJson(PATH, DEFINITION);
    assertThat(created.status()).as("%s", created).isEqualTo(201);

    // 1. Writers, a reader, the tier button and the scheduled work at once, through faults.
    proxies.inject(CAMPAIGN);
    Map<Long, Position> acknowledged = new HashMap<>(writeUnderLoad(http, 0, 4, REQUESTS));
    proxies.inject(FaultProxy.Faults.NONE);
    assertThat(tally.unexpected).as("answers other than success, 4xx or 503/429").isEmpty();
    assertThat(tally.badRequestsRefused.get()).as("bad requests refused with 400").isPositive();
    assertThat(log(http)).as("the log: id -> bucket and offset").isEqualTo(acknowledged);

    // 2. Two hours later: retention and GC of what was tiered, while more is written, through
    // faults.
    clock.advance(Duration.ofHours(2));
    proxies.inject(CAMPAIGN);
    acknowledged.putAll(writeUnderLoad(http, 4, 2, Math.max(1, REQUESTS / 3)));
    for (int pass = 0; pass < 2; pass++) {
      tier(http, "?waitMs=2000");
      runScheduled();
    }
    proxies.inject(FaultProxy.Faults.NONE);
    SluiceHttp.Answer tiered = tier(http, "?waitMs=60000");
    assertThat(tiered.status()).as("%s", tiered).isEqualTo(200);
    runScheduled();
    runScheduled();

    assertThat(tally.unexpected).as("answers other than success, 4xx or 503/429").isEmpty();
    Map<FaultProxy.Fault, Long> s3 = proxies.s3().counts();
    Map<FaultProxy.Fault, Long> dynamo = proxies.dynamo().counts();
    assertThat(s3.get(FaultProxy.Fault.ANSWER_DROPPED)).as("S3 faults %s", s3).isPositive();
    assertThat(dynamo.get(FaultProxy.Fault.ANSWER_DROPPED)).as("DynamoDB %s", dynamo).isPositive();

    assertThat(proxies.s3().requests())
        .as("log objects collected by GC through the faults")
        .hasEntrySatisfying(
            "DELETE /sluice-it/sluice/log", deletes -> assertThat(deletes).isPositive());
    Map<Integer, Long> logStarts = logStarts(http);
    assertThat(logStarts.values()).as("retention dropped the tiered log").anyMatch(s -> s > 0);
    Map<Long, Position> kept = new HashMap<>(acknowledged);
    kept.values().removeIf(p -> p.offset() < logStarts.get(p.bucket()));
    assertThat(kept).as("rows written after the clock moved stay in the log").isNotEmpty();
    assertThat(log(http)).as("what the log still holds, every object readable").isEqualTo(kept);
    for (String lake : List.of("paimon", "iceberg")) {
      assertThat(http.scannedIds(TABLE, "&source=union&lake=" + lake))
          .as("the union read through %s: each acknowledged row once", lake)
          .containsExactlyInAnyOrderElementsOf(acknowledged.keySet());
    }
    System.out.printf(
        "[faults] seed %d, rows acknowledged %d, answers %s, S3 faults %s, DynamoDB faults %s,"
            + " S3 requests %s, DynamoDB requests %s%n",
        FaultInjectionProfile.SEED,
        acknowledged.size(),
        new TreeMap<>(tally.statuses),
        s3,
        dynamo,
        proxies.s3().requests(),
        proxies.dynamo().requests());
  }

  /** Where a row was acknowledged: its bucket and offset. */
  record Position(int bucket, long offset) {}

  /** What callers were answered, and every answer the contract does not allow. */
  private static final class Tally {
    final List<String> unexpected = new ArrayList<>();
    final AtomicLong badRequestsRefused = new AtomicLong();
    final Map<String, AtomicLong> statuses = new ConcurrentHashMap<>();

    /** Records an answer; whether it is one to retry (503 or 429 with Retry-After). */
    boolean retry(SluiceHttp.Answer answer, Set<Integer> expected) {
      statuses
          .computeIfAbsent(
              answer.request().replaceAll("\\?.*", "") + " " + answer.status(),
              k -> new AtomicLong())
          .incrementAndGet();
      if (expected.contains(answer.status())) {
        return false;
      }
      if ((answer.status() == 503 || answer.status() == 429)
          && answer.header("Retry-After").isPresent()) {
        return true;
      }
      synchronized (unexpected) {
        unexpected.add(answer + ": " + answer.text());
      }
      return false;
    }

    void unexpected(String what) {
      synchronized (unexpected) {
        unexpected.add(what);
      }
    }
  }

  /**
   * Writers from {@code firstWriter} write {@code requests} requests each, retried with their keys
   * until answered, while a reader, the tier button and the scheduled work run until they finish.
   */
  private Map<Long, Position> writeUnderLoad(
      SluiceHttp http, int firstWriter, int writers, int requests) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers + 3);
    AtomicBoolean writing = new AtomicBoolean(true);
    try {
      List<Future<Map<Long, Position>>> written = new ArrayList<>();
      for (int w = firstWriter; w < firstWriter + writers; w++) {
        int writer = w;
        written.add(pool.submit(() -> write(http, writer, requests)));
      }
      List<Future<?>> others = new ArrayList<>();
      others.add(
          pool.submit(
              () -> {
                for (int b = 0; writing.get(); b = (b + 1) % BUCKETS) {
                  tally.retry(
                      http.get(PATH + "/buckets/" + b + "/records?from=0&limit=200"),
                      Set.of(200, 409));
                  tally.retry(http.get(PATH + "/scan?columns=id&source=union"), Set.of(200));
                }
              }));
      others.add(
          pool.submit(
              () -> {
                while (writing.get()) {
                  tier(http, "?waitMs=1000");
                }
              }));
      others.add(
          pool.submit(
              () -> {
                while (writing.get()) {
                  runScheduled();
                }
              }));
      Map<Long, Position> acknowledged = new HashMap<>();
      for (Future<Map<Long, Position>> writer : written) {
        acknowledged.putAll(writer.get(5, TimeUnit.MINUTES));
      }
      writing.set(false);
      for (Future<?> other : others) {
        other.get(5, TimeUnit.MINUTES);
      }
      return acknowledged;
    } finally {
      writing.set(false);
      pool.shutdownNow();
    }
  }

  /**
   * One writer's requests, each retried under its Idempotency-Key until it is answered 200; every
   * fifth request is preceded by one with a bad value, which must be refused.
   */
  private Map<Long, Position> write(SluiceHttp http, int writer, int requests) {
    Map<Long, Position> acknowledged = new HashMap<>();
    for (int n = 0; n < requests; n++) {
      if (n % 5 == 0) {
        String bad =
            "[{\"id\": -%d, \"writer\": \"not a number\"}]".formatted(writer * 1000L + n + 1);
        SluiceHttp.Answer refused = send(http, bad, "bad-" + writer + "-" + n, Set.of(400));
        if (!"SCHEMA_MISMATCH".equals(refused.errorCode())) {
          tally.unexpected(refused + ": " + refused.text());
        }
        tally.badRequestsRefused.incrementAndGet();
      }
      List<Long> ids = new ArrayList<>();
      StringBuilder body = new StringBuilder("[");
      for (int r = 0; r < ROWS_PER_REQUEST; r++) {
        long id = writer * 1_000_000L + n * 1_000L + r;
        ids.add(id);
        body.append(r == 0 ? "" : ",")
            .append(
                "{\"id\": %d, \"writer\": %d, \"note\": \"row %d of request %d\"}"
                    .formatted(id, writer, r, n));
      }
      SluiceHttp.Answer answer =
          send(http, body.append(']').toString(), "w-" + writer + "-" + n, Set.of(200));
      acknowledged.putAll(positions(ids, answer.json()));
    }
    return acknowledged;
  }

  private SluiceHttp.Answer send(SluiceHttp http, String body, String key, Set<Integer> expected) {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      SluiceHttp.Answer answer =
          http.post(
              PATH + "/rows?rowBuckets=true",
              SluiceHttp.JSON,
              body.getBytes(StandardCharsets.UTF_8),
              Map.of("Idempotency-Key", key));
      if (!tally.retry(answer, expected)) {
        return answer;
      }
    }
    return fail("Request %s still refused after %d attempts", key, MAX_ATTEMPTS);
  }

  /** Each row's bucket and offset: its bucket part's base offset plus its rank in that part. */
  private static Map<Long, Position> positions(List<Long> ids, JsonNode answer) {
    Map<Integer, Long> next = new HashMap<>();
    for (JsonNode part : answer.path("buckets")) {
      next.put(part.path("bucket").asInt(), part.path("baseOffset").asLong());
    }
    Map<Long, Position> positions = new HashMap<>();
    JsonNode rowBuckets = answer.path("rowBuckets");
    assertThat(rowBuckets.size()).as("%s", answer).isEqualTo(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      int bucket = rowBuckets.get(i).asInt();
      positions.put(ids.get(i), new Position(bucket, next.merge(bucket, 1L, Long::sum) - 1));
    }
    return positions;
  }

  private SluiceHttp.Answer tier(SluiceHttp http, String query) {
    SluiceHttp.Answer answer = http.post(PATH + "/tier" + query, SluiceHttp.JSON, new byte[0]);
    tally.retry(answer, Set.of(200, 202));
    return answer;
  }

  /** One pass of the scheduled work; a store's failure is what it may end with, nothing else. */
  private void runScheduled() {
    try {
      scheduled.runOnce(metadata.table(TableName.parse(TABLE)).orElseThrow());
    } catch (StoreException e) {
      // the next pass goes on
    } catch (RuntimeException e) {
      tally.unexpected("scheduled work: " + e);
    }
  }

  /** Every bucket's log start: the first offset a read from 0 may start at. */
  private static Map<Integer, Long> logStarts(SluiceHttp http) {
    Map<Integer, Long> starts = new TreeMap<>();
    for (int b = 0; b < BUCKETS; b++) {
      SluiceHttp.Answer answer = http.get(PATH + "/buckets/" + b + "/records?from=0&limit=1");
      if (answer.status() == 409) {
        starts.put(b, answer.json().path("error").path("logStartOffset").asLong());
      } else {
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        starts.put(b, 0L);
      }
    }
    return starts;
  }

  /** Every row the log holds, from each bucket's log start to its high watermark. */
  private static Map<Long, Position> log(SluiceHttp http) {
    Map<Long, Position> rows = new HashMap<>();
    logStarts(http)
        .forEach(
            (bucket, start) -> {
              long from = start;
              while (true) {
                SluiceHttp.Answer page =
                    http.get(
                        PATH
                            + "/buckets/"
                            + bucket
                            + "/records?columns=id&limit=10000&from="
                            + from);
                assertThat(page.status()).as("%s: %s", page, page.text()).isEqualTo(200);
                for (JsonNode row : page.json()) {
                  Position previous =
                      rows.put(
                          row.path("id").asLong(),
                          new Position(bucket, row.path("_offset").asLong()));
                  assertThat(previous).as("row %s twice in the log", row).isNull();
                }
                long next = page.longHeader("Sluice-Next-Offset");
                if (next >= page.longHeader("Sluice-High-Watermark")) {
                  return;
                }
                from = next;
              }
            });
    return rows;
  }
}
