package io.sluice.bench.ingest;

import io.sluice.bench.MachineInfo;
import io.sluice.bench.MarkdownReport;
import io.sluice.bench.ingest.ClientBench.Follow;
import io.sluice.bench.ingest.ClientBench.Measurement;
import io.sluice.bench.ingest.ClientBench.Settings;
import io.sluice.bench.ingest.ClientBench.Side;
import io.sluice.client.WriterOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.utils.AppInfoParser;

/** Writes {@code client.md} from a client benchmark run's measurements. */
final class ClientReport extends MarkdownReport {
  /** Sluice's rows/s over Kafka's with an fsync per append, at the same producer threads. */
  private static final double AIM_KAFKA_FSYNC = 1.0;

  /** A scenario in which other processes took more of the machine than this is disturbed. */
  private static final double QUIET_OTHERS = 0.1;

  private final Settings settings;
  private final List<Measurement> writes;
  private final List<Follow> follows;

  private ClientReport(Settings settings, List<Measurement> writes, List<Follow> follows) {
    this.settings = settings;
    this.writes = writes;
    this.follows = follows;
  }

  static void write(
      Settings settings,
      List<Measurement> writes,
      List<Follow> follows,
      List<String> notes,
      Map<String, String> warmUps,
      Duration took,
      String startLoad)
      throws IOException {
    ClientReport report = new ClientReport(settings, writes, follows);
    String markdown = report.markdown(notes, warmUps, took, startLoad);
    Files.createDirectories(settings.report().getParent());
    Files.writeString(settings.report(), markdown);
  }

  private String markdown(
      List<String> notes, Map<String, String> warmUps, Duration took, String startLoad) {
    line("# Client benchmark");
    line();
    line(
        MachineInfo.writtenBy("run-client-bench.sh", ClientBench.class, took)
            + " Rerun from the repository root with `bench/run-client-bench.sh` (it builds the"
            + " local server and this module, then runs the harness; 5 to 10 minutes).");
    line();
    machine(startLoad);
    setup(warmUps);
    writeResults();
    ratios();
    followResults();
    durability();
    quietness();
    line("## Checks and failures");
    line();
    if (notes.isEmpty()) {
      line("None.");
    }
    notes.forEach(n -> line("- " + n));
    line();
    return out.toString();
  }

  private void machine(String startLoad) {
    line("## Machine");
    line();
    line("| what | value |");
    line("| --- | --- |");
    out.append(MachineInfo.markdownRows());
    line("| file system of the embedded store and Kafka's log | " + settings.fileSystem() + " |");
    line("| load average (1, 5, 15 min) at the start | " + startLoad + " |");
    line("| load average at the end | " + MachineInfo.loadAverage() + " |");
    line();
    line(
        "Everything runs on this one machine: the producer threads and the client library (in the"
            + " harness's JVM), the local server and the Kafka broker compete for the same cores."
            + " Read the ratios, not the absolute numbers.");
    line();
  }

