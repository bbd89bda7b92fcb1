package io.sluice.bench.ingest;

import io.sluice.bench.MachineInfo;
import io.sluice.bench.MarkdownReport;
import io.sluice.bench.ingest.IngestBench.Measurement;
import io.sluice.bench.ingest.IngestBench.Settings;
import io.sluice.bench.ingest.IngestBench.Side;
import io.sluice.bench.ingest.IngestBench.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.AppInfoParser;

/** Writes {@code ingest.md} (and {@code ingest.csv} beside it) from a run's measurements. */
final class IngestReport extends MarkdownReport {
  private static final double AIM_RAW_PUT = 0.5;
  private static final double AIM_RAW_S3_PUT = 0.6;
  private static final double AIM_KAFKA_FSYNC = 1.0;
  private static final double AIM_KAFKA_DEFAULT = 0.6;
  private static final double AIM_JSON_OF_ARROW = 0.6;
  private static final double AIM_CPU_OF_KAFKA = 1.5;

  private final Settings settings;
  private final IngestPayload payload;
  private final List<Measurement> results;
  private String startLoad = "unknown";
  private Map<String, String> warmUps = Map.of();
  private List<IngestCost.Counts> costs = List.of();

  private IngestReport(Settings settings, IngestPayload payload, List<Measurement> results) {
    this.settings = settings;
    this.payload = payload;
    this.results = results;
  }

  static void write(
      Settings settings,
      IngestPayload payload,
      List<Measurement> results,
      List<IngestCost.Counts> costs,
      List<String> notes,
      Map<String, String> warmUps,
      Duration took,
      String startLoad)
      throws IOException {
    IngestReport report = new IngestReport(settings, payload, results);
    report.startLoad = startLoad;
    report.warmUps = warmUps;
    report.costs = costs;
    String markdown = report.markdown(notes, took);
    Files.createDirectories(settings.report().getParent());
    Files.writeString(settings.report(), markdown);
    String name = settings.report().getFileName().toString().replaceFirst("\\.md$", "");
    Files.writeString(settings.report().resolveSibling(name + ".csv"), report.csv());
  }

  private String markdown(List<String> notes, Duration took) {
    line("# Ingest benchmark");
    line();
    line(
        MachineInfo.writtenBy("run-ingest-bench.sh", IngestBench.class, took)
            + " Rerun from the repository root with `bench/run-ingest-bench.sh` (it builds the"
            + " local server and this module, then runs the harness; about 15 minutes). The same"
            + " numbers as CSV: `ingest.csv` beside this file.");
    line();
    machine();
    setup();
    results();
    ratios();
    aims();
    durability();
    interpretation();
    profiles();
    new CostModel(payload, costs, results).write(this::line);
    line("## Checks and failures");
    line();
    if (notes.isEmpty()) {
      line("None.");
    }
    notes.forEach(n -> line("- " + n));
    line();
    return out.toString();
  }

  // ---------------------------------------------------------------- sections

  private void machine() {
    line("## Machine");
    line();
    line("| what | value |");
    line("| --- | --- |");
    out.append(MachineInfo.markdownRows());
    line("| file system of every local store | " + settings.fileSystem() + " |");
    line("| load average (1, 5, 15 min) at the start | " + startLoad + " |");
    line("| load average at the end | " + MachineInfo.loadAverage() + " |");
    line();
    line(
        "Everything runs on this one machine: the load clients, the local server, the stand-ins"
            + " (s3proxy in the harness's JVM, dynalite in Node.js) and the Kafka broker compete"
            + " for the same cores.");
    line();
  }

