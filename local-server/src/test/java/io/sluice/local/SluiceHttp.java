package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small client of the Sluice HTTP API for tests: raw paths (nothing re-encoded), raw bodies, and
 * answers kept whole so that failures can show them.
 */
final class SluiceHttp {
  static final String JSON = "application/json";
  static final String NDJSON = "application/x-ndjson";
  static final String ARROW = "application/vnd.apache.arrow.stream";
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final URI base;
  private final HttpClient client;
  private final Map<String, String> headers;

  SluiceHttp(URI base) {
    this(base, Map.of());
  }

  private SluiceHttp(URI base, Map<String, String> headers) {
    this.base = base;
    this.headers = headers;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /** The same client sending these headers with every request. */
  SluiceHttp withHeaders(Map<String, String> extra) {
    return new SluiceHttp(base, extra);
  }

  /** An HTTP answer: status, headers and body bytes. */
  record Answer(String request, int status, HttpResponse<byte[]> response) {
    String text() {
      return new String(response.body(), StandardCharsets.UTF_8);
    }

    byte[] bytes() {
      return response.body();
    }

    JsonNode json() {
      try {
        return MAPPER.readTree(response.body());
      } catch (IOException e) {
        throw new AssertionError("Not JSON: " + this, e);
      }
    }

    Optional<String> header(String name) {
      return response.headers().firstValue(name);
    }

    long longHeader(String name) {
      return Long.parseLong(
          header(name).orElseThrow(() -> new AssertionError("No header " + name + ": " + this)));
    }

    /** The error code of an API error body. */
    String errorCode() {
      return json().path("error").path("code").asText(null);
    }

    String errorMessage() {
      return json().path("error").path("message").asText(null);
    }

    @Override
    public String toString() {
      String body = text();
      return request
          + " -> "
          + status
          + " "
          + (body.length() > 2000 ? body.substring(0, 2000) + "..." : body);
    }
  }

  /**
   * The {@code id} of every row a scan of {@code table} returns ({@code query}: more parameters).
   */
  List<Long> scannedIds(String table, String query) {
    Answer scan = get("/v1/tables/" + table + "/scan?columns=id" + query);
    assertThat(scan.status()).as("%s: %s", scan, scan.text()).isEqualTo(200);
    List<Long> ids = new ArrayList<>();
    scan.json().forEach(row -> ids.add(row.path("id").asLong()));
    return ids;
  }

  Answer get(String path) {
    return send("GET", path, null, null, Map.of());
  }

  Answer delete(String path) {
    return send("DELETE", path, null, null, Map.of());
  }

  Answer putJson(String path, String json) {
    return send("PUT", path, JSON, json.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  Answer post(String path, String contentType, byte[] body) {
    return send("POST", path, contentType, body, Map.of());
  }

  Answer post(String path, String contentType, byte[] body, Map<String, String> extraHeaders) {
    return send("POST", path, contentType, body, extraHeaders);
  }

  Answer postJson(String path, String json) {
    return post(path, JSON, json.getBytes(StandardCharsets.UTF_8));
  }

  Answer send(
      String method,
      String path,
      String contentType,
      byte[] body,
      Map<String, String> extraHeaders) {
    URI uri = URI.create(base.toString().replaceAll("/$", "") + path);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    headers.forEach(request::header);
    extraHeaders.forEach(request::header);
    try {
      HttpResponse<byte[]> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Answer(method + " " + path, response.statusCode(), response);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot " + method + " " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted: " + method + " " + uri, e);
    }
  }
}
