package io.sluice.bench.ingest;

import io.sluice.bench.MachineInfo;
import io.sluice.bench.ingest.IngestBench.CpuSample;
import io.sluice.client.BucketState;
import io.sluice.client.ReaderOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.TableReader;
import io.sluice.client.TableRecord;
import io.sluice.client.TableWriter;
import io.sluice.client.WriterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The client benchmark: small rows written one by one through one shared {@link TableWriter} by
 * several producer threads against the embedded local server, next to a {@link KafkaProducer}
 * sending the same rows as JSON to a single-node broker (default flushing, and an fsync per
 * append); then a {@link TableReader} following the table from {@code latest} while it is written,
 * with the latency from a row's acknowledgement to its delivery by {@code poll}. Writes {@code
 * bench/reports/client.md}.
 *
 * <p>Usage: {@code ClientBench [report.md]}; settings as system properties (see {@link Settings}).
 * {@code bench/run-client-bench.sh} builds what it needs and runs it.
 */
public final class ClientBench {
  private static final String KAFKA_DEFAULT_TOPIC = "rows-default";
  private static final String KAFKA_FSYNC_TOPIC = "rows-fsync";

  /** How long a following reader may deliver nothing before its missing rows count as missing. */
  private static final Duration STALL = Duration.ofSeconds(30);

  private final Settings settings;
  private final List<Measurement> writes = new ArrayList<>();
  private final List<Follow> follows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Map<String, String> warmUps = new LinkedHashMap<>();