  private void setup() {
    line("## What was measured");
    line();
    line(
        String.format(
            Locale.ROOT,
            "- **Payload.** One request carries %d rows of a 10-column log table (bigint `id`,"
                + " string `customer`, `decimal(12,2)`, `timestamp`, `int`, `double`, `boolean`,"
                + " `date`, 16-48 random bytes of `binary`, a low-cardinality `status`; a few"
                + " nulls), built from a fixed seed: the JSON body is **%,d bytes** (%d per row),"
                + " the Arrow IPC stream body (one uncompressed record batch) **%,d bytes**, and the"
                + " segment a write of it stores (ZSTD) **%,d bytes**. Every request sends the same"
                + " bytes.",
            payload.rows(),
            payload.json().length,
            payload.json().length / payload.rows(),
            payload.arrow().length,
            payload.segment().length));
    line(
        "- **Sluice.** `POST /v1/tables/bench_json/rows` (`application/json`) and"
            + " `/v1/tables/bench_arrow/rows` (`application/vnd.apache.arrow.stream`) against"
            + " `local-server/target/quarkus-app/quarkus-run.jar` started as its own JVM (default"
            + " heap), once on embedded defaults (local files under the data directory, SQLite)"
            + " and once on s3proxy (in memory) + dynalite (in memory). The table has no bucket"
            + " key and 4 buckets (`\"bucketKey\": []`, no lake formats): each write goes whole to"
            + " one bucket, so a write is one segment upload and one bucket's commit. Clients:"
            + " `java.net.http.HttpClient` over HTTP/1.1, one client (one connection) per"
            + " concurrent client; a request counts when its 200 answer with `rows` = "
            + payload.rows()
            + " has arrived.");
    line(
        "- **Raw put baseline.** `ObjectStore.putIfAbsent(key, segment)` of the very segment"
            + " bytes above (encoded with core's `SegmentWriter`, as a write produces them) under a"
            + " fresh key per put, in the harness's JVM: `LocalObjectStore` (the embedded store:"
            + " temp file, fsync, hard link, directory fsync) for the embedded target, and"
            + " `S3ObjectStore` on the same in-process s3proxy for the s3 target.");
    line(
        "- **Kafka baseline.** Apache Kafka "
            + AppInfoParser.getVersion()
            + " (`org.apache.kafka:kafka_2.13` from Maven Central), one KRaft node (broker and"
            + " controller in one process, `kafka.tools.StorageTool format` then `kafka.Kafka"
            + " server.properties`, the JVM options of `kafka-server-start.sh`: `-Xms1G -Xmx1G`"
            + " G1) on loopback, its log on the same file system. Topic `bench-default`: 4"
            + " partitions, every flush setting at Kafka's default (no fsync on the write path)."
            + " Topic `bench-fsync`: the same with `flush.messages=1`, the topic-level form of"
            + " `log.flush.interval.messages=1`: the broker fsyncs the partition log after every"
            + " append, before it acknowledges. Producers: `kafka-clients`, one `KafkaProducer`"
            + " per concurrent client, `acks=all`, idempotence on, `linger.ms=0`, no"
            + " compression; **each request is one record whose value is the Arrow body** (the"
            + " same bytes Sluice's Arrow clients send), sent and waited for (`send().get()`).");
    line(
        String.format(
            Locale.ROOT,
            "- **Load.** Closed loop: each client has one request in flight. A scenario runs at"
                + " %s clients for %d s (embedded Arrow also at %s clients, to show"
                + " back-pressure). Each side first warms up at 4 clients in rounds of %d s until"
                + " the serving process's JIT compilers were busy less than %.0f%% of a round"
                + " (`jstat -compiler`), at most %d rounds, not counted (rounds taken: %s)."
                + " Failed requests are counted apart and left out of throughput and latency; a"
                + " 429 `OVERLOADED` answer is counted as refused (column `429`), and its client"
                + " waits as `Retry-After` says (at most 1 s) before it sends again.",
            String.join(", ", settings.clients().stream().map(String::valueOf).toList()),
            settings.duration().toSeconds(),
            String.join(", ", settings.floodClients().stream().map(String::valueOf).toList()),
            JitWarmUp.ROUND.toSeconds(),
            100 * JitWarmUp.QUIET_SHARE,
            JitWarmUp.MAX_ROUNDS,
            warmUps.isEmpty()
                ? "none"
                : String.join(
                    "; ",
                    warmUps.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .toList())));
    line(
        "- **Bare SQLite commit.** One row replaced in one transaction of the embedded metadata"
            + " store (`SqliteMetadataStore.putSweepState`: WAL, `synchronous=FULL`), one client,"
            + " in the harness's JVM: the floor of any synced metadata commit on this disk.");
    line(
        "- **Columns.** `MB/s` is the bytes each request carries (JSON or Arrow body; segment for"
            + " raw puts; record value for Kafka) times acknowledged requests per second, in 10^6"
            + " bytes. `rows/s` counts the rows those bytes hold. `p50`/`p99`: acknowledgement"
            + " latency as the client sees it, from sending to the answer (nearest rank)."
            + " `CPU ms/req`: CPU time of the serving process (server, broker; for raw puts the"
            + " harness JVM, with s3proxy in it) per request. `busy`: share of the machine's"
            + " total CPU time (all cores) that was not idle; `others`: the part of it used by"
            + " processes that are not the benchmark's (this JVM and what it started), such as"
            + " other builds on the machine: where it is more than a few percent, that row is"
            + " disturbed.");
    line();
  }

