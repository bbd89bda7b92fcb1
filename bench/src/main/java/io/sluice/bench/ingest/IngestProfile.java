package io.sluice.bench.ingest;

import io.sluice.bench.MachineInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A JFR profile of the local server on embedded defaults under the ingest benchmark's Arrow load:
 * warms the server up until its JIT is idle, records {@code profile.seconds} at {@code
 * profile.clients} clients, and writes where the CPU went by component ({@link ServerProfile}) to
 * {@code bench/reports/ingest-profile-<label>.md}.
 *
 * <p>Usage: {@code IngestProfile <label>}; {@code bench/run-ingest-profile.sh} builds and runs it.
 */
public final class IngestProfile {
  private IngestProfile() {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", IngestBench.LOGGING);
    }
    String label = args.length > 0 ? args[0] : "current";
    Path root = Path.of(System.getProperty("ingest.root", "")).toAbsolutePath().normalize();
    Path jar = Path.of(System.getProperty("ingest.server.jar"));
    int clients = Integer.getInteger("profile.clients", 16);
    String body = System.getProperty("profile.body", "arrow");
    boolean json = body.equals("json");
    Duration seconds = Duration.ofSeconds(Long.getLong("profile.seconds", 30));
    Path work = root.resolve("bench/target/ingest-profile");
    IngestBench.deleteRecursively(work);
    Files.createDirectories(work);
    Path recording = work.resolve("server.jfr");
    IngestPayload payload = IngestPayload.build(1000, 42);
    String startLoad = MachineInfo.loadAverage();

    LoadLoop.Result result;
    int rounds;
    IngestBench.CpuSample before;
    IngestBench.CpuSample after;
    long pid;
    try (LocalServer server =
        LocalServer.start(
            jar, work.resolve("data"), Map.of(), work.resolve("server.log"), serverOptions())) {
      pid = server.pid();
      IngestBench.createTable(server.base(), "bench_" + body);
      URI uri = server.base().resolve("/v1/tables/bench_" + body + "/rows");
      LoadLoop.Client client =
          IngestBench.http(
              server.base(),
              uri,
              json ? IngestBench.JSON_TYPE : IngestBench.ARROW_TYPE,
              json ? payload.json() : payload.arrow(),
              payload.rows());
      rounds = JitWarmUp.run(pid, clients, client).rounds();
      IngestBench.log("warmed up in " + rounds + " rounds; recording " + seconds);
      // Default settings, sampling execution every 10 ms, without allocation sampling: that makes
      // an allocating load (JSON trees) several times slower and would distort the profile.
      Jcmd.run(
          pid,
          "JFR.start",
          "name=ingest",
          "settings=default",
          "jdk.ExecutionSample#period=10ms",
          "jdk.ObjectAllocationSample#enabled=false",
          "jdk.OldObjectSample#enabled=false",
          "filename=" + recording);
      before = IngestBench.CpuSample.take(pid);
      result = LoadLoop.run(clients, 1_000_000, seconds, client);
      after = IngestBench.CpuSample.take(pid);
      Jcmd.run(pid, "JFR.stop", "name=ingest");
    }
    List<ServerProfile.Share> shares = ServerProfile.read(recording);
    double cpuPerRequest = (after.processMillis() - before.processMillis()) / result.ok();
    Path report = root.resolve("bench/reports/ingest-profile-" + label + ".md");
    Files.writeString(
        report,
        markdown(
            label,
            json,
            clients,
            seconds,
            rounds,
            result,
            cpuPerRequest,
            after,
            before,
            shares,
            startLoad),
        StandardCharsets.UTF_8);
    IngestBench.log("wrote " + report);
    System.exit(0);
  }

  /**
   * More JVM options for the server, from {@code profile.server-options} (split on spaces), e.g. an
   * {@code -agentpath:} of async-profiler, which also samples native code, the kernel and the JVM's
   * own threads that JFR's execution samples leave out.
   */
  private static List<String> serverOptions() {
    String options = System.getProperty("profile.server-options", "").strip();
    return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
  }

  private static String markdown(
      String label,
      boolean json,
      int clients,
      Duration seconds,
      int rounds,
      LoadLoop.Result result,
      double cpuPerRequest,
      IngestBench.CpuSample after,
      IngestBench.CpuSample before,
      List<ServerProfile.Share> shares,
      String startLoad) {
    List<String> lines = new ArrayList<>();
    lines.add("# Ingest profile: " + label);
    lines.add("");
    lines.add(
        "Written by `bench/run-ingest-profile.sh "
            + label
            + "` (`io.sluice.bench.ingest.IngestProfile`) on "
            + ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))
            + ". The local server on embedded defaults (local files, SQLite) takes the ingest"
            + " benchmark's "
            + (json ? "JSON" : "Arrow")
            + " body (1000 rows, 10 columns) from "
            + clients
            + " closed-loop clients; after a warm-up in rounds of 5 s until the server's JIT"
            + " compilers were busy less than 1% of a round ("
            + rounds
            + " rounds), JFR (default settings, execution samples every 10 ms, no allocation sampling, whose overhead would distort a JSON load) records "
            + seconds.toSeconds()
            + " s.");
    lines.add("");
    lines.add(
        String.format(
            "Requests: %d in %.1f s (%.1f req/s), errors %d; p50 %.1f ms, p99 %.1f ms; server CPU"
                + " %.2f ms per request; machine busy %.0f%%, others %.0f%%; load average at the"
                + " start %s.",
            result.ok(),
            result.seconds(),
            result.requestsPerSecond(),
            result.errors(),
            result.latencyMillis(0.5),
            result.latencyMillis(0.99),
            cpuPerRequest,
            100 * after.busyShare(before),
            100 * after.othersShare(before),
            startLoad));
    lines.add("");
    lines.add("| component | samples | share |");
    lines.add("| --- | ---: | ---: |");
    for (ServerProfile.Share share : shares) {
      lines.add(
          String.format(
              "| %s | %d | %.1f%% |", share.component(), share.samples(), 100 * share.share()));
    }
    lines.add("");
    return String.join("\n", lines);
  }

  /** Runs the JDK's {@code jcmd} against a process. */
  static final class Jcmd {
    private Jcmd() {}

    static String run(long pid, String... command) throws IOException, InterruptedException {
      List<String> line = new ArrayList<>();
      line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
      line.add(Long.toString(pid));
      line.addAll(List.of(command));
      Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException("jcmd " + String.join(" ", command) + ": " + output);
      }
      return output;
    }
  }
}
