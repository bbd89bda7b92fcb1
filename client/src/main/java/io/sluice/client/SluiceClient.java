package io.sluice.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A client of one Sluice endpoint (API.md): tables, scans, SQL, batching writers and streaming
 * readers. Thread-safe; make one per endpoint and close it when done, which closes its writers and
 * readers.
 *
 * <pre>{@code
 * try (SluiceClient sluice = SluiceClient.builder(URI.create("http://localhost:8080")).build()) {
 *   List<Map<String, Object>> rows = sluice.sql("SELECT COUNT(*) AS n FROM orders");
 * }
 * }</pre>
 *
 * <p>Every method throws {@link SluiceException} for an error answer (or no answer).
 */
public final class SluiceClient implements AutoCloseable {
  private static final TypeReference<List<Map<String, Object>>> ROWS = new TypeReference<>() {};
  // A tier call answers once it has waited; the request may take that long and a little more.
  private static final Duration REQUEST_SLACK = Duration.ofSeconds(30);

  private final HttpApi api;
  private final BufferAllocator allocator = new RootAllocator();
  private final ScheduledExecutorService scheduler;
  private final Set<TableWriter> writers = ConcurrentHashMap.newKeySet();
  private final Set<TableReader> readers = ConcurrentHashMap.newKeySet();

  private SluiceClient(Builder builder) {
    this.api =
        new HttpApi(
            builder.endpoint,
            Optional.ofNullable(builder.token),
            builder.requestTimeout,
            builder.connectTimeout);
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = Executors.defaultThreadFactory().newThread(runnable);
              thread.setName("sluice-client-timer");
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    this.scheduler = executor;
  }

  /** Starts a client of the endpoint, such as {@code http://localhost:8080}. */
  public static Builder builder(URI endpoint) {
    return new Builder(endpoint);
  }

  /** Every table, with its definition (no bucket state: {@link #describe} has it). */
  public List<TableDescription> tables() {
    JsonNode answer = api.sendForJson(api.request("/v1/tables").GET().build());
    List<TableDescription> tables = new ArrayList<>();
    answer.path("tables").forEach(t -> tables.add(TableDescription.parse(t)));
    return tables;
  }

  /**
   * Creates a table from API.md's JSON definition, or finds it unchanged, or appends the nullable
   * columns the definition adds; returns the table as stored (no bucket state).
   *
   * @throws SluiceException {@code TABLE_EXISTS} for a table of another definition, {@code
   *     INVALID_DEFINITION}, ...
   */
  public TableDescription create(String table, String definitionJson) {
    HttpRequest request =
        api.request(HttpApi.tablePath(table, ""))
            .header("Content-Type", HttpApi.JSON_TYPE)
            .PUT(HttpRequest.BodyPublishers.ofString(definitionJson, StandardCharsets.UTF_8))
            .build();
    return TableDescription.parse(api.sendForJson(request));
  }

  /** {@link #create(String, String)} from a built definition. */
  public TableDescription create(String table, TableDefinition definition) {
    return create(table, definition.toJson());
  }

  /** Drops a table's log and metadata, keeping its lake tables. */
  public void drop(String table) {
    api.send(api.request(HttpApi.tablePath(table, "")).DELETE().build());
  }

  /** Drops a table and deletes its lake tables in every format. */
  public void dropWithLakeTables(String table) {
    api.send(api.request(HttpApi.tablePath(table, "?purgeLake=true")).DELETE().build());
  }

  /** A table's definition and the state of each of its buckets. */
  public TableDescription describe(String table) {
    return TableDescription.parse(
        api.sendForJson(api.request(HttpApi.tablePath(table, "")).GET().build()));
  }

  /**
   * The snapshots of a table's lake table in one format ({@code paimon} or {@code iceberg}), newest
   * first.
   */
  public List<LakeSnapshot> lakeSnapshots(String table, String lake) {
    String query = "/lake/snapshots?lake=" + URLEncoder.encode(lake, StandardCharsets.UTF_8);
    JsonNode answer = api.sendForJson(api.request(HttpApi.tablePath(table, query)).GET().build());
    List<LakeSnapshot> snapshots = new ArrayList<>();
    for (JsonNode snapshot : answer.path("snapshots")) {
      Map<String, Long> offsets = new LinkedHashMap<>();
      snapshot
          .path("offsets")
          .properties()
          .forEach(e -> offsets.put(e.getKey(), e.getValue().asLong()));
      snapshots.add(
          new LakeSnapshot(
              snapshot.path("lake").asText(lake),
              snapshot.path("snapshotId").asLong(),
              Instant.parse(snapshot.path("commitTime").asText()),
              snapshot.path("rows").asLong(),
              offsets));
    }
    return snapshots;
  }