  private void results() {
    line("## Results");
    line();
    for (Target target : Target.values()) {
      List<Measurement> rows = results.stream().filter(m -> m.target() == target).toList();
      if (rows.isEmpty()) {
        continue;
      }
      line(
          "### "
              + switch (target) {
                case EMBEDDED -> "Embedded defaults (local files + SQLite), and the raw local put";
                case S3 -> "s3proxy + dynalite, and the raw put to s3proxy";
                case KAFKA ->
                    "Kafka " + AppInfoParser.getVersion() + ", single KRaft node, acks=all";
              });
      line();
      line(
          "| side | clients | requests | errors | 429 | s | req/s | rows/s | MB/s | p50 ms |"
              + " p99 ms | CPU ms/req | busy | others |");
      line(
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
              + " ---: | ---: |");
      for (Measurement m : rows) {
        line(
            String.format(
                Locale.ROOT,
                "| %s | %d | %d | %d | %d | %.1f | %.1f | %,.0f | %.1f | %.1f | %.1f | %.2f |"
                    + " %.0f%% | %.0f%% |",
                m.side().label,
                m.clients(),
                m.result().ok(),
                m.result().errors(),
                m.result().refused(),
                m.result().seconds(),
                m.result().requestsPerSecond(),
                m.rowsPerSecond(),
                m.megabytesPerSecond(),
                m.result().latencyMillis(0.5),
                m.result().latencyMillis(0.99),
                m.cpuMillisPerRequest(),
                100 * m.machineBusy(),
                100 * m.othersBusy()));
      }
      line();
    }
  }

  private void ratios() {
    line("## Ratios");
    line();
    line(
        "Sluice's rows/s divided by the baseline's rows/s at the same number of clients (every"
            + " side moves the same rows per request, so this is also the ratio of requests per"
            + " second). The aims are in the last row.");
    line();
    List<Ratio> ratios = ratioColumns();
    StringBuilder header = new StringBuilder("| clients |");
    StringBuilder rule = new StringBuilder("| ---: |");
    for (Ratio r : ratios) {
      header.append(' ').append(r.title()).append(" |");
      rule.append(" ---: |");
    }
    line(header.toString());
    line(rule.toString());
    for (int clients : settings.clients()) {
      StringBuilder row = new StringBuilder("| " + clients + " |");
      for (Ratio r : ratios) {
        double value = ratio(r, clients);
        row.append(' ').append(format(value, r.aim())).append(" |");
      }
      line(row.toString());
    }
    StringBuilder aims = new StringBuilder("| aim |");
    for (Ratio r : ratios) {
      aims.append(' ')
          .append(r.aim() > 0 ? String.format(Locale.ROOT, ">= %.1fx", r.aim()) : "")
          .append(" |");
    }
    line(aims.toString());
    line();
    line(
        "A ratio in **bold** meets its aim. Embedded Sluice vs Kafka with an fsync per message is"
            + " the like-for-like comparison of durability (both acknowledge only what is on"
            + " disk); vs Kafka's default it is not (see below).");
    line();
  }

  private void durability() {
    line("## Durability of each side when it acknowledges");
    line();
    line(
        "- **Sluice, embedded defaults**: the segment file is fsynced and hard-linked into place"
            + " and its directory fsynced, then the group's plan, slices and completion are"
            + " committed to SQLite in one transaction, in WAL mode with `synchronous=FULL` (the"
            + " commit syncs the WAL): an acknowledged write survives a process crash and a power"
            + " cut on this one disk. No replication.");
    line(
        "- **Sluice on s3proxy + dynalite**: both stand-ins keep everything in memory, so nothing"
            + " survives their restart; the protocol is the production one (conditional put of"
            + " the segment, then conditional DynamoDB writes), which on real S3 and DynamoDB"
            + " acknowledges only what is stored redundantly across availability zones. These"
            + " numbers measure the protocol's cost on loopback, not S3's latency.");
    line(
        "- **Raw put, local**: the same as Sluice's segment upload (temp file, fsync, hard link,"
            + " directory fsync); survives a power cut. Nothing is indexed or committed: the"
            + " object is not readable as rows of a table. **Raw put, s3proxy**: in memory.");
    line(
        "- **Kafka, default flush**: with `acks=all` and a single replica (min ISR 1) the leader"
            + " acknowledges once the batch is in its log in the page cache, not fsynced; it"
            + " survives a broker process crash (the OS still holds the pages) but not a power cut"
            + " or kernel crash; Kafka's durability normally comes from replication, which one"
            + " node does not have.");
    line(
        "- **Kafka, fsync per message** (`flush.messages=1`): the partition log (and its"
            + " indexes) are fsynced before the acknowledgement: survives a power cut on this one"
            + " disk, like embedded Sluice. No replication.");
    line();
  }

