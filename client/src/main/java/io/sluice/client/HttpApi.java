package io.sluice.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP side of the client: builds requests against the endpoint (with the bearer token and the
 * request timeout), sends them, and turns API error bodies into {@link SluiceException}s.
 */
final class HttpApi {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String JSON_TYPE = "application/json";
  static final String ARROW_TYPE = "application/vnd.apache.arrow.stream";

  private final String endpoint;
  private final Optional<String> token;
  private final Duration requestTimeout;
  private final HttpClient http;

  HttpApi(URI endpoint, Optional<String> token, Duration requestTimeout, Duration connectTimeout) {
    this.endpoint = endpoint.toString().replaceAll("/+$", "");
    this.token = token;
    this.requestTimeout = requestTimeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .build();
  }

  /** The path of a table's resource: {@code /v1/tables/<name><rest>}, the name encoded. */
  static String tablePath(String table, String rest) {
    if (table == null || table.isEmpty()) {
      throw new IllegalArgumentException("Cannot name a table: the name is empty");
    }
    return "/v1/tables/" + URLEncoder.encode(table, StandardCharsets.UTF_8) + rest;
  }

  /** A request to {@code path} (starting with {@code /}, already encoded). */
  HttpRequest.Builder request(String path) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(endpoint + path)).timeout(requestTimeout);
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return request;
  }

  /**
   * A request to {@code path} that the server may hold for {@code wait} (a long poll) before the
   * request timeout starts to count.
   */
  HttpRequest.Builder longPoll(String path, Duration wait) {
    return request(path).timeout(requestTimeout.plus(wait));
  }

  /** Sends a request and returns its answer, whatever its status. */
  HttpResponse<byte[]> exchange(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw unreachable(request, e);
    } catch (InterruptedException e) {
      throw interrupted(request, e);
    }
  }

  /** Keeps the interrupt and says which request it cut short. */
  private SluiceException interrupted(HttpRequest request, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new SluiceException(
        0,
        SluiceException.UNREACHABLE,
        "Interrupted while waiting for " + describe(request),
        null,
        null,
        e);
  }

  /** Sends a request and returns its answer if it is a 2xx; an error answer is thrown. */
  HttpResponse<byte[]> send(HttpRequest request) {
    HttpResponse<byte[]> response = exchange(request);
    if (response.statusCode() / 100 != 2) {
      throw error(response);
    }
    return response;
  }

  /** Sends a request whose 2xx answer is read as it streams in; an error answer is thrown. */
  HttpResponse<InputStream> stream(HttpRequest request) {
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(request, e);
    } catch (InterruptedException e) {
      throw interrupted(request, e);
    }
    if (response.statusCode() / 100 != 2) {
      try (InputStream body = response.body()) {
        throw error(response.statusCode(), request, body.readAllBytes());
      } catch (IOException e) {
        throw unreachable(request, e);
      }
    }
    return response;
  }

  /** Sends a request without waiting; the future completes with any answer, or an IOException. */
  CompletableFuture<HttpResponse<byte[]>> sendAsync(HttpRequest request) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Sends a request and reads its 2xx answer as JSON. */
  JsonNode sendForJson(HttpRequest request) {
    return json(send(request));
  }

  static JsonNode json(HttpResponse<byte[]> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new SluiceException(
          response.statusCode(),
          SluiceException.UNEXPECTED_ANSWER,
          "Cannot read the answer to " + describe(response.request()) + " as JSON: " + e,
          null,
          null,
          e);
    }
  }

  /** The exception an error answer stands for: its JSON error body, or its status alone. */
  static SluiceException error(HttpResponse<byte[]> response) {
    return error(response.statusCode(), response.request(), response.body());
  }

  private static SluiceException error(int status, HttpRequest request, byte[] bytes) {
    JsonNode error = null;
    try {
      error = JSON.readTree(bytes).get("error");
    } catch (IOException | RuntimeException e) {
      // not an API error body: a proxy or gateway answered
    }
    if (error == null || !error.isObject()) {
      String body = new String(bytes, StandardCharsets.UTF_8);
      return new SluiceException(
          status,
          status == 503 ? "UNAVAILABLE" : status == 429 ? "OVERLOADED" : "HTTP_" + status,
          describe(request)
              + " answered "
              + status
              + (body.isBlank() ? "" : ": " + abbreviate(body)),
          null,
          null);
    }
    JsonNode row = error.get("row");
    JsonNode column = error.get("column");
    return new SluiceException(
        status,
        error.path("code").asText("HTTP_" + status),
        error.path("message").asText(describe(request) + " answered " + status),
        row != null && row.canConvertToInt() ? row.asInt() : null,
        column != null && column.isTextual() ? column.asText() : null);
  }

  static SluiceException unreachable(HttpRequest request, IOException e) {
    return new SluiceException(
        0,
        SluiceException.UNREACHABLE,
        "Cannot " + describe(request) + ": " + (e.getMessage() == null ? e : e.getMessage()),
        null,
        null,
        e);
  }

  static String describe(HttpRequest request) {
    return request.method() + " " + request.uri();
  }

  private static String abbreviate(String text) {
    return text.length() > 500 ? text.substring(0, 500) + "..." : text;
  }
}
