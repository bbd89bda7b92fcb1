package io.sluice.bench.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.bench.MachineInfo;
import io.sluice.core.metadata.SweepState;
import io.sluice.core.store.ObjectStore;
import io.sluice.metadata.dynamodb.DynaliteServer;
import io.sluice.metadata.sqlite.SqliteMetadataStore;
import io.sluice.objectstore.ObjectStores;
import io.sluice.objectstore.S3ProxyServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The ingest benchmark: MB/s, rows/s and acknowledgement latency of {@code POST
 * /v1/tables/{t}/rows} with JSON and with Arrow bodies, at several numbers of concurrent clients,
 * against the local server on embedded defaults and on s3proxy + dynalite, next to two baselines
 * run in the same process on the same payload: the raw {@link ObjectStore#putIfAbsent} of the
 * segment a write produces, and a single-node Kafka broker with {@code acks=all} (default flushing,
 * and an fsync per message). Writes {@code bench/reports/ingest.md} and {@code ingest.csv}.
 *
 * <p>Usage: {@code IngestBench [report.md]}; settings as system properties (see {@link Settings}).
 * {@code bench/run-ingest-bench.sh} builds what it needs and runs it.
 */
public final class IngestBench {
  static final String LOGGING = "ingest-logback.xml";
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String JSON_TYPE = "application/json";
  static final String ARROW_TYPE = "application/vnd.apache.arrow.stream";
  private static final String BUCKET = "sluice-bench";

  private final Settings settings;
  private final IngestPayload payload;
  private final List<Measurement> measurements = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Map<String, String> warmUps = new LinkedHashMap<>();
  private final List<IngestCost.Counts> costs = new ArrayList<>();

  /**
   * Raw puts warm up in the harness's own JVM, whose JIT also compiles the clients and (for s3)
   * s3proxy; a few rounds do, and they bound the objects s3proxy holds in the heap.
   */
  private static final int RAW_PUT_WARM_UP_ROUNDS = 6;

  private IngestBench(Settings settings, IngestPayload payload) {
    this.settings = settings;
    this.payload = payload;
  }

  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGGING);
    }
    Settings settings = Settings.fromSystemProperties(args);
    IngestPayload payload = IngestPayload.build(settings.rows(), 42);
    IngestBench bench = new IngestBench(settings, payload);
    String startLoad = MachineInfo.loadAverage();
    long start = System.nanoTime();
    bench.run();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    IngestReport.write(
        settings,
        payload,
        bench.measurements,
        bench.costs,
        bench.notes,
        bench.warmUps,
        took,
        startLoad);
    log("wrote " + settings.report() + " (" + took.toSeconds() + " s)");
    System.exit(0); // the stand-ins' non-daemon threads must not keep the JVM up
  }

  private void run() throws Exception {
    deleteRecursively(settings.work());
    Files.createDirectories(settings.work());
    if (settings.runs("embedded")) {
      guard("embedded", this::embedded);
    }
    if (settings.runs("s3")) {
      guard("s3proxy + dynalite", this::s3);
    }
    if (settings.runs("kafka")) {
      guard("kafka", this::kafka);
    }
    if (settings.runs("cost")) {
      guard(
          "cost",
          () -> costs.addAll(IngestCost.measure(payload, List.of(1, 16), settings.duration())));
    }
  }

  // ---------------------------------------------------------------- targets

  private void embedded() throws Exception {
    Path dir = settings.work().resolve("embedded");
    try (LocalServer server =
        LocalServer.start(
            settings.serverJar(), dir.resolve("data"), Map.of(), dir.resolve("server.log"))) {
      sluice(Target.EMBEDDED, server);
    }
    Path raw = dir.resolve("raw-put");
    Files.createDirectories(raw);
    try (ObjectStore store = ObjectStores.open(raw.toUri().toString())) {
      rawPut(Target.EMBEDDED, store, "LocalObjectStore");
    }
    Path sqlite = dir.resolve("bare-sqlite");
    Files.createDirectories(sqlite);
    try (SqliteMetadataStore store = SqliteMetadataStore.open(sqlite.resolve("metadata.db"))) {
      bareCommit(store);
    }
    deleteRecursively(dir.resolve("data"));
    deleteRecursively(raw);
    deleteRecursively(sqlite);
  }

  /**
   * The smallest synced commit of the embedded metadata store: one row replaced in one transaction,
   * with the store's own settings (WAL, {@code synchronous=FULL}).
   */
  private void bareCommit(SqliteMetadataStore store) throws Exception {
    LoadLoop.Client client =
        i -> {
          String tableId = UUID.randomUUID().toString();
          long[] round = {0};
          return () ->
              store.putSweepState(
                  SweepState.initial(tableId).withRecoveredUpTo(Long.toString(round[0]++)));
        };
    long pid = ProcessHandle.current().pid();
    warmUp(Target.EMBEDDED, Side.BARE_COMMIT, pid, client);
    measure(Target.EMBEDDED, Side.BARE_COMMIT, 1, 0, pid, client);
  }

  private void s3() throws Exception {
    Path dir = settings.work().resolve("s3");
    S3ProxyServer s3proxy = S3ProxyServer.start();
    try (DynaliteServer dynalite = DynaliteServer.start()) {
      s3proxy.createBucket(BUCKET);
      Map<String, String> stores = new LinkedHashMap<>();
      stores.put("sluice.object-store.uri", "s3://" + BUCKET + "/sluice");
      stores.put("sluice.object-store.endpoint", s3proxy.endpoint().toString());
      stores.put("sluice.object-store.path-style", "true");
      stores.put("sluice.object-store.region", s3proxy.region());
      stores.put("sluice.object-store.access-key", s3proxy.accessKey());
      stores.put("sluice.object-store.secret-key", s3proxy.secretKey());
      stores.put("sluice.metadata.uri", "dynamodb:sluice_bench");
      stores.put("sluice.metadata.endpoint", dynalite.endpoint().toString());
      stores.put("sluice.metadata.region", "us-east-1");
      stores.put("sluice.metadata.access-key", "bench");
      stores.put("sluice.metadata.secret-key", "bench");
      stores.put("sluice.metadata.create-table", "true");
      try (LocalServer server =
          LocalServer.start(
              settings.serverJar(), dir.resolve("data"), stores, dir.resolve("server.log"))) {
        sluice(Target.S3, server);
      }
    } finally {
      s3proxy.stop();
    }
    // A fresh s3proxy for the raw puts: it keeps every object in the harness's heap, which the
    // Sluice run's segments would otherwise fill.
    S3ProxyServer fresh = S3ProxyServer.start();
    try {
      fresh.createBucket(BUCKET);
      try (ObjectStore store = ObjectStores.open("s3://" + BUCKET + "/raw", fresh.s3Settings())) {
        rawPut(Target.S3, store, "S3ObjectStore on s3proxy");
      }
    } finally {
      fresh.stop();
    }
  }

  private void kafka() throws Exception {
    Path dir = settings.work().resolve("kafka");
    String classpath = System.getProperty("java.class.path");
    try (KafkaBroker broker = KafkaBroker.start(dir, classpath, LOGGING)) {
      broker.createTopic("bench-default", 4, Map.of());
      // flush.messages is the topic-level name of log.flush.interval.messages.
      broker.createTopic("bench-fsync", 4, Map.of("flush.messages", "1"));
      kafka(broker, "bench-default", Side.KAFKA_DEFAULT);
      kafka(broker, "bench-fsync", Side.KAFKA_FSYNC);
    }
    deleteRecursively(dir.resolve("logs"));
  }

  // ---------------------------------------------------------------- sides

  private void sluice(Target target, LocalServer server) throws Exception {
    long pid = server.pid();
    for (Body body : Body.values()) {
      String table = "bench_" + body.name().toLowerCase();
      createTable(server.base(), table);
      URI uri = server.base().resolve("/v1/tables/" + table + "/rows");
      byte[] bytes = body == Body.JSON ? payload.json() : payload.arrow();
      String type = body == Body.JSON ? JSON_TYPE : ARROW_TYPE;
      LoadLoop.Client client = http(server.base(), uri, type, bytes, payload.rows());
      Side side = body == Body.JSON ? Side.SLUICE_JSON : Side.SLUICE_ARROW;
      long acknowledged = warmUp(target, side, pid, client);
      for (int clients : settings.clients()) {
        Measurement m = measure(target, side, clients, bytes.length, pid, client);
        acknowledged += m.result().ok();
      }
      if (target == Target.EMBEDDED && side == Side.SLUICE_ARROW) {
        for (int clients : settings.floodClients()) {
          Measurement m = measure(target, side, clients, bytes.length, pid, client);
          acknowledged += m.result().ok();
        }
      }
      long stored = rowsIn(server.base(), table);
      long expected = acknowledged * payload.rows();
      String check =
          target.label
              + ", "
              + side.label
              + ": "
              + expected
              + " rows acknowledged, "
              + stored
              + " rows in the table (sum of the buckets' high watermarks)"
              + (stored == expected ? ": every acknowledged row is there." : ": MISMATCH.");
      notes.add(check);
      log(check);
    }
  }

  private void rawPut(Target target, ObjectStore store, String what) throws Exception {
    byte[] segment = payload.segment();
    LoadLoop.Client client =
        i ->
            () -> {
              String id = UUID.randomUUID().toString().replace("-", "");
              store.putIfAbsent("raw/" + id.charAt(0) + "/bench/r" + id + ".seg", segment);
            };
    long pid = ProcessHandle.current().pid();
    warmUp(target, Side.RAW_PUT, pid, client, RAW_PUT_WARM_UP_ROUNDS);
    for (int clients : settings.clients()) {
      measure(target, Side.RAW_PUT, clients, segment.length, pid, client);
    }
    notes.add(
        target.label
            + ", raw put: "
            + what
            + ".putIfAbsent of the "
            + segment.length
            + "-byte segment, under a fresh key per put.");
  }

  private void kafka(KafkaBroker broker, String topic, Side side) throws Exception {
    List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
    byte[] value = payload.arrow();
    LoadLoop.Client client =
        i -> {
          KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrap());
          synchronized (producers) {
            producers.add(producer);
          }
          producer.partitionsFor(topic); // metadata before the clock starts
          ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, value);
          return () -> producer.send(record).get(60, TimeUnit.SECONDS);
        };
    try {
      warmUp(Target.KAFKA, side, broker.pid(), client);
      for (int clients : settings.clients()) {
        measure(Target.KAFKA, side, clients, value.length, broker.pid(), client);
      }
    } finally {
      producers.forEach(p -> p.close(Duration.ofSeconds(10)));
    }
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    properties.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20));
    properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
    properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    properties.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(properties);
  }

  static LoadLoop.Client http(URI base, URI uri, String type, byte[] body, int rows) {
    return i -> {
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .build();
      // Opens the connection before the clock starts.
      client.send(
          HttpRequest.newBuilder(base.resolve("/q/health")).build(),
          HttpResponse.BodyHandlers.discarding());
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", type)
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      return () -> {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 429) {
          // As a client should: wait as told (at most a second here), then try again.
          long seconds = response.headers().firstValueAsLong("Retry-After").orElse(1);
          Thread.sleep(Math.min(1000, 1000 * seconds));
          throw new LoadLoop.Refused("HTTP 429: " + abbreviate(response.body()));
        }
        if (response.statusCode() != 200) {
          throw new IllegalStateException(
              "HTTP " + response.statusCode() + ": " + abbreviate(response.body()));
        }
        if (JSON.readTree(response.body()).path("rows").asInt(-1) != rows) {
          throw new IllegalStateException("unexpected answer: " + abbreviate(response.body()));
        }
      };
    };
  }

  // ---------------------------------------------------------------- measuring

  /**
   * Warms the serving process up at 4 clients until its JIT has finished ({@link JitWarmUp});
   * returns the requests acknowledged meanwhile.
   */
  private long warmUp(Target target, Side side, long pid, LoadLoop.Client client) throws Exception {
    return warmUp(target, side, pid, client, JitWarmUp.MAX_ROUNDS);
  }

  private long warmUp(Target target, Side side, long pid, LoadLoop.Client client, int maxRounds)
      throws Exception {
    log(target.label + ", " + side.label + ": warming up");
    JitWarmUp.Warmed warmed = JitWarmUp.run(pid, 4, client, maxRounds);
    warmUps.put(
        target.label + ", " + side.label,
        warmed.rounds() + (warmed.rounds() == maxRounds ? " (the limit)" : ""));
    return warmed.acknowledged();
  }

  private Measurement measure(
      Target target, Side side, int clients, long bytesPerRequest, long pid, LoadLoop.Client c)
      throws Exception {
    CpuSample before = CpuSample.take(pid);
    LoadLoop.Result result = LoadLoop.run(clients, settings.maxRequests(), settings.duration(), c);
    CpuSample after = CpuSample.take(pid);
    Measurement m =
        new Measurement(
            target,
            side,
            clients,
            bytesPerRequest,
            payload.rows(),
            result,
            result.ok() == 0
                ? Double.NaN
                : (after.processMillis() - before.processMillis()) / result.ok(),
            after.busyShare(before),
            after.othersShare(before));
    measurements.add(m);
    log(
        String.format(
            "%-20s %-22s c=%-2d %5d ok %3d err %6.2f s %8.1f req/s %9.0f rows/s %7.1f MB/s"
                + " p50 %7.2f ms p99 %7.2f ms busy %3.0f%% others %3.0f%%",
            target.label,
            side.label,
            clients,
            result.ok(),
            result.errors(),
            result.seconds(),
            result.requestsPerSecond(),
            m.rowsPerSecond(),
            m.megabytesPerSecond(),
            result.latencyMillis(0.5),
            result.latencyMillis(0.99),
            m.machineBusy() * 100,
            m.othersBusy() * 100));
    if (result.firstError() != null) {
      log("  first error: " + result.firstError());
      notes.add(
          target.label
              + ", "
              + side.label
              + ", "
              + clients
              + " clients: "
              + result.errors()
              + " failed requests, the first: "
              + abbreviate(result.firstError().toString()));
    }
    return m;
  }

  private void guard(String name, Phase phase) {
    try {
      phase.run();
    } catch (Exception | Error e) {
      String message = name + ": not measured: " + e;
      log(message);
      e.printStackTrace();
      notes.add(abbreviate(message));
    }
  }

  @FunctionalInterface
  private interface Phase {
    void run() throws Exception;
  }

  // ---------------------------------------------------------------- server API

  static void createTable(URI base, String table) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(base.resolve("/v1/tables/" + table))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", JSON_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofString(IngestPayload.tableJson()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201 && response.statusCode() != 200) {
      throw new IllegalStateException(
          "Cannot create table "
              + table
              + ": HTTP "
              + response.statusCode()
              + " "
              + response.body());
    }
  }

  private static long rowsIn(URI base, String table) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(base.resolve("/v1/tables/" + table))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    long rows = 0;
    for (JsonNode bucket : JSON.readTree(response.body()).path("bucketState")) {
      rows += bucket.path("highWatermark").asLong() - bucket.path("logStartOffset").asLong();
    }
    return rows;
  }

  // ---------------------------------------------------------------- helpers

  static String abbreviate(String text) {
    String flat = text == null ? "" : text.replaceAll("\\s+", " ");
    return flat.length() <= 300 ? flat : flat.substring(0, 300) + "...";
  }

  static void log(String line) {
    System.out.println("[ingest] " + line);
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  // ---------------------------------------------------------------- model

  /** Where the writes go. */
  enum Target {
    EMBEDDED("embedded"),
    S3("s3proxy + dynalite"),
    KAFKA("kafka");

    final String label;

    Target(String label) {
      this.label = label;
    }
  }

  enum Body {
    JSON,
    ARROW
  }

  /** What is measured on a target. */
  enum Side {
    SLUICE_JSON("Sluice, JSON body"),
    SLUICE_ARROW("Sluice, Arrow body"),
    RAW_PUT("raw ObjectStore put"),
    BARE_COMMIT("bare SQLite commit"),
    KAFKA_DEFAULT("Kafka, default flush"),
    KAFKA_FSYNC("Kafka, fsync per message");

    final String label;

    Side(String label) {
      this.label = label;
    }
  }

  /**
   * One scenario's result.
   *
   * @param bytesPerRequest the body (or object, or record value) bytes of one request
   * @param cpuMillisPerRequest CPU time of the process that serves the request (the server, the
   *     broker, or for raw puts the harness itself) per acknowledged request
   * @param machineBusy share of all cores' time not idle during the scenario, 0 to 1
   * @param othersBusy share of all cores' time used by processes outside the benchmark, 0 to 1
   */
  record Measurement(
      Target target,
      Side side,
      int clients,
      long bytesPerRequest,
      int rowsPerRequest,
      LoadLoop.Result result,
      double cpuMillisPerRequest,
      double machineBusy,
      double othersBusy) {

    double rowsPerSecond() {
      return result.requestsPerSecond() * rowsPerRequest;
    }

    double megabytesPerSecond() {
      return result.requestsPerSecond() * bytesPerRequest / 1e6;
    }
  }

  /**
   * CPU time of one process, of the benchmark's own processes (this JVM and everything it started:
   * server, broker, dynalite) and of the whole machine, as Linux counts them.
   */
  public record CpuSample(
      double processMillis, double oursMillis, long busyTicks, long totalTicks) {
    /** Linux's USER_HZ: /proc/stat counts in hundredths of a second. */
    private static final double TICK_MILLIS = 10;

    public static CpuSample take(long pid) {
      double harness =
          ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                  .getProcessCpuTime()
              / 1e6;
      double children =
          ProcessHandle.current()
              .descendants()
              .mapToDouble(IngestBench.CpuSample::cpuMillis)
              .filter(v -> !Double.isNaN(v))
              .sum();
      double process =
          pid == ProcessHandle.current().pid()
              ? harness
              : ProcessHandle.of(pid).map(CpuSample::cpuMillis).orElse(Double.NaN);
      long busy = 0;
      long total = 0;
      try {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        for (int i = 1; i < fields.length && i <= 8; i++) {
          long value = Long.parseLong(fields[i]);
          total += value;
          if (i != 4 && i != 5) { // idle, iowait
            busy += value;
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux: no machine share
      }
      return new CpuSample(process, harness + children, busy, total);
    }

    private static double cpuMillis(ProcessHandle process) {
      return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
    }

    /** Share of the machine's CPU time (all cores) that was busy since {@code before}, 0 to 1. */
    double busyShare(CpuSample before) {
      long total = totalTicks - before.totalTicks;
      return total <= 0 ? Double.NaN : (double) (busyTicks - before.busyTicks) / total;
    }

    /**
     * Share of the machine's CPU time since {@code before} that processes outside the benchmark
     * used (other builds, tests, the OS), 0 to 1.
     */
    public double othersShare(CpuSample before) {
      long total = totalTicks - before.totalTicks;
      if (total <= 0) {
        return Double.NaN;
      }
      double busy = (busyTicks - before.busyTicks) * TICK_MILLIS;
      double ours = oursMillis - before.oursMillis;
      return Math.max(0, (busy - ours) / (total * TICK_MILLIS));
    }
  }

  /**
   * The run's settings, from system properties: {@code ingest.rows} (rows per request, 1000),
   * {@code ingest.clients} (1,4,16), {@code ingest.flood.clients} (64,256: embedded Arrow only, to
   * show back-pressure), {@code ingest.seconds} (10: the longest a scenario runs), {@code
   * ingest.requests} (1000000: the most requests a scenario sends), {@code ingest.root} (the
   * repository; the working directory), {@code ingest.work} (bench/target/ingest-work), {@code
   * ingest.server.jar} (local-server/target/quarkus-app/quarkus-run.jar), {@code ingest.only}
   * (embedded,s3,kafka,cost). The first argument, if any, is the report path.
   */
  record Settings(
      int rows,
      List<Integer> clients,
      List<Integer> floodClients,
      Duration duration,
      int maxRequests,
      Path root,
      Path work,
      Path serverJar,
      List<String> only,
      Path report) {

    static Settings fromSystemProperties(String[] args) {
      Path root = Path.of(System.getProperty("ingest.root", "")).toAbsolutePath().normalize();
      return new Settings(
          Integer.getInteger("ingest.rows", 1000),
          Arrays.stream(System.getProperty("ingest.clients", "1,4,16").split(","))
              .map(String::trim)
              .map(Integer::valueOf)
              .sorted()
              .toList(),
          Arrays.stream(System.getProperty("ingest.flood.clients", "64,256").split(","))
              .map(String::trim)
              .filter(c -> !c.isEmpty())
              .map(Integer::valueOf)
              .sorted()
              .toList(),
          Duration.ofMillis(
              (long) (1000 * Double.parseDouble(System.getProperty("ingest.seconds", "10")))),
          Integer.getInteger("ingest.requests", 1_000_000),
          root,
          root.resolve(System.getProperty("ingest.work", "bench/target/ingest-work")),
          root.resolve(
              System.getProperty(
                  "ingest.server.jar", "local-server/target/quarkus-app/quarkus-run.jar")),
          Arrays.stream(System.getProperty("ingest.only", "embedded,s3,kafka,cost").split(","))
              .map(String::trim)
              .toList(),
          args.length > 0
              ? Path.of(args[0]).toAbsolutePath()
              : root.resolve("bench/reports/ingest.md"));
    }

    boolean runs(String target) {
      return only.contains(target);
    }

    /** The file system the embedded stores, raw puts and Kafka's log write to. */
    String fileSystem() {
      return MachineInfo.fileSystem(work);
    }
  }
}