  /** The aims that are not ratios of throughput: CPU per request and latency at one client. */
  private void aims() {
    line("## CPU and latency aims");
    line();
    line("| aim | measured | met |");
    line("| --- | --- | --- |");
    for (int clients : settings.clients()) {
      Optional<Measurement> arrow = find(Target.EMBEDDED, Side.SLUICE_ARROW, clients);
      Optional<Measurement> kafka = find(Target.KAFKA, Side.KAFKA_FSYNC, clients);
      if (arrow.isPresent() && kafka.isPresent()) {
        double ratio = arrow.get().cpuMillisPerRequest() / kafka.get().cpuMillisPerRequest();
        line(
            String.format(
                Locale.ROOT,
                "| server CPU per Arrow request ≤ %.1fx the broker's CPU per record (fsync), %d"
                    + " clients | %.2f ms vs %.2f ms: %.2fx | %s |",
                AIM_CPU_OF_KAFKA,
                clients,
                arrow.get().cpuMillisPerRequest(),
                kafka.get().cpuMillisPerRequest(),
                ratio,
                ratio <= AIM_CPU_OF_KAFKA ? "**yes**" : "no"));
      }
    }
    int one = minClients();
    Optional<Measurement> arrow = find(Target.EMBEDDED, Side.SLUICE_ARROW, one);
    Optional<Measurement> raw = find(Target.EMBEDDED, Side.RAW_PUT, one);
    Optional<Measurement> bare = find(Target.EMBEDDED, Side.BARE_COMMIT, one);
    if (arrow.isPresent() && raw.isPresent() && bare.isPresent()) {
      double bound =
          2 * (raw.get().result().latencyMillis(0.99) + bare.get().result().latencyMillis(0.99));
      double p99 = arrow.get().result().latencyMillis(0.99);
      line(
          String.format(
              Locale.ROOT,
              "| embedded Arrow p99 at %d client ≤ 2 x (raw put p99 + bare SQLite commit p99) |"
                  + " %.1f ms vs 2 x (%.1f + %.1f) = %.1f ms | %s |",
              one,
              p99,
              raw.get().result().latencyMillis(0.99),
              bare.get().result().latencyMillis(0.99),
              bound,
              p99 <= bound ? "**yes**" : "no"));
    }
    for (int clients : settings.floodClients()) {
      find(Target.EMBEDDED, Side.SLUICE_ARROW, clients)
          .ifPresent(
              m ->
                  line(
                      String.format(
                          Locale.ROOT,
                          "| %d clients: no errors but 429s, latency bounded | %d errors, %d"
                              + " refused (429), p99 %.0f ms | %s |",
                          clients,
                          m.result().errors(),
                          m.result().refused(),
                          m.result().latencyMillis(0.99),
                          m.result().errors() == 0 ? "**yes**" : "no")));
    }
    line();
  }