  private void setup(Map<String, String> warmUps) {
    long jsonBytes = 0;
    int sample = 10_000;
    for (int i = 0; i < sample; i++) {
      jsonBytes += SmallRows.json(SmallRows.row(1_000_000L + i)).length;
    }
    line("## What was measured");
    line();
    line(
        String.format(
            Locale.ROOT,
            "- **Rows.** Small rows of 4 columns: bigint `id` (the row's sequence number, unique"
                + " in the run), string `customer` (`customer-1xxxxxx`), double `amount`,"
                + " `timestamp` `event_time`. Each producer builds a fresh `Map` per row, as an"
                + " application would. As JSON (the Kafka side's record value: one object, field"
                + " names included, the timestamp in ISO-8601) a row is about **%.0f bytes**.",
            (double) jsonBytes / sample));
    line(
        "- **Sluice.** `io.sluice.client.TableWriter.write(Map)` of one row at a time, from"
            + " several producer threads sharing **one writer**, with the default options ("
            + WriterOptions.defaults()
            + "), against `local-server/target/quarkus-app/quarkus-run.jar` started as its own"
            + " JVM on embedded defaults (local files + SQLite). The table: those 4 columns, 4"
            + " buckets, no bucket key, no lake formats. The writer batches the rows into Arrow"
            + " requests (`POST /v1/tables/{t}/rows`); a row counts when its future completes"
            + " with its offset.");
    line(
        "- **Kafka.** Apache Kafka "
            + AppInfoParser.getVersion()
            + ", one KRaft node as in the ingest benchmark (`KafkaBroker`: broker and controller in"
            + " one process, the JVM options of `kafka-server-start.sh`) on loopback. One"
            + " `KafkaProducer` shared by the producer threads, `acks=all`, `linger.ms=5`, every"
            + " other setting at Kafka's default (idempotence on, `batch.size` 16 KiB,"
            + " `buffer.memory` 32 MiB, no compression); each row is one record, no key, its value"
            + " the row's JSON, encoded by the producer thread. Topics of 4 partitions:"
            + " `rows-default` at Kafka's default flushing, `rows-fsync` with `flush.messages=1`"
            + " (the broker fsyncs the partition log after every append, before it"
            + " acknowledges). A row counts when its send callback reports success.");
    line(
        String.format(
            Locale.ROOT,
            "- **Load.** Open loop: each producer thread sends rows as fast as `write`/`send`"
                + " returns (both block when their 32 MiB buffer is full), for %.1f s at %s"
                + " threads; then the writer/producer is flushed. `rows/s` = rows acknowledged /"
                + " time from the start to the last acknowledgement. Each side first warms up at"
                + " the most threads in rounds of %.1f s until the serving process's JIT compilers"
                + " were busy less than %.0f%% of a round (`jstat -compiler`), at most %d rounds,"
                + " not counted (rounds taken: %s).",
            settings.duration().toMillis() / 1000.0,
            String.join(", ", settings.threads().stream().map(String::valueOf).toList()),
            settings.warmUpRound().toMillis() / 1000.0,
            100 * JitWarmUp.QUIET_SHARE,
            settings.warmUpMaxRounds(),
            warmUps.isEmpty()
                ? "none"
                : String.join(
                    "; ",
                    warmUps.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .toList())));
    line(
        "- **Follow.** A `TableReader` from `ReaderOptions.latest()` (default options: long poll"
            + " 10 s, 1,000 rows per bucket read) polls a fresh table (`poll(100 ms)`) on its own"
            + " thread while producer threads write it through one `TableWriter` as above (after"
            + " an unmeasured 2 s run), once as fast as they can (`unpaced`: the follow"
            + " throughput; the latency then includes the reader's backlog when it falls behind)"
            + " and once paced at a fixed rate, evenly spaced, well under what either side"
            + " sustains (the latency of a reader that keeps up). Each delivered row is matched by its `id` to the moment its"
            + " write future completed: the latency is from that moment to the return of the"
            + " `poll` that delivered the row. Follow throughput = distinct rows delivered / time"
            + " from the producers' start to the last delivery.");
    line(
        "- **Columns.** `ack p50`/`ack p99`: from `write`/`send` to the acknowledgement (most of"
            + " it is waiting in the batch and behind the buffer, as the loop is open). `server"
            + " CPU`: CPU time of the serving process (local server, broker) per row; `client"
            + " CPU`: of the harness's JVM (producer threads, client library, Kafka's sender"
            + " thread). `busy`: share of the machine's total CPU time (all cores) that was not"
            + " idle; `others`: the part of it used by processes that are not the benchmark's"
            + " (this JVM and what it started), such as other builds on the machine: where it is"
            + " more than a few percent, that row is disturbed. The kernel's own threads count as"
            + " others too, among them those that write back and journal what an fsync flushes,"
            + " so the fsync-per-append rows can show some `others` even on a quiet machine.");
    line();
  }

