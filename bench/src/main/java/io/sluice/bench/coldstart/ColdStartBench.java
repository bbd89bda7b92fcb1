package io.sluice.bench.coldstart;

import io.sluice.bench.MachineInfo;
import io.sluice.e2e.HttpApiEvents;
import io.sluice.e2e.LambdaFunction;
import io.sluice.e2e.ServerlessFunctions;
import io.sluice.metadata.dynamodb.DynaliteServer;
import io.sluice.objectstore.S3ProxyServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipFile;

/**
 * Cold starts of the three Lambda packages against the local server's start: for each package its
 * size, then, over several runs, the time from its JVM's start (the handler class loads at once) to
 * polling for its first event (initialisation: what SnapStart snapshots on AWS), and from there to
 * its first answered request. The local server is timed from its JVM's start to its first answered
 * {@code GET /v1/tables}. Everything against s3proxy + dynalite on loopback; writes {@code
 * bench/reports/cold-start.md}.
 *
 * <p>System properties: {@code coldstart.root} (the build's root), {@code coldstart.runs} (3),
 * {@code lambda.runtime.client.dir} (the runtime interface client's jars), {@code
 * coldstart.report}.
 */
public final class ColdStartBench {
  private static final String BUCKET = "sluice-bench";
  private static final String TABLE_BODY =
      "{\"columns\": [{\"name\": \"id\", \"type\": \"bigint\", \"nullable\": false},"
          + " {\"name\": \"msg\", \"type\": \"string\"}], \"bucketKey\": [\"id\"], \"buckets\": 2}";

  private ColdStartBench() {}

  /** One cold start: JVM start to polling, polling to the first answer. */
  record Start(Duration init, Duration firstRequest) {
    Duration total() {
      return init.plus(firstRequest);
    }
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(System.getProperty("coldstart.root", ".")).toAbsolutePath().normalize();
    int runs = Integer.getInteger("coldstart.runs", 3);
    Path report =
        Path.of(System.getProperty("coldstart.report", root + "/bench/reports/cold-start.md"));
    Path work = root.resolve("bench/target/cold-start");
    Files.createDirectories(work);
    String startLoad = MachineInfo.loadAverage();
    Map<String, long[]> sizes = new LinkedHashMap<>();
    for (String function : List.of("write", "read", "tiering")) {
      Path zip = ServerlessFunctions.packagePath(root, function);
      sizes.put(function, new long[] {Files.size(zip), unzipped(zip)});
    }
    Map<String, List<Start>> starts = new LinkedHashMap<>();
    List<Duration> server = new ArrayList<>();
    try (S3ProxyServer s3 = S3ProxyServer.start();
        DynaliteServer dynamo = DynaliteServer.start()) {
      s3.createBucket(BUCKET);
      Map<String, String> env = environment(s3, dynamo);
      for (int run = 1; run <= runs; run++) {
        String table = "cold" + run;
        // Tiering first: its first request creates the table the others use.
        starts
            .computeIfAbsent("tiering", k -> new ArrayList<>())
            .add(
                coldStart(
                    "tiering",
                    root,
                    env,
                    work,
                    "PUT /v1/tables/{table}",
                    "/v1/tables/" + table,
                    TABLE_BODY));
        starts
            .computeIfAbsent("write", k -> new ArrayList<>())
            .add(
                coldStart(
                    "write",
                    root,
                    env,
                    work,
                    "POST /v1/tables/{table}/rows",
                    "/v1/tables/" + table + "/rows",
                    "[{\"id\": 1, \"msg\": \"hello\"}]"));
        starts
            .computeIfAbsent("read", k -> new ArrayList<>())
            .add(
                coldStart(
                    "read",
                    root,
                    env,
                    work,
                    "GET /v1/tables/{table}/buckets/{bucket}/records",
                    "/v1/tables/" + table + "/buckets/0/records?from=0",
                    null));
        server.add(localServerStart(root, env, work));
        System.out.printf(Locale.ROOT, "run %d/%d done%n", run, runs);
      }
    }
    write(report, sizes, starts, server, runs, startLoad);
    System.out.println("Wrote " + report);
  }