  private void interpretation() {
    line("## Interpretation");
    line();
    for (Ratio r : ratioColumns()) {
      if (r.aim() <= 0) {
        continue;
      }
      List<String> met = new ArrayList<>();
      List<String> missed = new ArrayList<>();
      double best = Double.NaN;
      int bestAt = 0;
      for (int clients : settings.clients()) {
        double value = ratio(r, clients);
        if (Double.isNaN(value)) {
          continue;
        }
        (value >= r.aim() ? met : missed)
            .add(String.format(Locale.ROOT, "%.2fx at %d", value, clients) + skew(r, clients));
        if (Double.isNaN(best) || value > best) {
          best = value;
          bestAt = clients;
        }
      }
      if (met.isEmpty() && missed.isEmpty()) {
        line("- " + r.title() + ": not measured.");
        continue;
      }
      line(
          "- "
              + r.title()
              + ": "
              + (missed.isEmpty()
                  ? "the aim (>= "
                      + r.aim()
                      + "x) is met at every concurrency ("
                      + String.join(", ", met)
                      + " clients)."
                  : met.isEmpty()
                      ? "the aim (>= "
                          + r.aim()
                          + "x) is **not met** at any concurrency ("
                          + String.join(", ", missed)
                          + " clients)."
                      : "the aim (>= "
                          + r.aim()
                          + "x) is met at "
                          + String.join(", ", met)
                          + " clients and missed at "
                          + String.join(", ", missed)
                          + " clients.")
              + String.format(Locale.ROOT, " Best: %.2fx at %d clients.", best, bestAt));
    }
    for (Target target : List.of(Target.EMBEDDED, Target.S3)) {
      for (int clients : settings.clients()) {
        Optional<Measurement> json = find(target, Side.SLUICE_JSON, clients);
        Optional<Measurement> arrow = find(target, Side.SLUICE_ARROW, clients);
        if (json.isPresent() && arrow.isPresent() && clients == maxClients()) {
          line(
              String.format(
                  Locale.ROOT,
                  "- %s, %d clients: Arrow bodies move %.2fx the rows/s of JSON bodies; the server"
                      + " spends %.1f ms of CPU per JSON request and %.1f ms per Arrow request.",
                  target.label,
                  clients,
                  arrow.get().rowsPerSecond() / json.get().rowsPerSecond(),
                  json.get().cpuMillisPerRequest(),
                  arrow.get().cpuMillisPerRequest()));
        }
      }
    }
    line(
        "- This machine has "
            + Runtime.getRuntime().availableProcessors()
            + " cores shared by everything in the run: where `busy` is near 100%, a scenario is"
            + " bound by CPU, and the load clients' own work (building requests, reading answers;"
            + " for s3 also s3proxy, in the harness's JVM) is taken from the server. Raw puts run"
            + " in-process without HTTP, JSON or commit, so they get more of the machine than any"
            + " side that has to cross a process boundary. Read the ratios, not the absolute"
            + " numbers, and expect noise between runs (one run per scenario, 10 s long).");
    Optional<Measurement> raw = find(Target.EMBEDDED, Side.RAW_PUT, minClients());
    Optional<Measurement> fsync = find(Target.KAFKA, Side.KAFKA_FSYNC, minClients());
    Optional<Measurement> arrow = find(Target.EMBEDDED, Side.SLUICE_ARROW, minClients());
    if (raw.isPresent() && fsync.isPresent() && arrow.isPresent()) {
      line(
          String.format(
              Locale.ROOT,
              "- Synced writes: at %d client a raw local put (one file fsync, one directory"
                  + " fsync) takes %.1f ms at p50 on this disk, a Kafka append with"
                  + " `flush.messages=1` %.1f ms, and an embedded Sluice Arrow write %.1f ms; the"
                  + " Sluice write syncs the segment and its directory, then commits its group's"
                  + " plan, slices and completion in one SQLite transaction (one WAL sync).",
              minClients(),
              raw.get().result().latencyMillis(0.5),
              fsync.get().result().latencyMillis(0.5),
              arrow.get().result().latencyMillis(0.5)));
    }
    Optional<Measurement> arrowTop = find(Target.EMBEDDED, Side.SLUICE_ARROW, maxClients());
    Optional<Measurement> rawTop = find(Target.EMBEDDED, Side.RAW_PUT, maxClients());
    Optional<Measurement> kafkaTop = find(Target.KAFKA, Side.KAFKA_DEFAULT, maxClients());
    Optional<Measurement> fsyncTop = find(Target.KAFKA, Side.KAFKA_FSYNC, maxClients());
    if (arrowTop.isPresent()
        && kafkaTop.isPresent()
        && fsyncTop.isPresent()
        && rawTop.isPresent()) {
      int cores = Runtime.getRuntime().availableProcessors();
      line(
          String.format(
              Locale.ROOT,
              "- CPU per request at %d clients: the embedded server spends %.1f ms on an Arrow"
                  + " write, the Kafka broker %.1f ms (default) and %.1f ms (fsync) on the same"
                  + " bytes, a raw local put %.1f ms. With all %d cores to itself the server"
                  + " could not exceed about %.0f Arrow writes/s (%,.0f rows/s); the broker's"
                  + " ceiling is about %.0f records/s.",
              maxClients(),
              arrowTop.get().cpuMillisPerRequest(),
              kafkaTop.get().cpuMillisPerRequest(),
              fsyncTop.get().cpuMillisPerRequest(),
              rawTop.get().cpuMillisPerRequest(),
              cores,
              1000.0 * cores / arrowTop.get().cpuMillisPerRequest(),
              1000.0 * cores / arrowTop.get().cpuMillisPerRequest() * payload.rows(),
              1000.0 * cores / kafkaTop.get().cpuMillisPerRequest()));
    }
    double worstOthers =
        results.stream()
            .mapToDouble(Measurement::othersBusy)
            .filter(v -> !Double.isNaN(v))
            .max()
            .orElse(0);
    if (worstOthers > 0.1) {
      line(
          String.format(
              Locale.ROOT,
              "- **Other processes used up to %.0f%% of the machine during a scenario** (column"
                  + " `others`): those rows measure a shared machine, not the benchmark alone;"
                  + " rerun on a quiet machine before reading much into them.",
              100 * worstOthers));
    }
    line();
  }

