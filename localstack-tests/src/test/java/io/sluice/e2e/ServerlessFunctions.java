package io.sluice.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The three Lambda packages the build produced, started as Lambda runs them, and a client that
 * sends each HTTP call to the function the HTTP API routes it to (infra/api.tf), as a payload 2.0
 * event.
 */
public final class ServerlessFunctions implements AutoCloseable {
  /** The handler of the write and read packages (Quarkus's HTTP handler). */
  public static final String HTTP_HANDLER =
      "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";

  /** The handler of the tiering package: scheduled events and its HTTP routes. */
  public static final String TIERING_HANDLER =
      "io.sluice.lambda.tiering.TieringHandler::handleRequest";

  /** The input of the Terraform schedule (infra/schedule.tf). */
  public static final String SCHEDULED_EVENT = "{\"sluice\":\"scheduled-run\"}";

  static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** The HTTP API's routes (infra/api.tf) and the function each goes to. */
  static final Map<String, String> ROUTES = new LinkedHashMap<>();

  static {
    ROUTES.put("POST /v1/tables/{table}/rows", "write");
    ROUTES.put("GET /v1/tables", "read");
    ROUTES.put("GET /v1/tables/{table}", "read");
    ROUTES.put("GET /v1/tables/{table}/buckets/{bucket}/records", "read");
    ROUTES.put("GET /v1/tables/{table}/scan", "read");
    ROUTES.put("POST /v1/tables/{table}/scan", "read");
    ROUTES.put("GET /v1/tables/{table}/lake/snapshots", "read");
    ROUTES.put("POST /v1/sql", "read");
    ROUTES.put("PUT /v1/tables/{table}", "tiering");
    ROUTES.put("DELETE /v1/tables/{table}", "tiering");
    ROUTES.put("POST /v1/tables/{table}/tier", "tiering");
    ROUTES.put("ANY /iceberg/{proxy+}", "read");
  }

  private final Map<String, LambdaFunction> functions = new LinkedHashMap<>();
  private final Map<String, Duration> initTimes = new LinkedHashMap<>();

  /** Starts the three packages found under {@code root} (the build's root) in parallel. */
  public static ServerlessFunctions start(Path root, Map<String, String> environment, Path work)
      throws Exception {
    ServerlessFunctions started = new ServerlessFunctions();
    Map<String, String> handlers = new LinkedHashMap<>();
    handlers.put("write", HTTP_HANDLER);
    handlers.put("read", HTTP_HANDLER);
    handlers.put("tiering", TIERING_HANDLER);
    try {
      for (var entry : handlers.entrySet()) {
        String name = entry.getKey();
        Path zip = packagePath(root, name);
        started.functions.put(
            name, LambdaFunction.start(name, zip, entry.getValue(), environment, work));
      }
      ExecutorService waiters = Executors.newFixedThreadPool(3);
      try {
        List<Future<Duration>> inits = new ArrayList<>();
        for (LambdaFunction function : started.functions.values()) {
          inits.add(waiters.submit(() -> function.awaitInitialised(Duration.ofMinutes(3))));
        }
        int i = 0;
        for (String name : started.functions.keySet()) {
          started.initTimes.put(name, inits.get(i++).get());
        }
      } finally {
        waiters.shutdownNow();
      }
      return started;
    } catch (Exception | Error e) {
      started.close();
      throw e;
    }
  }

  /** Where the build writes a function's package. */
  public static Path packagePath(Path root, String function) {
    return root.resolve("lambda-" + function).resolve("target").resolve("function.zip");
  }

  /** How long each function took from its JVM's start to asking for its first event. */
  public Map<String, Duration> initTimes() {
    return initTimes;
  }

  /** Sends a request through the HTTP API's route to its function. */
  public HttpApiEvents.Answer call(
      String route, String pathAndQuery, String contentType, byte[] body) throws Exception {
    return call(route.substring(0, route.indexOf(' ')), route, pathAndQuery, contentType, body);
  }

  /** Sends a request of this method through a route, such as {@code ANY /iceberg/{proxy+}}. */
  public HttpApiEvents.Answer call(
      String method, String route, String pathAndQuery, String contentType, byte[] body)
      throws Exception {
    String function = ROUTES.get(route);
    if (function == null) {
      throw new IllegalArgumentException("No HTTP API route " + route);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    boolean binary = false;
    if (contentType != null) {
      headers.put("content-type", contentType);
      binary = !contentType.contains("json");
    }
    String event = HttpApiEvents.request(route, method, pathAndQuery, headers, body, binary);
    return HttpApiEvents.answer(functions.get(function).invoke(event, TIMEOUT));
  }

  public HttpApiEvents.Answer call(String route, String pathAndQuery) throws Exception {
    return call(route, pathAndQuery, null, null);
  }

  public HttpApiEvents.Answer callJson(String route, String pathAndQuery, String json)
      throws Exception {
    return call(route, pathAndQuery, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends the schedule's event to the tiering function and returns its answer. */
  public String scheduledRun() throws InterruptedException {
    return functions.get("tiering").invoke(SCHEDULED_EVENT, TIMEOUT.multipliedBy(2));
  }

  @Override
  public void close() throws Exception {
    for (LambdaFunction function : functions.values()) {
      function.close();
    }
  }
}