  private static Map<String, String> environment(S3ProxyServer s3, DynaliteServer dynamo) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SLUICE_OBJECT_STORE_URI", "s3://" + BUCKET + "/sluice");
    env.put("SLUICE_OBJECT_STORE_ENDPOINT", s3.endpoint().toString());
    env.put("SLUICE_OBJECT_STORE_PATH_STYLE", "true");
    env.put("SLUICE_OBJECT_STORE_REGION", s3.region());
    env.put("SLUICE_OBJECT_STORE_ACCESS_KEY", s3.accessKey());
    env.put("SLUICE_OBJECT_STORE_SECRET_KEY", s3.secretKey());
    env.put("SLUICE_METADATA_URI", "dynamodb:sluice_bench");
    env.put("SLUICE_METADATA_ENDPOINT", dynamo.endpoint().toString());
    env.put("SLUICE_METADATA_ACCESS_KEY", "bench");
    env.put("SLUICE_METADATA_SECRET_KEY", "bench");
    env.put("SLUICE_METADATA_CREATE_TABLE", "true");
    return env;
  }

  private static Start coldStart(
      String function,
      Path root,
      Map<String, String> env,
      Path work,
      String route,
      String path,
      String body)
      throws Exception {
    String handler =
        function.equals("tiering")
            ? ServerlessFunctions.TIERING_HANDLER
            : ServerlessFunctions.HTTP_HANDLER;
    try (LambdaFunction lambda =
        LambdaFunction.start(
            function, ServerlessFunctions.packagePath(root, function), handler, env, work)) {
      Duration init = lambda.awaitInitialised(Duration.ofMinutes(3));
      String method = route.substring(0, route.indexOf(' '));
      Map<String, String> headers =
          body == null ? Map.of() : Map.of("content-type", "application/json");
      String event =
          HttpApiEvents.request(
              route,
              method,
              path,
              headers,
              body == null ? null : body.getBytes(StandardCharsets.UTF_8),
              false);
      long sent = System.nanoTime();
      HttpApiEvents.Answer answer =
          HttpApiEvents.answer(lambda.invoke(event, Duration.ofMinutes(2)));
      Duration first = Duration.ofNanos(System.nanoTime() - sent);
      if (answer.status() >= 300) {
        throw new IllegalStateException(
            function + " answered " + answer.status() + ": " + answer.text());
      }
      return new Start(init, first);
    }
  }

  /** The local server from its JVM's start to its first answered {@code GET /v1/tables}. */
  private static Duration localServerStart(Path root, Map<String, String> env, Path work)
      throws Exception {
    Path jar = root.resolve("local-server/target/quarkus-app/quarkus-run.jar");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    command.add("-Dquarkus.http.host=127.0.0.1");
    command.add("-Dquarkus.http.port=" + port);
    command.add("-Dsluice.scheduler.enabled=false");
    command.add("-Dsluice.data-dir=" + work.resolve("server-data"));
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.redirectErrorStream(true).redirectOutput(work.resolve("local-server.log").toFile());
    long start = System.nanoTime();
    Process process = builder.start();
    HttpClient client = HttpClient.newHttpClient();
    try {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "The local server exited; see " + work.resolve("local-server.log"));
        }
        try {
          HttpResponse<Void> response =
              client.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/tables"))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          if (response.statusCode() == 200) {
            return Duration.ofNanos(System.nanoTime() - start);
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(20);
        if (Duration.ofNanos(System.nanoTime() - start).toMinutes() >= 3) {
          throw new IllegalStateException("The local server did not answer within 3 minutes");
        }
      }
    } finally {
      process.destroy();
      process.waitFor();
    }
  }

  private static long unzipped(Path zip) throws IOException {
    long size = 0;
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (var e = file.entries(); e.hasMoreElements(); ) {
        size += Math.max(0, e.nextElement().getSize());
      }
    }
    return size;
  }

  private static void write(
      Path report,
      Map<String, long[]> sizes,
      Map<String, List<Start>> starts,
      List<Duration> server,
      int runs,
      String startLoad)
      throws IOException {
    StringBuilder out = new StringBuilder();
    out.append("# Cold start of the Lambda packages\n\n");
    out.append(
        "Written by `bench/run-cold-start-bench.sh` (`io.sluice.bench.coldstart.ColdStartBench`) on "
            + ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))
            + " UTC, "
            + runs
            + " runs. Each package runs as Lambda runs it: unzipped, on a JVM whose class path is the"
            + " task root and its lib/, driven by the AWS Lambda runtime interface client against a"
            + " Runtime API on loopback, with `JAVA_TOOL_OPTIONS` as infra/ sets it; its first"
            + " request is an HTTP API (payload 2.0) event. The stores are s3proxy and dynalite on"
            + " loopback.\n\n");
    out.append("## Machine\n\n| what | value |\n| --- | --- |\n");
    out.append(MachineInfo.markdownRows());
    out.append("| load average (1, 5, 15 min) at the start | " + startLoad + " |\n");
    out.append("| load average at the end | " + MachineInfo.loadAverage() + " |\n\n");
    out.append(
        "## Package sizes\n\n| package | zipped | unzipped (Lambda's limit: 250 MB) |\n| --- | ---: | ---: |\n");
    sizes.forEach(
        (f, s) ->
            out.append(
                String.format(
                    Locale.ROOT, "| %s | %.1f MB | %.1f MB |%n", f, s[0] / 1e6, s[1] / 1e6)));
    out.append(
        "\n## Cold start (median of "
            + runs
            + ", min to max)\n\n"
            + "| | JVM start to polling (init) | first request | JVM start to first answer |\n"
            + "| --- | ---: | ---: | ---: |\n");
    starts.forEach(
        (f, list) ->
            out.append(
                String.format(
                    Locale.ROOT,
                    "| %s function (`%s`) | %s | %s | %s |%n",
                    f,
                    firstRoute(f),
                    stat(list.stream().map(Start::init).toList()),
                    stat(list.stream().map(Start::firstRequest).toList()),
                    stat(list.stream().map(Start::total).toList()))));
    out.append(
        String.format(
            Locale.ROOT,
            "| local server (`quarkus-run.jar`, all three functions, `GET /v1/tables`) | | | %s |%n",
            stat(server)));
    out.append(
        "\nWhat it means: *init* is everything up to the handler's constructor returning (class"
            + " loading, Quarkus's static initialisation); with SnapStart on a published version,"
            + " AWS snapshots the function after it and restores new instances from the snapshot,"
            + " so on AWS this part becomes a restore (not measurable here). The *first request*"
            + " includes Quarkus's runtime start (configuration, CDI beans, the stores' clients) and"
            + " the first call's class loading and JIT; nothing touches the network before it.\n");
    Files.createDirectories(report.toAbsolutePath().getParent());
    Files.writeString(report, out.toString());
  }

  private static String firstRoute(String function) {
    return switch (function) {
      case "tiering" -> "PUT /v1/tables/{table}";
      case "write" -> "POST .../rows";
      default -> "GET .../records";
    };
  }

  private static String stat(List<Duration> values) {
    List<Long> millis = values.stream().map(Duration::toMillis).sorted().toList();
    return String.format(
        Locale.ROOT,
        "%.2f s (%.2f to %.2f)",
        millis.get(millis.size() / 2) / 1000.0,
        millis.get(0) / 1000.0,
        millis.get(millis.size() - 1) / 1000.0);
  }
}