  /**
   * Where the server's CPU went at 16 clients before and after the write-path work, from the
   * profile reports beside this one (bench/run-ingest-profile.sh before|after, and -json).
   */
  private void profiles() {
    line("## Where the server's CPU goes (JFR, 16 clients)");
    line();
    line(
        "Execution samples of the embedded server's Java code by component, from"
            + " `bench/run-ingest-profile.sh` (each report beside this one says how it was made);"
            + " \"before\" is the code before group commit. JFR samples Java frames only: native"
            + " work (ZSTD, fsync, SQLite's engine, socket I/O) and the JVM's own threads (JIT,"
            + " GC) are not in these shares, but they are in the CPU per request.");
    line();
    Path dir = settings.report().getParent();
    for (String body : List.of("", "-json")) {
      Optional<Profile> before = Profile.read(dir.resolve("ingest-profile-before" + body + ".md"));
      Optional<Profile> after = Profile.read(dir.resolve("ingest-profile-after" + body + ".md"));
      if (before.isEmpty() || after.isEmpty()) {
        line("- " + (body.isEmpty() ? "Arrow" : "JSON") + " bodies: no before and after profile.");
        continue;
      }
      line(
          "**"
              + (body.isEmpty() ? "Arrow" : "JSON")
              + " bodies.** Before: "
              + before.get().summary()
              + ". After: "
              + after.get().summary()
              + ".");
      line();
      line("| component | before | after |");
      line("| --- | ---: | ---: |");
      Set<String> components = new LinkedHashSet<>(after.get().shares().keySet());
      components.addAll(before.get().shares().keySet());
      for (String component : components) {
        line(
            "| "
                + component
                + " | "
                + before.get().shares().getOrDefault(component, "-")
                + " | "
                + after.get().shares().getOrDefault(component, "-")
                + " |");
      }
      line();
    }
  }

  /** A profile report's requests line and its shares by component. */
  private record Profile(String summary, Map<String, String> shares) {
    static Optional<Profile> read(Path file) {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      try {
        String summary = "";
        Map<String, String> shares = new LinkedHashMap<>();
        for (String row : Files.readAllLines(file)) {
          if (row.startsWith("Requests: ")) {
            summary = row.substring("Requests: ".length()).replaceFirst(";.*?$", "");
            int cpu = row.indexOf("server CPU ");
            if (cpu >= 0) {
              summary += ", " + row.substring(cpu, row.indexOf(';', cpu));
            }
          }
          String[] cells = row.split("\\|");
          if (cells.length == 4 && cells[3].trim().endsWith("%")) {
            shares.put(cells[1].trim(), cells[3].trim());
          }
        }
        return Optional.of(new Profile(summary, shares));
      } catch (IOException e) {
        return Optional.empty();
      }
    }
  }

