package io.sluice.bench.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Warms a server up under load until its JIT has finished: rounds of load until a round in which
 * the server's compiler threads worked less than {@link #QUIET_SHARE} of the round ({@code jstat
 * -compiler}'s compile time), at most {@link #MAX_ROUNDS} rounds.
 */
final class JitWarmUp {
  static final Duration ROUND = Duration.ofSeconds(5);
  static final int MAX_ROUNDS = Integer.getInteger("ingest.warmup.max-rounds", 24);

  /** A round whose compile time is below this share of its length counts as idle. */
  static final double QUIET_SHARE = 0.01;

  private JitWarmUp() {}

  /** How a warm-up went: its rounds, and the requests acknowledged in them. */
  record Warmed(int rounds, long acknowledged) {}

  /** Runs the rounds, at most {@link #MAX_ROUNDS}. */
  static Warmed run(long pid, int clients, LoadLoop.Client client) throws Exception {
    return run(pid, clients, client, MAX_ROUNDS);
  }

  /** Runs the rounds, at most {@code maxRounds}. */
  static Warmed run(long pid, int clients, LoadLoop.Client client, int maxRounds) throws Exception {
    double[] compiled = compiled(pid);
    long acknowledged = 0;
    for (int round = 1; round <= maxRounds; round++) {
      LoadLoop.Result result = LoadLoop.run(clients, 1_000_000, ROUND, client);
      acknowledged += result.ok();
      if (result.firstError() != null) {
        throw new IllegalStateException(
            "warm-up fails: " + result.firstError(), result.firstError());
      }
      double[] now = compiled(pid);
      double share = (now[1] - compiled[1]) / Math.max(result.seconds(), 1e-3);
      IngestBench.log(
          String.format(
              "warm-up round %d: %d requests, %.0f methods compiled, compiler busy %.1f%%",
              round, result.ok(), now[0] - compiled[0], 100 * share));
      if (share < QUIET_SHARE) {
        return new Warmed(round, acknowledged);
      }
      compiled = now;
    }
    return new Warmed(maxRounds, acknowledged);
  }

  /** How many methods the JIT of a process has compiled so far, and its compile time in s. */
  static double[] compiled(long pid) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "jstat").toString(),
                    "-compiler",
                    Long.toString(pid)))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    String[] lines = output.strip().split("\n");
    String[] fields = lines[lines.length - 1].trim().split("\\s+");
    return new double[] {Double.parseDouble(fields[0]), Double.parseDouble(fields[3])};
  }
}
