package io.sluice.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * A stand-in for the write side of the Sluice API on a JDK HttpServer, for fault injection the real
 * server cannot do on command: table {@code t} with a non-null {@code id bigint} (bucket = id mod
 * 4) and a {@code name string}; writes are idempotent by key as API.md says, and each request can
 * be made to fail before or after it writes.
 */
final class TestingSluiceServer implements AutoCloseable {
  static final int BUCKETS = 4;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What happens to a request. */
  enum Fault {
    NONE,
    /** 503 UNAVAILABLE with Retry-After: 0, nothing written. */
    UNAVAILABLE,
    /** 429 OVERLOADED with Retry-After: 0, nothing written. */
    OVERLOADED,
    /** The rows are written, then the connection is cut before the answer. */
    ANSWER_LOST,
    /** The rows are written, and the answer comes only after {@link #release}. */
    ANSWER_DELAYED,
    /** Nothing is written and no answer comes until {@link #release}. */
    HANG
  }

  /** Where a row went, as the stand-in committed it. */
  record Place(int bucket, long offset) {}

  private record Stored(String bodyHash, byte[] answer) {}

  private final HttpServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private final BufferAllocator allocator = new RootAllocator();
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<String, Stored> answers = new HashMap<>();
  private final long[] nextOffsets = new long[BUCKETS];
  private final Map<Long, Place> places = new ConcurrentHashMap<>();
  private final AtomicInteger duplicates = new AtomicInteger();
  private final CountDownLatch released = new CountDownLatch(1);
  private volatile IntFunction<Fault> faults = n -> Fault.NONE;
  private volatile int maxRows = Integer.MAX_VALUE;

  TestingSluiceServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(handlers);
    server.createContext("/v1/tables/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The fault of each write request, by its number counting from 1. */
  void faults(IntFunction<Fault> faults) {
    this.faults = faults;
  }

  /** Bodies of more rows than this are 413 BODY_TOO_LARGE. */
  void maxRows(int rows) {
    this.maxRows = rows;
  }

  /** Lets delayed and hung requests go on. */
  void release() {
    released.countDown();
  }

  int requests() {
    return requests.get();
  }

  /** Each written id's place. */
  Map<Long, Place> places() {
    return places;
  }

  /** How many times an id was written again. */
  int duplicates() {
    return duplicates.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath().replace("/default.t", "/t");
      if (exchange.getRequestMethod().equals("GET") && path.equals("/v1/tables/t")) {
        send(exchange, 200, describe().getBytes(StandardCharsets.UTF_8));
      } else if (exchange.getRequestMethod().equals("POST") && path.equals("/v1/tables/t/rows")) {
        write(exchange);
      } else {
        send(exchange, 404, error("NOT_FOUND", "no " + path, null, null));
      }
    }
  }

  private static String describe() {
    return "{\"name\": \"default.t\", \"tableId\": \"x\", \"columns\": [{\"name\": \"id\", \"type\":"
        + " \"bigint\", \"nullable\": false}, {\"name\": \"name\", \"type\": \"string\"}],"
        + " \"primaryKey\": [], \"bucketKey\": [\"id\"], \"buckets\": 4, \"bucketState\": []}";
  }

  private void write(HttpExchange exchange) throws IOException {
    int number = requests.incrementAndGet();
    Fault fault = faults.apply(number);
    byte[] body = exchange.getRequestBody().readAllBytes();
    String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
    switch (fault) {
      case UNAVAILABLE -> {
        exchange.getResponseHeaders().add("Retry-After", "0");
        send(exchange, 503, error("UNAVAILABLE", "store failed", null, null));
        return;
      }
      case OVERLOADED -> {
        exchange.getResponseHeaders().add("Retry-After", "0");
        send(exchange, 429, error("OVERLOADED", "too much queued", null, null));
        return;
      }
      case HANG -> {
        await();
        send(exchange, 503, error("UNAVAILABLE", "hung", null, null));
        return;
      }
      default -> {}
    }
    List<Long> ids = ids(body);
    for (int i = 0; i < ids.size(); i++) {
      if (ids.get(i) < 0) {
        send(
            exchange,
            400,
            error(
                "SCHEMA_MISMATCH",
                "row %d: column id: expected a positive bigint, got %d"
                    .formatted(i + 1, ids.get(i)),
                i + 1,
                "id"));
        return;
      }
    }
    if (ids.size() > maxRows) {
      send(exchange, 413, error("BODY_TOO_LARGE", "more than " + maxRows + " rows", null, null));
      return;
    }
    byte[] answer = commit(key, hash(body), ids);
    if (answer == null) {
      send(exchange, 409, error("IDEMPOTENCY_KEY_REUSED", "key " + key + " body", null, null));
      return;
    }
    switch (fault) {
      case ANSWER_LOST -> throw new IOException("the stand-in cuts the connection");
      case ANSWER_DELAYED -> await();
      default -> {}
    }
    send(exchange, 200, answer);
  }

  private synchronized byte[] commit(String key, String bodyHash, List<Long> ids) {
    if (key != null && answers.containsKey(key)) {
      Stored stored = answers.get(key);
      return stored.bodyHash().equals(bodyHash) ? stored.answer() : null;
    }
    int[] rowBuckets = new int[ids.size()];
    Map<Integer, long[]> parts = new LinkedHashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      int bucket = (int) Math.floorMod(ids.get(i), (long) BUCKETS);
      rowBuckets[i] = bucket;
      long[] part = parts.computeIfAbsent(bucket, b -> new long[] {nextOffsets[b], 0});
      long offset = part[0] + part[1]++;
      if (places.putIfAbsent(ids.get(i), new Place(bucket, offset)) != null) {
        duplicates.incrementAndGet();
      }
    }
    ObjectNode answer = JSON.createObjectNode().put("rows", ids.size());
    answer.put("commitTimestamp", "2026-11-25T08:00:00Z");
    ArrayNode buckets = answer.putArray("buckets");
    parts.forEach(
        (bucket, part) -> {
          buckets
              .addObject()
              .put("bucket", bucket)
              .put("baseOffset", part[0])
              .put("count", part[1]);
          nextOffsets[bucket] += part[1];
        });
    ArrayNode list = answer.putArray("rowBuckets");
    for (int bucket : rowBuckets) {
      list.add(bucket);
    }
    byte[] bytes = answer.toString().getBytes(StandardCharsets.UTF_8);
    if (key != null) {
      answers.put(key, new Stored(bodyHash, bytes));
    }
    return bytes;
  }

  private List<Long> ids(byte[] body) throws IOException {
    List<Long> ids = new ArrayList<>();
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(body), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      while (reader.loadNextBatch()) {
        BigIntVector id = (BigIntVector) root.getVector("id");
        for (int i = 0; i < root.getRowCount(); i++) {
          ids.add(id.get(i));
        }
      }
    }
    return ids;
  }

  private void await() {
    try {
      released.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] error(String code, String message, Integer row, String column) {
    ObjectNode error = JSON.createObjectNode();
    ObjectNode inner = error.putObject("error").put("code", code).put("message", message);
    if (row != null) {
      inner.put("row", row).put("column", column);
    }
    return error.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private static String hash(byte[] body) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    handlers.shutdownNow();
    allocator.close();
  }
}