  private String csv() {
    StringBuilder csv =
        new StringBuilder(
            "target,side,clients,requests,errors,seconds,requests_per_s,rows_per_s,mb_per_s,"
                + "p50_ms,p99_ms,cpu_ms_per_request,machine_busy,others_busy,bytes_per_request\n");
    for (Measurement m : results) {
      csv.append(
          String.format(
              Locale.ROOT,
              "%s,%s,%d,%d,%d,%.3f,%.2f,%.0f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%d%n",
              m.target().name().toLowerCase(Locale.ROOT),
              m.side().name().toLowerCase(Locale.ROOT),
              m.clients(),
              m.result().ok(),
              m.result().errors(),
              m.result().seconds(),
              m.result().requestsPerSecond(),
              m.rowsPerSecond(),
              m.megabytesPerSecond(),
              m.result().latencyMillis(0.5),
              m.result().latencyMillis(0.99),
              m.cpuMillisPerRequest(),
              m.machineBusy(),
              m.othersBusy(),
              m.bytesPerRequest()));
    }
    return csv.toString();
  }

  // ---------------------------------------------------------------- ratios

  private record Ratio(
      String title, Target target, Side side, Target baseTarget, Side baseSide, double aim) {}

  private static List<Ratio> ratioColumns() {
    return List.of(
        new Ratio(
            "Arrow, embedded ÷ raw local put",
            Target.EMBEDDED,
            Side.SLUICE_ARROW,
            Target.EMBEDDED,
            Side.RAW_PUT,
            AIM_RAW_PUT),
        new Ratio(
            "Arrow, s3proxy+dynalite ÷ raw s3proxy put",
            Target.S3,
            Side.SLUICE_ARROW,
            Target.S3,
            Side.RAW_PUT,
            AIM_RAW_S3_PUT),
        new Ratio(
            "Arrow, embedded ÷ Kafka default",
            Target.EMBEDDED,
            Side.SLUICE_ARROW,
            Target.KAFKA,
            Side.KAFKA_DEFAULT,
            AIM_KAFKA_DEFAULT),
        new Ratio(
            "Arrow, embedded ÷ Kafka fsync",
            Target.EMBEDDED,
            Side.SLUICE_ARROW,
            Target.KAFKA,
            Side.KAFKA_FSYNC,
            AIM_KAFKA_FSYNC),
        new Ratio(
            "JSON ÷ Arrow, embedded",
            Target.EMBEDDED,
            Side.SLUICE_JSON,
            Target.EMBEDDED,
            Side.SLUICE_ARROW,
            AIM_JSON_OF_ARROW),
        new Ratio(
            "Arrow, s3proxy+dynalite ÷ Kafka default",
            Target.S3,
            Side.SLUICE_ARROW,
            Target.KAFKA,
            Side.KAFKA_DEFAULT,
            0),
        new Ratio(
            "JSON, embedded ÷ raw local put",
            Target.EMBEDDED,
            Side.SLUICE_JSON,
            Target.EMBEDDED,
            Side.RAW_PUT,
            0),
        new Ratio(
            "JSON, embedded ÷ Kafka fsync",
            Target.EMBEDDED,
            Side.SLUICE_JSON,
            Target.KAFKA,
            Side.KAFKA_FSYNC,
            0));
  }

  private double ratio(Ratio r, int clients) {
    Optional<Measurement> side = find(r.target(), r.side(), clients);
    Optional<Measurement> base = find(r.baseTarget(), r.baseSide(), clients);
    if (side.isEmpty() || base.isEmpty() || base.get().rowsPerSecond() == 0) {
      return Double.NaN;
    }
    return side.get().rowsPerSecond() / base.get().rowsPerSecond();
  }

  /**
   * A warning when other processes took very different shares of the machine from the two sides.
   */
  private String skew(Ratio r, int clients) {
    Optional<Measurement> side = find(r.target(), r.side(), clients);
    Optional<Measurement> base = find(r.baseTarget(), r.baseSide(), clients);
    if (side.isEmpty() || base.isEmpty()) {
      return "";
    }
    double a = side.get().othersBusy();
    double b = base.get().othersBusy();
    if (Double.isNaN(a) || Double.isNaN(b) || Math.abs(a - b) < 0.2) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        " (unequal disturbance: others %.0f%% during Sluice, %.0f%% during the baseline)",
        100 * a,
        100 * b);
  }

  private static String format(double value, double aim) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    String text = String.format(Locale.ROOT, "%.2fx", value);
    return aim > 0 && value >= aim ? "**" + text + "**" : text;
  }

  private Optional<Measurement> find(Target target, Side side, int clients) {
    return results.stream()
        .filter(m -> m.target() == target && m.side() == side && m.clients() == clients)
        .findFirst();
  }

  private int minClients() {
    return settings.clients().get(0);
  }

  private int maxClients() {
    return settings.clients().get(settings.clients().size() - 1);
  }
}