  private void writeResults() {
    line("## Writes, one row at a time");
    line();
    line(
        "| side | threads | rows | failed | s | rows/s | ack p50 ms | ack p99 ms | server CPU"
            + " µs/row | client CPU µs/row | busy | others |");
    line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (Measurement m : writes) {
      WriteLoop.Result r = m.result();
      line(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %d | %.1f | %,.0f | %.1f | %.1f | %.2f | %.2f | %.0f%% | %.0f%% |",
              m.side().label,
              r.threads(),
              r.acknowledged(),
              r.failed(),
              r.seconds(),
              r.rowsPerSecond(),
              r.latencies().millis(0.5),
              r.latencies().millis(0.99),
              m.serverMicrosPerRow(),
              m.clientMicrosPerRow(),
              100 * m.machineBusy(),
              100 * m.othersBusy()));
    }
    line();
  }

  private void ratios() {
    line("## Ratios");
    line();
    line(
        "Sluice's rows/s divided by Kafka's at the same number of producer threads, measured in"
            + " this run. Against Kafka with an fsync per append the durability is equal (both"
            + " acknowledge only what is on disk); against Kafka's default flushing it is not (see"
            + " below). A ratio in **bold** meets its aim.");
    line();
    line("| threads | Sluice ÷ Kafka fsync per append | Sluice ÷ Kafka default flush |");
    line("| ---: | ---: | ---: |");
    for (int threads : settings.threads()) {
      double fsync = ratio(threads, Side.KAFKA_FSYNC);
      double flush = ratio(threads, Side.KAFKA_DEFAULT);
      String fsyncCell =
          Double.isNaN(fsync)
              ? "n/a"
              : fsync >= AIM_KAFKA_FSYNC
                  ? String.format(Locale.ROOT, "**%.2fx**", fsync)
                  : String.format(Locale.ROOT, "%.2fx", fsync);
      String flushCell = Double.isNaN(flush) ? "n/a" : String.format(Locale.ROOT, "%.2fx", flush);
      line("| " + threads + " | " + fsyncCell + " | " + flushCell + " |");
    }
    line(String.format(Locale.ROOT, "| aim | >= %.1fx | |", AIM_KAFKA_FSYNC));
    line();
  }

  private double ratio(int threads, Side baseline) {
    Optional<Measurement> sluice = find(Side.SLUICE, threads);
    Optional<Measurement> kafka = find(baseline, threads);
    if (sluice.isEmpty() || kafka.isEmpty() || kafka.get().result().rowsPerSecond() == 0) {
      return Double.NaN;
    }
    return sluice.get().result().rowsPerSecond() / kafka.get().result().rowsPerSecond();
  }

  private Optional<Measurement> find(Side side, int threads) {
    return writes.stream()
        .filter(m -> m.side() == side && m.result().threads() == threads)
        .findFirst();
  }

  private void followResults() {
    line("## Follow: a reader from latest while the table is written");
    line();
    if (follows.isEmpty()) {
      line("Not measured.");
      line();
      return;
    }
    line(
        "| writer threads | paced at rows/s | rows written | written rows/s | rows delivered |"
            + " delivered rows/s |"
            + " ack → poll p50 ms | ack → poll p99 ms | delivered before ack | missing |"
            + " duplicates | busy | others |");
    line("| ---: " + "| ---: ".repeat(12) + "|");
    for (Follow f : follows) {
      line(
          String.format(
              Locale.ROOT,
              "| %d | %s | %d | %,.0f | %d | %,.0f | %.1f | %.1f | %d | %d | %d | %.0f%% |"
                  + " %.0f%% |",
              f.threads(),
              f.pacedRowsPerSecond() > 0
                  ? String.format(Locale.ROOT, "%,.0f", f.pacedRowsPerSecond())
                  : "unpaced",
              f.written().acknowledged(),
              f.written().rowsPerSecond(),
              f.delivered(),
              f.rowsPerSecond(),
              f.latencies().millis(0.5),
              f.latencies().millis(0.99),
              f.early(),
              f.missing(),
              f.duplicates(),
              100 * f.machineBusy(),
              100 * f.othersBusy()));
    }
    line();
    line(
        "`delivered before ack`: rows the reader had before their write future completed (the"
            + " server commits before it answers), counted at 0 ms. `missing`: acknowledged rows"
            + " the reader had not delivered when it had delivered nothing for 30 s.");
    line();
  }

  private void durability() {
    line("## Durability of each side when it acknowledges");
    line();
    line(
        "- **Sluice, embedded defaults**: each batch's segment file is fsynced and hard-linked"
            + " into place and its directory fsynced, then committed to SQLite (WAL,"
            + " `synchronous=FULL`): an acknowledged row survives a process crash and a power cut"
            + " on this one disk. No replication.");
    line(
        "- **Kafka, default flush**: with `acks=all` and a single replica the leader acknowledges"
            + " once the batch is in its log in the page cache, not fsynced: it survives a broker"
            + " crash but not a power cut. Not the same durability as Sluice's.");
    line(
        "- **Kafka, fsync per append** (`flush.messages=1`): the partition log is fsynced after"
            + " every append (one produce request's batch), before the acknowledgement: survives a"
            + " power cut on this one disk, like embedded Sluice. The like-for-like baseline.");
    line();
  }

  private void quietness() {
    double worst =
        java.util.stream.Stream.concat(
                writes.stream().map(Measurement::othersBusy),
                follows.stream().map(Follow::othersBusy))
            .mapToDouble(Double::doubleValue)
            .filter(v -> !Double.isNaN(v))
            .max()
            .orElse(0);
    line("## How quiet the machine was");
    line();
    if (worst > QUIET_OTHERS) {
      line(
          String.format(
              Locale.ROOT,
              "**Other processes used up to %.0f%% of the machine during a scenario** (column"
                  + " `others`): those rows measure a shared machine, not the benchmark alone;"
                  + " rerun on a quiet machine (`others` under %.0f%%) before reading much into"
                  + " them.",
              100 * worst,
              100 * QUIET_OTHERS));
    } else {
      line(
          String.format(
              Locale.ROOT,
              "Other processes used at most %.0f%% of the machine during any scenario (column"
                  + " `others`), under the %.0f%% above which a run counts as disturbed.",
              100 * worst,
              100 * QUIET_OTHERS));
    }
    line();
  }
}