  private ClientBench(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", IngestBench.LOGGING);
    }
    Settings settings = Settings.fromSystemProperties(args);
    ClientBench bench = new ClientBench(settings);
    String startLoad = MachineInfo.loadAverage();
    long start = System.nanoTime();
    bench.run();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    ClientReport.write(
        settings, bench.writes, bench.follows, bench.notes, bench.warmUps, took, startLoad);
    log("wrote " + settings.report() + " (" + took.toSeconds() + " s)");
    System.exit(0); // the Kafka client's and the HTTP client's threads must not keep the JVM up
  }

  private void run() throws Exception {
    IngestBench.deleteRecursively(settings.work());
    Files.createDirectories(settings.work());
    if (settings.runs("sluice")) {
      guard("sluice", this::sluice);
    }
    if (settings.runs("kafka")) {
      guard("kafka", this::kafka);
    }
  }

  // ---------------------------------------------------------------- Sluice

  private void sluice() throws Exception {
    Path dir = settings.work().resolve("embedded");
    try (LocalServer server =
            LocalServer.start(
                settings.serverJar(), dir.resolve("data"), Map.of(), dir.resolve("server.log"));
        SluiceClient client = SluiceClient.builder(server.base()).build()) {
      String table = "client_rows";
      client.create(table, SmallRows.table());
      long acknowledged;
      try (TableWriter writer = client.writer(table, WriterOptions.defaults())) {
        WriteLoop.RowSink sink = sluiceSink(writer);
        acknowledged = warmUp(Side.SLUICE, server.pid(), sink);
        for (int threads : settings.threads()) {
          acknowledged += measure(Side.SLUICE, threads, server.pid(), sink).result().acknowledged();
        }
      }
      check(client, table, acknowledged);

      int followed = 0;
      for (int threads : settings.followThreads()) {
        for (double rate : settings.followRates()) {
          String name = "client_follow_" + ++followed;
          client.create(name, SmallRows.table());
          try (TableWriter writer = client.writer(name, WriterOptions.defaults())) {
            WriteLoop.RowSink sink = sluiceSink(writer);
            follow(client, name, sink, threads, rate, Duration.ofSeconds(2)); // warm-up only
            follows.add(follow(client, name, sink, threads, rate, settings.duration()));
          }
        }
      }
    }
    IngestBench.deleteRecursively(dir.resolve("data"));
  }

  private static WriteLoop.RowSink sluiceSink(TableWriter writer) {
    return new WriteLoop.RowSink() {
      @Override
      public void send(Map<String, Object> row, Consumer<Throwable> done) {
        writer.write(row).whenComplete((offset, error) -> done.accept(error));
      }

      @Override
      public void flush() throws InterruptedException {
        writer.flush();
      }
    };
  }

  /** Every acknowledged row is in the table: the buckets' high watermarks add up to them. */
  private void check(SluiceClient client, String table, long acknowledged) {
    long stored = 0;
    for (BucketState bucket : client.describe(table).bucketStates()) {
      stored += bucket.highWatermark() - bucket.logStartOffset();
    }
    String check =
        "Sluice, "
            + table
            + ": "
            + acknowledged
            + " rows acknowledged, "
            + stored
            + " rows in the table (sum of the buckets' high watermarks)"
            + (stored == acknowledged ? ": every acknowledged row is there." : ": MISMATCH.");
    notes.add(check);
    log(check);
  }

  /**
   * A reader from {@code latest} polls the table on its own thread while the producers write it;
   * each row's delivery is matched to its acknowledgement by its {@code id}.
   */
  private Follow follow(
      SluiceClient client,
      String table,
      WriteLoop.RowSink sink,
      int threads,
      double rowsPerSecond,
      Duration duration)
      throws Exception {
    int capacity = settings.followMaxRows();
    AtomicLongArray acknowledgedAt = new AtomicLongArray(capacity);
    long[] deliveredAt = new long[capacity]; // written by the reader's thread only
    try (TableReader reader = client.reader(table, ReaderOptions.latest())) {
      // The table may have been written before (warm-up): rows of this run have ids from here on.
      long firstSequence = rowsIn(client, table);
      Reading reading = new Reading(reader, firstSequence, deliveredAt);
      Thread thread = new Thread(reading, "follower");
      thread.setDaemon(true);
      thread.start();
      long self = ProcessHandle.current().pid();
      CpuSample before = CpuSample.take(self);
      WriteLoop.Result written =
          WriteLoop.run(
              sink,
              threads,
              duration,
              firstSequence,
              capacity,
              rowsPerSecond,
              (sequence, now) -> acknowledgedAt.set((int) (sequence - firstSequence), now));
      reading.expect(written.acknowledged());
      awaitCatchUp(reading, thread);
      reading.stop();
      thread.join(Duration.ofSeconds(15).toMillis());
      CpuSample after = CpuSample.take(self);
      Latencies latencies = new Latencies();
      long early = 0;
      long missing = 0;
      int rows = (int) Math.min(capacity, written.acknowledged() + written.failed());
      for (int i = 0; i < rows; i++) {
        long acknowledged = acknowledgedAt.get(i);
        if (acknowledged == 0) {
          continue; // failed
        }
        if (deliveredAt[i] == 0) {
          missing++;
          continue;
        }
        long latency = deliveredAt[i] - acknowledged;
        if (latency < 0) {
          early++;
        }
        latencies.record(Math.max(0, latency));
      }
      Follow follow =
          new Follow(
              threads,
              rowsPerSecond,
              written,
              reading.delivered,
              reading.duplicates,
              missing,
              early,
              Math.max(0, reading.lastDelivery - written.startNanos()),
              latencies,
              reading.error,
              after.busyShare(before),
              after.othersShare(before));
      log(
          String.format(
              "follow   threads=%-2d rate %6.0f written %9d (%9.0f rows/s) read %9d (%9.0f rows/s)"
                  + " ack->poll p50 %7.2f ms p99 %7.2f ms early %d missing %d others %3.0f%%",
              threads,
              rowsPerSecond,
              written.acknowledged(),
              written.rowsPerSecond(),
              follow.delivered(),
              follow.rowsPerSecond(),
              latencies.millis(0.5),
              latencies.millis(0.99),
              early,
              missing,
              100 * follow.othersBusy()));
      if (reading.error != null) {
        notes.add(
            "follow, "
                + threads
                + " threads at "
                + rowsPerSecond
                + " rows/s: the reader failed: "
                + reading.error);
      }
      return follow;
    }
  }

  /**
   * Waits while the reader still delivers rows: until it has every acknowledged row, or has
   * delivered none for {@link #STALL}. A reader that fell behind an unpaced writer needs a while.
   */
  private static void awaitCatchUp(Reading reading, Thread thread) throws InterruptedException {
    long delivered = reading.delivered;
    long progressAt = System.nanoTime();
    while (thread.isAlive() && System.nanoTime() - progressAt < STALL.toNanos()) {
      thread.join(200);
      if (reading.delivered != delivered) {
        delivered = reading.delivered;
        progressAt = System.nanoTime();
      }
    }
  }

  private static long rowsIn(SluiceClient client, String table) {
    long rows = 0;
    for (BucketState bucket : client.describe(table).bucketStates()) {
      rows += bucket.highWatermark();
    }
    return rows;
  }

  /** The reader's loop: polls until it has the rows it is told to expect, or is stopped. */
  private static final class Reading implements Runnable {
    private final TableReader reader;
    private final long first;
    private final long[] deliveredAt;
    private volatile long expected = Long.MAX_VALUE;
    private volatile boolean stopped;
    volatile long delivered;
    volatile long duplicates;
    volatile long lastDelivery;
    volatile Throwable error;

    Reading(TableReader reader, long first, long[] deliveredAt) {
      this.reader = reader;
      this.first = first;
      this.deliveredAt = deliveredAt;
    }

    void expect(long rows) {
      expected = rows;
    }

    void stop() {
      stopped = true;
    }

    @Override
    public void run() {
      try {
        while (!stopped && delivered < expected) {
          List<TableRecord> records = reader.poll(Duration.ofMillis(100));
          long now = System.nanoTime();
          for (TableRecord record : records) {
            long index = ((Number) record.value("id")).longValue() - first;
            if (index < 0 || index >= deliveredAt.length) {
              continue;
            }
            if (deliveredAt[(int) index] != 0) {
              duplicates++;
              continue;
            }
            deliveredAt[(int) index] = now;
            delivered++;
          }
          if (!records.isEmpty()) {
            lastDelivery = now;
          }
        }
      } catch (RuntimeException e) {
        error = e;
      }
    }
  }

  // ---------------------------------------------------------------- Kafka

  private void kafka() throws Exception {
    Path dir = settings.work().resolve("kafka");
    String classpath = System.getProperty("java.class.path");
    try (KafkaBroker broker = KafkaBroker.start(dir, classpath, IngestBench.LOGGING)) {
      broker.createTopic(KAFKA_DEFAULT_TOPIC, 4, Map.of());
      // flush.messages is the topic-level name of log.flush.interval.messages.
      broker.createTopic(KAFKA_FSYNC_TOPIC, 4, Map.of("flush.messages", "1"));
      kafka(broker, KAFKA_DEFAULT_TOPIC, Side.KAFKA_DEFAULT);
      kafka(broker, KAFKA_FSYNC_TOPIC, Side.KAFKA_FSYNC);
    }
    IngestBench.deleteRecursively(dir.resolve("logs"));
  }

  private void kafka(KafkaBroker broker, String topic, Side side) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrap())) {
      producer.partitionsFor(topic); // metadata before the clock starts
      WriteLoop.RowSink sink =
          new WriteLoop.RowSink() {
            @Override
            public void send(Map<String, Object> row, Consumer<Throwable> done) {
              producer.send(
                  new ProducerRecord<>(topic, SmallRows.json(row)),
                  (metadata, error) -> done.accept(error));
            }

            @Override
            public void flush() {
              producer.flush();
            }
          };
      warmUp(side, broker.pid(), sink);
      for (int threads : settings.threads()) {
        measure(side, threads, broker.pid(), sink);
      }
    }
  }

  /**
   * The producer both Kafka sides share among their threads: {@code acks=all}, {@code linger.ms=5}
   * (the Sluice writer's linger), byte-array values; every other setting Kafka's default
   * (idempotence on, {@code batch.size} 16 KiB, {@code buffer.memory} 32 MiB, no compression).
   */
  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    properties.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(properties);
  }

  // ---------------------------------------------------------------- measuring

  /**
   * Writes at the most producer threads in rounds until the serving process's JIT compilers were
   * busy less than {@link JitWarmUp#QUIET_SHARE} of a round; returns the rows acknowledged.
   */
  private long warmUp(Side side, long pid, WriteLoop.RowSink sink) throws Exception {
    log(side.label + ": warming up");
    int threads = settings.threads().get(settings.threads().size() - 1);
    double[] compiled = JitWarmUp.compiled(pid);
    long acknowledged = 0;
    int round = 1;
    for (; round <= settings.warmUpMaxRounds(); round++) {
      WriteLoop.Result result =
          WriteLoop.run(sink, threads, settings.warmUpRound(), 0, Long.MAX_VALUE, (s, t) -> {});
      acknowledged += result.acknowledged();
      double[] now = JitWarmUp.compiled(pid);
      double share = (now[1] - compiled[1]) / Math.max(result.seconds(), 1e-3);
      log(
          String.format(
              "warm-up round %d: %d rows, %.0f methods compiled, compiler busy %.1f%%",
              round, result.acknowledged(), now[0] - compiled[0], 100 * share));
      compiled = now;
      if (share < JitWarmUp.QUIET_SHARE) {
        break;
      }
    }
    int rounds = Math.min(round, settings.warmUpMaxRounds());
    warmUps.put(side.label, rounds + (round > settings.warmUpMaxRounds() ? " (the limit)" : ""));
    return acknowledged;
  }

  private Measurement measure(Side side, int threads, long pid, WriteLoop.RowSink sink)
      throws Exception {
    long self = ProcessHandle.current().pid();
    CpuSample serverBefore = CpuSample.take(pid);
    CpuSample clientBefore = CpuSample.take(self);
    WriteLoop.Result result =
        WriteLoop.run(sink, threads, settings.duration(), 0, Long.MAX_VALUE, (s, t) -> {});
    CpuSample serverAfter = CpuSample.take(pid);
    CpuSample clientAfter = CpuSample.take(self);
    double rows = Math.max(1, result.acknowledged());
    Measurement m =
        new Measurement(
            side,
            result,
            1000 * (serverAfter.processMillis() - serverBefore.processMillis()) / rows,
            1000 * (clientAfter.processMillis() - clientBefore.processMillis()) / rows,
            serverAfter.busyShare(serverBefore),
            serverAfter.othersShare(serverBefore));
    writes.add(m);
    log(
        String.format(
            "%-24s threads=%-2d %9d ok %5d failed %6.2f s %9.0f rows/s ack p50 %7.2f ms"
                + " p99 %7.2f ms server %6.2f us/row client %6.2f us/row busy %3.0f%%"
                + " others %3.0f%%",
            side.label,
            threads,
            result.acknowledged(),
            result.failed(),
            result.seconds(),
            result.rowsPerSecond(),
            result.latencies().millis(0.5),
            result.latencies().millis(0.99),
            m.serverMicrosPerRow(),
            m.clientMicrosPerRow(),
            100 * m.machineBusy(),
            100 * m.othersBusy()));
    if (result.firstError() != null) {
      log("  first error: " + result.firstError());
      notes.add(
          side.label
              + ", "
              + threads
              + " threads: "
              + result.failed()
              + " rows failed, the first: "
              + IngestBench.abbreviate(result.firstError().toString()));
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
      notes.add(IngestBench.abbreviate(message));
    }
  }

  @FunctionalInterface
  private interface Phase {
    void run() throws Exception;
  }

  static void log(String line) {
    System.out.println("[client] " + line);
  }

  // ---------------------------------------------------------------- model

  /** Who takes the rows. */
  enum Side {
    SLUICE("Sluice TableWriter"),
    KAFKA_DEFAULT("Kafka, default flush"),
    KAFKA_FSYNC("Kafka, fsync per append");

    final String label;

    Side(String label) {
      this.label = label;
    }
  }

  /**
   * One write scenario's result.
   *
   * @param serverMicrosPerRow CPU time of the serving process (server or broker) per row
   * @param clientMicrosPerRow CPU time of the harness's JVM (the producer threads and the client
   *     library) per row
   * @param machineBusy share of all cores' time not idle, 0 to 1
   * @param othersBusy share of all cores' time used by processes outside the benchmark, 0 to 1
   */
  record Measurement(
      Side side,
      WriteLoop.Result result,
      double serverMicrosPerRow,
      double clientMicrosPerRow,
      double machineBusy,
      double othersBusy) {}

  /**
   * One follow scenario's result.
   *
   * @param pacedRowsPerSecond the rate the producers wrote at, 0 for as fast as they could
   * @param delivered distinct rows of the run that {@code poll} returned
   * @param duplicates rows returned more than once
   * @param missing acknowledged rows never returned
   * @param early rows returned before their acknowledgement arrived (counted at 0 latency)
   * @param elapsedNanos from the producers' start to the last delivery
   * @param latencies from each row's acknowledgement to the return of the poll that delivered it
   */
  record Follow(
      int threads,
      double pacedRowsPerSecond,
      WriteLoop.Result written,
      long delivered,
      long duplicates,
      long missing,
      long early,
      long elapsedNanos,
      Latencies latencies,
      Throwable error,
      double machineBusy,
      double othersBusy) {

    double rowsPerSecond() {
      return elapsedNanos == 0 ? 0 : delivered / (elapsedNanos / 1e9);
    }
  }

  /**
   * The run's settings, from system properties: {@code client.threads} (1,8: producer threads
   * sharing one writer or producer), {@code client.seconds} (10: how long the producers write in a
   * measurement), {@code client.warmup.seconds} (5: a warm-up round), {@code
   * client.warmup.max-rounds} (12), {@code client.follow.threads} (1: producer threads while the
   * reader follows), {@code client.follow.rates} (0,10000: rows a second the producers write while
   * it follows, 0 for as fast as they can), {@code client.follow.max-rows} (5000000: the most rows
   * a follow run writes), {@code client.only} (sluice,kafka); {@code ingest.root}, {@code
   * ingest.server.jar} as for {@link IngestBench}, {@code client.work} (bench/target/client-work).
   * The first argument, if any, is the report path.
   */
  record Settings(
      List<Integer> threads,
      Duration duration,
      Duration warmUpRound,
      int warmUpMaxRounds,
      List<Integer> followThreads,
      List<Double> followRates,
      int followMaxRows,
      Path work,
      Path serverJar,
      List<String> only,
      Path report) {

    static Settings fromSystemProperties(String[] args) {
      Path root = Path.of(System.getProperty("ingest.root", "")).toAbsolutePath().normalize();
      return new Settings(
          integers(System.getProperty("client.threads", "1,8")),
          seconds(System.getProperty("client.seconds", "10")),
          seconds(System.getProperty("client.warmup.seconds", "5")),
          Integer.getInteger("client.warmup.max-rounds", 12),
          integers(System.getProperty("client.follow.threads", "1")),
          Arrays.stream(System.getProperty("client.follow.rates", "0,10000").split(","))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .map(Double::valueOf)
              .toList(),
          Integer.getInteger("client.follow.max-rows", 5_000_000),
          root.resolve(System.getProperty("client.work", "bench/target/client-work")),
          root.resolve(
              System.getProperty(
                  "ingest.server.jar", "local-server/target/quarkus-app/quarkus-run.jar")),
          Arrays.stream(System.getProperty("client.only", "sluice,kafka").split(","))
              .map(String::trim)
              .toList(),
          args.length > 0
              ? Path.of(args[0]).toAbsolutePath()
              : root.resolve("bench/reports/client.md"));
    }

    boolean runs(String side) {
      return only.contains(side);
    }

    /** The file system the embedded store and Kafka's log write to. */
    String fileSystem() {
      return MachineInfo.fileSystem(work);
    }

    private static List<Integer> integers(String list) {
      return Arrays.stream(list.split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .map(Integer::valueOf)
          .sorted()
          .toList();
    }

    private static Duration seconds(String value) {
      return Duration.ofMillis((long) (1000 * Double.parseDouble(value)));
    }
  }
}