  /**
   * Tiers a table now and waits up to {@code wait} (at most 10 minutes) until every row
   * acknowledged before the call is in every lake format.
   *
   * @return the snapshot id that holds them, per lake format; empty when that took longer than the
   *     wait (tiering goes on in the background)
   * @throws SluiceException {@code NOT_SUPPORTED} for a table without lake formats, ...
   */
  public Optional<Map<String, Long>> tier(String table, Duration wait) {
    HttpRequest request =
        api.request(HttpApi.tablePath(table, "/tier?waitMs=" + wait.toMillis()))
            .timeout(wait.plus(REQUEST_SLACK))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<byte[]> response = api.send(request);
    if (response.statusCode() == 202) {
      return Optional.empty();
    }
    Map<String, Long> snapshots = new LinkedHashMap<>();
    HttpApi.json(response)
        .properties()
        .forEach(
            format -> {
              JsonNode id = format.getValue().path("snapshotId");
              if (id.isIntegralNumber()) {
                snapshots.put(format.getKey(), id.asLong());
              }
            });
    return Optional.of(snapshots);
  }

  /** The rows of a scan, each a map of column to value as the JSON answer gives them. */
  public List<Map<String, Object>> scan(String table, ScanOptions options) {
    return rows(api.send(scanRequest(table, options, "json")));
  }

  /** The rows of a scan as Arrow batches, streamed; close them when done. */
  public ArrowBatches scanArrow(String table, ScanOptions options) {
    return arrow(scanRequest(table, options, "arrow"));
  }

  /** The rows of a read-only SQL query, each a map of column label to value. */
  public List<Map<String, Object>> sql(String query) {
    return rows(api.send(sqlRequest(query, "json")));
  }

  /** The rows of a read-only SQL query as Arrow batches, streamed; close them when done. */
  public ArrowBatches sqlArrow(String query) {
    return arrow(sqlRequest(query, "arrow"));
  }

  /** A batching writer of a table, with the default {@link WriterOptions}. */
  public TableWriter writer(String table) {
    return writer(table, WriterOptions.defaults());
  }

  /**
   * A batching writer of a table; it reads the table's columns now ({@link #describe}).
   *
   * @throws SluiceException {@code TABLE_NOT_FOUND} when there is no such table
   */
  public TableWriter writer(String table, WriterOptions options) {
    TableDescription description = describe(table);
    TableWriter writer =
        new TableWriter(
            api,
            description,
            options,
            scheduler,
            allocator.newChildAllocator("writer " + description.name(), 0, Long.MAX_VALUE),
            writers::remove);
    writers.add(writer);
    return writer;
  }

  /**
   * A streaming reader of a table, starting where the options say ({@link ReaderOptions#earliest},
   * {@link ReaderOptions#latest} or a checkpoint). It reads the table's description now, and from
   * earliest starts the back-fill's lake scan.
   *
   * @throws SluiceException {@code TABLE_NOT_FOUND} when there is no such table
   * @throws IllegalStateException when the checkpoint is of another table, or of a back-fill whose
   *     snapshot is no longer the lake's newest
   */
  public TableReader reader(String table, ReaderOptions options) {
    TableDescription description = describe(table);
    TableReader reader =
        new TableReader(
            api,
            description,
            options,
            allocator.newChildAllocator("reader " + description.name(), 0, Long.MAX_VALUE),
            readers::remove);
    readers.add(reader);
    return reader;
  }

  /** Closes every writer (flushing it) and reader, then releases the client. */
  @Override
  public void close() {
    try {
      for (TableWriter writer : List.copyOf(writers)) {
        writer.close();
      }
      for (TableReader reader : List.copyOf(readers)) {
        reader.close();
      }
    } finally {
      scheduler.shutdownNow();
      allocator.close();
    }
  }

  private HttpRequest scanRequest(String table, ScanOptions options, String format) {
    return api.request(HttpApi.tablePath(table, "/scan?format=" + format))
        .header("Content-Type", HttpApi.JSON_TYPE)
        .POST(HttpRequest.BodyPublishers.ofString(options.body(), StandardCharsets.UTF_8))
        .build();
  }

  private HttpRequest sqlRequest(String query, String format) {
    String body = HttpApi.JSON.createObjectNode().put("sql", query).toString();
    return api.request("/v1/sql?format=" + format)
        .header("Content-Type", HttpApi.JSON_TYPE)
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
  }

  private static List<Map<String, Object>> rows(HttpResponse<byte[]> response) {
    try {
      return HttpApi.JSON.readValue(response.body(), ROWS);
    } catch (IOException e) {
      throw new SluiceException(
          response.statusCode(),
          SluiceException.UNEXPECTED_ANSWER,
          "Cannot read the rows of " + HttpApi.describe(response.request()) + ": " + e,
          null,
          null,
          e);
    }
  }

  private ArrowBatches arrow(HttpRequest request) {
    HttpResponse<InputStream> response = api.stream(request);
    BufferAllocator child = allocator.newChildAllocator("answer", 0, Long.MAX_VALUE);
    return new ArrowBatches(response.body(), child);
  }

  /** Builds a {@link SluiceClient}. */
  public static final class Builder {
    private final URI endpoint;
    private String token;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);

    private Builder(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /** Sends {@code Authorization: Bearer <token>} with every call. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** How long one request may take before it counts as lost (30 s); writes retry it. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /** How long connecting may take (10 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    public SluiceClient build() {
      return new SluiceClient(this);
    }
  }
}
