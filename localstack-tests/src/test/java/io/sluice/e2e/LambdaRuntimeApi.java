package io.sluice.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The AWS Lambda Runtime API (version 2018-06-01) on loopback, for one function: the runtime in the
 * function's process polls {@code /invocation/next} and posts each answer back, exactly as on
 * Lambda. {@link #invoke} queues an event and waits for its answer.
 */
public final class LambdaRuntimeApi implements AutoCloseable {
  private static final String PREFIX = "/2018-06-01/runtime/";

  private final String functionName;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(daemon());
  private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
  private final Map<String, Invocation> running = new ConcurrentHashMap<>();
  private final CompletableFuture<Long> firstPoll = new CompletableFuture<>();
  private volatile String initError;

  private record Invocation(
      String requestId, byte[] event, long deadlineMillis, CompletableFuture<byte[]> answer) {}

  /** An invocation that the function answered with an error, or whose init failed. */
  public static final class FunctionErrorException extends RuntimeException {
    FunctionErrorException(String message) {
      super(message);
    }
  }

  public LambdaRuntimeApi(String functionName) throws IOException {
    this.functionName = functionName;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(threads);
    server.createContext(PREFIX, this::handle);
    server.start();
  }

  /** The value of {@code AWS_LAMBDA_RUNTIME_API} for the function's process. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Waits until the function asks for its first event: its initialisation is done. */
  public long awaitFirstPollNanos(Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    return firstPoll.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Invokes the function with an event and returns its answer. */
  public byte[] invoke(String event, Duration timeout) throws InterruptedException {
    Invocation invocation =
        new Invocation(
            UUID.randomUUID().toString(),
            event.getBytes(StandardCharsets.UTF_8),
            System.currentTimeMillis() + timeout.toMillis(),
            new CompletableFuture<>());
    pending.add(invocation);
    try {
      return invocation.answer().get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw (RuntimeException) e.getCause();
    } catch (TimeoutException e) {
      throw new FunctionErrorException(
          functionName
              + " did not answer within "
              + timeout
              + (initError == null ? "" : ": " + initError));
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (path.equals("invocation/next")) {
        firstPoll.complete(System.nanoTime());
        Invocation next;
        try {
          next = pending.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        running.put(next.requestId(), next);
        exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", next.requestId());
        exchange
            .getResponseHeaders()
            .add("Lambda-Runtime-Deadline-Ms", Long.toString(next.deadlineMillis()));
        exchange
            .getResponseHeaders()
            .add(
                "Lambda-Runtime-Invoked-Function-Arn",
                "arn:aws:lambda:us-east-1:000000000000:function:" + functionName);
        exchange.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-0-0");
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        send(exchange, 200, next.event());
      } else if (path.equals("init/error")) {
        initError = new String(body, StandardCharsets.UTF_8);
        firstPoll.completeExceptionally(new FunctionErrorException("init failed: " + initError));
        send(exchange, 202, new byte[0]);
      } else if (path.startsWith("invocation/")) {
        String[] parts = path.split("/");
        Invocation invocation = running.remove(parts[1]);
        if (invocation != null && parts[2].equals("response")) {
          invocation.answer().complete(body);
        } else if (invocation != null) {
          invocation
              .answer()
              .completeExceptionally(
                  new FunctionErrorException(
                      functionName + " failed: " + new String(body, StandardCharsets.UTF_8)));
        }
        send(exchange, 202, new byte[0]);
      } else {
        send(exchange, 404, new byte[0]);
      }
    }
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return r -> {
      Thread thread = new Thread(r, "lambda-runtime-api");
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
