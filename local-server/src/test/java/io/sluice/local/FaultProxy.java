package io.sluice.local;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An HTTP/1.1 proxy on loopback in front of an S3 or DynamoDB API server that injects the faults of
 * a real network and service: it delays requests, answers them with the service's own retryable
 * errors (500, 503, throttling), resets connections before forwarding, and drops the answer of a
 * request it did forward and the server applied.
 *
 * <p>Requests and answers are relayed byte for byte (the {@code Host} header included, so signed
 * requests stay valid), with {@code Expect: 100-continue} honoured. Which fault a request meets is
 * drawn from a seeded random source; {@link #inject(Faults)} changes the rates at any time.
 */
final class FaultProxy implements AutoCloseable {
  /** What a request met. */
  enum Fault {
    NONE,
    DELAY,
    ERROR,
    RESET,
    ANSWER_DROPPED
  }

  /** Which service's error answers to give. */
  enum Service {
    S3,
    DYNAMODB
  }

  /** The share of requests that meet each fault, and the longest delay. */
  record Faults(double delay, double error, double reset, double answerDropped, Duration maxDelay) {
    static final Faults NONE = new Faults(0, 0, 0, 0, Duration.ZERO);

    Faults {
      if (delay + error + reset + answerDropped > 1) {
        throw new IllegalArgumentException("Cannot inject faults into more than every request");
      }
    }
  }

  private static final int MAX_HEAD_BYTES = 64 * 1024;
  private static final String INJECTED = "injected by the fault proxy";

  private final Service service;
  private final String upstreamHost;
  private final int upstreamPort;
  private final ServerSocket server;
  private final ExecutorService connections =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "fault-proxy");
            thread.setDaemon(true);
            return thread;
          });
  private final Random random;
  private final Map<Fault, AtomicLong> counts = new EnumMap<>(Fault.class);
  private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
  private volatile Faults faults = Faults.NONE;

  private FaultProxy(Service service, URI upstream, long seed) throws IOException {
    this.service = service;
    this.upstreamHost = upstream.getHost();
    this.upstreamPort = upstream.getPort();
    this.random = new Random(seed);
    for (Fault fault : Fault.values()) {
      counts.put(fault, new AtomicLong());
    }
    this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    connections.execute(this::accept);
  }

  /** A proxy in front of {@code upstream}, injecting nothing until told to. */
  static FaultProxy start(Service service, URI upstream, long seed) {
    try {
      return new FaultProxy(service, upstream, seed);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the fault proxy for " + upstream, e);
    }
  }

  /** Where clients reach the service through this proxy. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Injects these faults into the requests from now on. */
  void inject(Faults faults) {
    this.faults = faults;
  }

  /** How many requests met each fault so far. */
  Map<Fault, Long> counts() {
    Map<Fault, Long> copy = new EnumMap<>(Fault.class);
    counts.forEach((fault, count) -> copy.put(fault, count.get()));
    return copy;
  }

  /**
   * How many requests of each kind reached the proxy so far: DynamoDB's by operation ({@code
   * PutItem}), S3's by method and the first three segments of the path ({@code DELETE
   * /bucket/prefix/log}).
   */
  Map<String, Long> requests() {
    Map<String, Long> copy = new TreeMap<>();
    requests.forEach((kind, count) -> copy.put(kind, count.get()));
    return copy;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      connections.shutdownNow();
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        connections.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private Fault draw() {
    Faults now = faults;
    double x;
    synchronized (random) {
      x = random.nextDouble();
    }
    if ((x -= now.error()) < 0) {
      return Fault.ERROR;
    }
    if ((x -= now.reset()) < 0) {
      return Fault.RESET;
    }
    if ((x -= now.answerDropped()) < 0) {
      return Fault.ANSWER_DROPPED;
    }
    if ((x -= now.delay()) < 0) {
      return Fault.DELAY;
    }
    return Fault.NONE;
  }

  private long delayNanos() {
    long max = faults.maxDelay().toNanos();
    synchronized (random) {
      return max <= 0 ? 0 : (long) (random.nextDouble() * max);
    }
  }

  /** Relays one client connection's requests in turn, until either side closes. */
  private void serve(Socket client) {
    Socket upstream = null;
    try (client) {
      InputStream fromClient = new BufferedInputStream(client.getInputStream());
      OutputStream toClient = client.getOutputStream();
      while (true) {
        Head request = Head.read(fromClient);
        if (request == null) {
          return;
        }
        Fault fault = draw();
        counts.get(fault).incrementAndGet();
        requests.computeIfAbsent(request.kind(), k -> new AtomicLong()).incrementAndGet();
        switch (fault) {
          case ERROR -> {
            if (!request.expectsContinue()) {
              copyBody(request.framing(null), fromClient, OutputStream.nullOutputStream());
            }
            answerError(toClient);
            return;
          }
          case RESET -> {
            reset(client);
            return;
          }
          case DELAY -> LockSupport.parkNanos(delayNanos());
          default -> {}
        }
        if (upstream == null) {
          upstream = new Socket(upstreamHost, upstreamPort);
        }
        InputStream fromUpstream = new BufferedInputStream(upstream.getInputStream());
        OutputStream toUpstream = upstream.getOutputStream();
        toUpstream.write(request.bytes());
        Head answer;
        if (request.expectsContinue()) {
          toUpstream.flush();
          answer = Head.read(fromUpstream);
          if (answer == null) {
            return;
          }
          if (answer.status() == 100) {
            toClient.write(answer.bytes());
            toClient.flush();
            relayBody(request, fromClient, toUpstream);
            answer = Head.read(fromUpstream);
          } else {
            // A final answer before the body: the client will not send it; start afresh.
            relayAnswer(request, answer, fromUpstream, toClient, fault);
            return;
          }
        } else {
          relayBody(request, fromClient, toUpstream);
          answer = Head.read(fromUpstream);
        }
        if (answer == null) {
          return;
        }
        if (!relayAnswer(request, answer, fromUpstream, toClient, fault)) {
          return;
        }
      }
    } catch (IOException e) {
      // a side closed or reset: the connection ends, as a real one would
    } finally {
      if (upstream != null) {
        try {
          upstream.close();
        } catch (IOException e) {
          // nothing left to do with it
        }
      }
    }
  }

  /** Relays the answer, or drops it; whether the connection can carry another request. */
  private boolean relayAnswer(
      Head request, Head answer, InputStream fromUpstream, OutputStream toClient, Fault fault)
      throws IOException {
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    whole.write(answer.bytes());
    boolean toEnd = copyBody(answer.framing(request.method()), fromUpstream, whole);
    if (fault == Fault.ANSWER_DROPPED) {
      return false; // the server applied the request; its client never hears of it
    }
    whole.writeTo(toClient);
    toClient.flush();
    return !toEnd && !answer.closes();
  }

  private static void relayBody(Head request, InputStream fromClient, OutputStream toUpstream)
      throws IOException {
    copyBody(request.framing(null), fromClient, toUpstream);
    toUpstream.flush();
  }

  /** Copies one message body; true when it ran to the end of the stream. */
  private static boolean copyBody(Framing framing, InputStream in, OutputStream out)
      throws IOException {
    switch (framing.kind()) {
      case NONE -> {
        return false;
      }
      case LENGTH -> {
        copy(in, out, framing.length());
        return false;
      }
      case CHUNKED -> {
        while (true) {
          String line = readLine(in);
          out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          int semicolon = line.indexOf(';');
          long size =
              Long.parseLong((semicolon < 0 ? line : line.substring(0, semicolon)).trim(), 16);
          if (size == 0) {
            for (String trailer = readLine(in); ; trailer = readLine(in)) {
              out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
              if (trailer.isEmpty()) {
                return false;
              }
            }
          }
          copy(in, out, size + 2);
        }
      }
      default -> {
        in.transferTo(out);
        return true;
      }
    }
  }

  private static void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buffer = new byte[16 * 1024];
    long left = length;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw new EOFException("The stream ended " + left + " bytes before its body did");
      }
      out.write(buffer, 0, read);
      left -= read;
    }
  }

  /** An error answer of a service: its status, content type and body. */
  private record ErrorAnswer(int status, String type, String body) {}

  /** Each service's own retryable errors, as it words them. */
  private static final Map<Service, List<ErrorAnswer>> ERRORS =
      Map.of(
          Service.S3,
          List.of(s3Error(503, "SlowDown"), s3Error(500, "InternalError")),
          Service.DYNAMODB,
          List.of(
              dynamoError(400, "ThrottlingException"), dynamoError(500, "InternalServerError")));

  private static ErrorAnswer s3Error(int status, String code) {
    return new ErrorAnswer(
        status,
        "application/xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code><Message>%s</Message></Error>"
            .formatted(code, INJECTED));
  }

  private static ErrorAnswer dynamoError(int status, String code) {
    return new ErrorAnswer(
        status,
        "application/x-amz-json-1.0",
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#%s\",\"message\":\"%s\"}"
            .formatted(code, INJECTED));
  }

  private void answerError(OutputStream toClient) throws IOException {
    List<ErrorAnswer> errors = ERRORS.get(service);
    ErrorAnswer error;
    synchronized (random) {
      error = errors.get(random.nextInt(errors.size()));
    }
    byte[] content = error.body().getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + error.status()
            + " Injected\r\nContent-Type: "
            + error.type()
            + "\r\nContent-Length: "
            + content.length
            + "\r\nConnection: close\r\n\r\n";
    toClient.write(head.getBytes(StandardCharsets.ISO_8859_1));
    toClient.write(content);
    toClient.flush();
  }

  private static void reset(Socket client) throws SocketException {
    client.setSoLinger(true, 0); // close sends RST, not FIN
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); ; b = in.read()) {
      if (b < 0) {
        throw new EOFException("The stream ended inside a line");
      }
      if (b == '\n') {
        int length = line.length();
        return length > 0 && line.charAt(length - 1) == '\r'
            ? line.substring(0, length - 1)
            : line.toString();
      }
      line.append((char) b);
    }
  }

  /** How a message's body is delimited. */
  record Framing(Kind kind, long length) {
    enum Kind {
      NONE,
      LENGTH,
      CHUNKED,
      TO_END
    }
  }

  /** A request's or answer's start line and headers, as the bytes that carried them. */
  record Head(byte[] bytes, String startLine, Map<String, String> headers) {
    /** The next head on the stream, or null when it ends before one starts. */
    static Head read(InputStream in) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      int matched = 0;
      for (int b = in.read(); b >= 0; b = in.read()) {
        bytes.write(b);
        matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
        if (matched == 4) {
          return parse(bytes.toByteArray());
        }
        if (bytes.size() > MAX_HEAD_BYTES) {
          throw new IOException("A head longer than " + MAX_HEAD_BYTES + " bytes");
        }
      }
      if (bytes.size() == 0) {
        return null;
      }
      throw new EOFException("The stream ended inside a head");
    }

    private static Head parse(byte[] bytes) {
      String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r\n");
      Map<String, String> headers = new HashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(
              lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
              lines[i].substring(colon + 1).trim());
        }
      }
      return new Head(bytes, lines[0], headers);
    }

    String method() {
      return startLine.substring(0, startLine.indexOf(' '));
    }

    /** A DynamoDB request's operation, else the method and the first three path segments. */
    String kind() {
      String target = headers.get("x-amz-target");
      if (target != null) {
        return target.substring(target.indexOf('.') + 1);
      }
      String path = startLine.split(" ", 3)[1].replaceAll("\\?.*", "");
      String[] segments = path.split("/", 5);
      return method()
          + " "
          + String.join("/", Arrays.copyOf(segments, Math.min(4, segments.length)));
    }

    int status() {
      String[] parts = startLine.split(" ", 3);
      return Integer.parseInt(parts[1]);
    }

    boolean expectsContinue() {
      return "100-continue".equalsIgnoreCase(headers.getOrDefault("expect", ""));
    }

    boolean closes() {
      return "close".equalsIgnoreCase(headers.getOrDefault("connection", ""));
    }

    /** How the body after this head is delimited; {@code requestMethod} null for a request. */
    Framing framing(String requestMethod) {
      if (requestMethod != null) {
        int status = status();
        if ("HEAD".equals(requestMethod) || status < 200 || status == 204 || status == 304) {
          return new Framing(Framing.Kind.NONE, 0);
        }
      }
      if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
        return new Framing(Framing.Kind.CHUNKED, 0);
      }
      String length = headers.get("content-length");
      if (length != null) {
        return new Framing(Framing.Kind.LENGTH, Long.parseLong(length));
      }
      return new Framing(requestMethod == null ? Framing.Kind.NONE : Framing.Kind.TO_END, 0);
    }
  }
}
