package io.sluice.function.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.MalformedBodyException;
import io.sluice.core.service.RowFormat;
import io.sluice.function.CallerContext;
import io.sluice.function.SluiceMetrics;
import io.sluice.function.read.sql.SqlService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;

/** {@code POST /v1/sql} with {@code {"sql": "SELECT ..."}}: a read-only query over the tables. */
@Path("/v1/sql")
public class SqlResource {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject SqlService sql;
  @Inject CallerContext callers;
  @Inject SluiceMetrics metrics;

  @POST
  @Consumes(MediaType.WILDCARD)
  public Response query(@QueryParam("format") String format, String body) {
    JsonNode request;
    try {
      request = body == null || body.isBlank() ? null : JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new MalformedBodyException("Cannot parse the JSON body: " + e.getOriginalMessage());
    }
    if (request == null || !request.isObject() || !request.path("sql").isTextual()) {
      throw new MalformedBodyException(
          "The body must be a JSON object with the query as a string: {\"sql\": \"SELECT ...\"}");
    }
    JsonNode formatNode = request.get("format");
    if (formatNode != null && !formatNode.isNull() && !formatNode.isTextual()) {
      throw new InvalidParameterException("format must be a string, not " + formatNode);
    }
    RowFormat rowFormat =
        RowFormat.ofName(
            format != null ? format : formatNode == null ? "json" : formatNode.asText("json"));
    long started = System.nanoTime();
    RowBatches rows = sql.query(request.path("sql").asText(), callers.caller());
    PrefetchedBatches prefetched;
    try {
      prefetched = new PrefetchedBatches(rows);
    } catch (RuntimeException e) {
      rows.close();
      throw e;
    }
    return Response.ok(
            RowsWriter.stream(
                rowFormat,
                prefetched,
                written -> metrics.queried(written, Duration.ofNanos(System.nanoTime() - started))),
            rowFormat.mediaType())
        .build();
  }
}
