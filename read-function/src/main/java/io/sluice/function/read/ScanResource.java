package io.sluice.function.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.scan.ScanService;
import io.sluice.core.scan.ScanSource;
import io.sluice.core.scan.TableScan;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.MalformedBodyException;
import io.sluice.core.service.RowFormat;
import io.sluice.core.table.TableName;
import io.sluice.function.SluiceMetrics;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET} and {@code POST /v1/tables/{table}/scan}: the whole table as of now, from the lake,
 * the log, or both exactly once.
 */
@Path("/v1/tables/{table}/scan")
public class ScanResource {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject ScanService scans;
  @Inject SluiceMetrics metrics;

  @GET
  public Response scan(
      @PathParam("table") String table,
      @QueryParam("columns") String columns,
      @QueryParam("filter") String filter,
      @QueryParam("source") @DefaultValue("union") String source,
      @QueryParam("lake") String lake,
      @QueryParam("format") @DefaultValue("json") String format,
      @QueryParam("limit") String limit) {
    Optional<JsonNode> filterNode = Optional.empty();
    if (filter != null && !filter.isBlank()) {
      try {
        filterNode = Optional.of(JSON.readTree(filter));
      } catch (JsonProcessingException e) {
        throw new InvalidParameterException("filter must be JSON: " + e.getOriginalMessage());
      }
    }
    return run(
        new ScanService.Request(
            TableName.parse(table),
            QueryParams.columns(columns),
            filterNode,
            ScanSource.ofName(source),
            QueryParams.lakeFormat(lake),
            limit == null ? 0 : QueryParams.number("limit", limit)),
        RowFormat.ofName(format));
  }

  /** The same with {@code {"columns": [...], "filter": ..., "source": ..., "lake": ...}}. */
  @POST
  @Consumes(MediaType.WILDCARD)
  public Response scan(
      @PathParam("table") String table, @QueryParam("format") String format, String body) {
    JsonNode request;
    try {
      request = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new MalformedBodyException("Cannot parse the JSON body: " + e.getOriginalMessage());
    }
    if (!request.isObject()) {
      throw new MalformedBodyException("The scan body must be a JSON object");
    }
    Optional<List<String>> columns = Optional.empty();
    JsonNode columnsNode = request.get("columns");
    if (columnsNode != null && !columnsNode.isNull()) {
      if (!columnsNode.isArray()) {
        throw new InvalidParameterException("columns must be an array of column names");
      }
      List<String> names = new ArrayList<>();
      for (JsonNode name : columnsNode) {
        if (!name.isTextual()) {
          throw new InvalidParameterException(
              "columns must be an array of column names, not " + name);
        }
        names.add(name.asText());
      }
      columns = Optional.of(names);
    }
    JsonNode limit = request.get("limit");
    if (limit != null && !limit.isNull() && !limit.canConvertToLong()) {
      throw new InvalidParameterException("limit must be a whole number, not " + limit);
    }
    String formatName = format != null ? format : text(request, "format").orElse("json");
    return run(
        new ScanService.Request(
            TableName.parse(table),
            columns,
            Optional.ofNullable(request.get("filter")).filter(f -> !f.isNull()),
            ScanSource.ofName(text(request, "source").orElse("union")),
            QueryParams.lakeFormat(text(request, "lake").orElse(null)),
            limit == null || limit.isNull() ? 0 : limit.asLong()),
        RowFormat.ofName(formatName));
  }

  private Response run(ScanService.Request request, RowFormat format) {
    long started = System.nanoTime();
    TableScan scan = scans.scan(request);
    // Read the first batch now, so that a lake or log that cannot be read answers with its error
    // code instead of a cut-off 200.
    PrefetchedBatches rows;
    try {
      rows = new PrefetchedBatches(scan);
    } catch (RuntimeException e) {
      scan.close();
      throw e;
    }
    String table = request.table().toString();
    Response.ResponseBuilder response =
        Response.ok(
                RowsWriter.stream(
                    format,
                    rows,
                    written ->
                        metrics.scanned(
                            table,
                            request.source().apiName(),
                            written,
                            Duration.ofNanos(System.nanoTime() - started))),
                format.mediaType())
            .header("Sluice-Scan-Offsets", scan.offsetsJson());
    scan.snapshot()
        .ifPresent(
            s ->
                response
                    .header("Sluice-Lake-Snapshot", s.snapshotId())
                    .header("Sluice-Lake", s.format().apiName()));
    return response.build();
  }

  private static Optional<String> text(JsonNode request, String field) {
    JsonNode node = request.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw new InvalidParameterException(field + " must be a string, not " + node);
    }
    return Optional.of(node.asText());
  }
}
