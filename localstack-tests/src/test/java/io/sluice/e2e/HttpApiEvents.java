package io.sluice.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * API Gateway HTTP API events (payload format 2.0), as the HTTP API sends them to a Lambda
 * integration, and their answers. Binary bodies travel base64-encoded, as they do there.
 */
public final class HttpApiEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpApiEvents() {}

  /** An answer: status, headers (lower-case names) and body. */
  public record Answer(int status, Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read answer " + status + " as JSON: " + text(), e);
      }
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  /**
   * The event for a request.
   *
   * @param routeKey the HTTP API route that matched, e.g. {@code POST /v1/tables/{table}/rows}
   * @param pathAndQuery the request's path with its raw query, e.g. {@code /v1/tables/t?x=1}
   */
  public static String request(
      String routeKey,
      String method,
      String pathAndQuery,
      Map<String, String> headers,
      byte[] body,
      boolean binary) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
    ObjectNode event = JSON.createObjectNode();
    event.put("version", "2.0");
    event.put("routeKey", routeKey);
    event.put("rawPath", path);
    event.put("rawQueryString", query);
    ObjectNode h = event.putObject("headers");
    h.put("host", "sluice.execute-api.us-east-1.amazonaws.com");
    headers.forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), v));
    if (body != null) {
      h.put("content-length", Integer.toString(body.length));
    }
    if (!query.isEmpty()) {
      ObjectNode params = event.putObject("queryStringParameters");
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String key =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        params.put(key, params.has(key) ? params.get(key).asText() + "," + value : value);
      }
    }
    Map<String, String> pathParameters = pathParameters(routeKey, path);
    if (!pathParameters.isEmpty()) {
      ObjectNode p = event.putObject("pathParameters");
      pathParameters.forEach(p::put);
    }
    ObjectNode context = event.putObject("requestContext");
    context.put("accountId", "000000000000");
    context.put("apiId", "sluice");
    context.put("domainName", "sluice.execute-api.us-east-1.amazonaws.com");
    context.put("domainPrefix", "sluice");
    context.put("requestId", UUID.randomUUID().toString());
    context.put("routeKey", routeKey);
    context.put("stage", "$default");
    context.put("time", Instant.now().toString());
    context.put("timeEpoch", System.currentTimeMillis());
    ObjectNode http = context.putObject("http");
    http.put("method", method);
    http.put("path", path);
    http.put("protocol", "HTTP/1.1");
    http.put("sourceIp", "127.0.0.1");
    http.put("userAgent", "sluice-e2e");
    if (body != null) {
      event.put(
          "body",
          binary
              ? Base64.getEncoder().encodeToString(body)
              : new String(body, StandardCharsets.UTF_8));
      event.put("isBase64Encoded", binary);
    } else {
      event.put("isBase64Encoded", false);
    }
    return event.toString();
  }

  /** The answer in a Lambda integration's response. */
  public static Answer answer(String response) {
    try {
      JsonNode node = JSON.readTree(response);
      Map<String, String> headers = new LinkedHashMap<>();
      node.path("headers")
          .fields()
          .forEachRemaining(
              e ->
                  headers.put(
                      e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue().asText()));
      node.path("multiValueHeaders")
          .fields()
          .forEachRemaining(
              e ->
                  headers.putIfAbsent(
                      e.getKey().toLowerCase(java.util.Locale.ROOT),
                      e.getValue().path(0).asText()));
      String body = node.path("body").asText("");
      byte[] bytes =
          node.path("isBase64Encoded").asBoolean(false)
              ? Base64.getDecoder().decode(body)
              : body.getBytes(StandardCharsets.UTF_8);
      return new Answer(node.path("statusCode").asInt(), headers, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read a Lambda HTTP answer: " + response, e);
    }
  }

  private static Map<String, String> pathParameters(String routeKey, String path) {
    Map<String, String> parameters = new LinkedHashMap<>();
    String[] route = routeKey.substring(routeKey.indexOf(' ') + 1).split("/");
    String[] actual = path.split("/");
    for (int i = 0; i < route.length && i < actual.length; i++) {
      if (route[i].startsWith("{")) {
        parameters.put(route[i].replaceAll("[{}+]", ""), actual[i]);
      }
    }
    return parameters;
  }
}
