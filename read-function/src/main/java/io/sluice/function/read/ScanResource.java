package io.sluice.function.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.scan.ScanOffsetsStore;
import io.sluice.core.scan.ScanService;
import io.sluice.core.scan.ScanSource;
import io.sluice.core.scan.TableScan;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.MalformedBodyException;
import io.sluice.core.service.RowFormat;
import io.sluice.core.service.TableService;
import io.sluice.core.table.TableName;
import io.sluice.function.SluiceMetrics;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code GET} and {@code POST /v1/tables/{table}/scan}: the whole table as of now, from the lake,
 * the log, or both exactly once.
 */
@Path("/v1/tables/{table}/scan")
public class ScanResource {
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String OFFSETS = "Sluice-Scan-Offsets";
  static final String OFFSETS_LINK = "Sluice-Scan-Offsets-Link";

  private static final String SCAN_DESCRIPTION =
      "source=union (default) reads the newest lake snapshot plus each bucket's log past its"
          + " offsets; lake or log read one of them. A filter (JSON: {\"column\", \"op\","
          + " \"value\"} with op = != < <= > >=, {\"column\", \"op\": \"in\", \"values\":"
          + " [...]}, is_null, is_not_null, and/or/not) is pushed down to the lake; on a"
          + " partitioned table a filter on partition source columns also prunes partitions:"
          + " no log segment, index page or lake file of a partition none of whose rows can pass"
          + " is read, and the offsets do not name it.";
  private static final String OFFSETS_DESCRIPTION =
      "Per bucket ({\"0\": 120}), or per partition and bucket ({\"t_day=2026-11-25\": {\"0\":"
          + " 120}}), the offset the scan read the log up to, where a client follows the log from;"
          + " partitions the filter pruned are not named. Present when the JSON takes at most"
          + " 8 KB; otherwise Sluice-Scan-Offsets-Link is.";
  private static final String OFFSETS_LINK_DESCRIPTION =
      "When the offsets JSON would take more than 8 KB: the path"
          + " (/v1/tables/{table}/scan/offsets/{id}) from which GET fetches exactly that JSON,"
          + " for 24 hours. The offsets are kept in the object store, so any instance answers.";

  @Inject ScanService scans;
  @Inject ScanOffsetsStore offsetsStore;
  @Inject TableService tables;
  @Inject SluiceMetrics metrics;

  @Operation(
      summary = "Scan the whole table: the lake snapshot plus the log tail, exactly once",
      description = SCAN_DESCRIPTION)
  @APIResponse(
      responseCode = "200",
      description = "The rows, in the format asked for",
      headers = {
        @Header(name = OFFSETS, description = OFFSETS_DESCRIPTION),
        @Header(name = OFFSETS_LINK, description = OFFSETS_LINK_DESCRIPTION),
        @Header(name = "Sluice-Lake-Snapshot", description = "The lake snapshot read, if any"),
        @Header(name = "Sluice-Lake", description = "The lake format read, if any")
      })
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
  @Operation(
      summary = "Scan the whole table: the lake snapshot plus the log tail, exactly once",
      description = SCAN_DESCRIPTION)
  @APIResponse(
      responseCode = "200",
      description = "The rows, in the format asked for",
      headers = {
        @Header(name = OFFSETS, description = OFFSETS_DESCRIPTION),
        @Header(name = OFFSETS_LINK, description = OFFSETS_LINK_DESCRIPTION),
        @Header(name = "Sluice-Lake-Snapshot", description = "The lake snapshot read, if any"),
        @Header(name = "Sluice-Lake", description = "The lake format read, if any")
      })
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
            format.mediaType());
    String offsets = scan.offsetsJson();
    if (ScanOffsetsStore.fitsHeader(offsets)) {
      response.header(OFFSETS, offsets);
    } else {
      String id;
      try {
        id = offsetsStore.keep(scan.table(), offsets);
      } catch (RuntimeException e) {
        rows.close();
        throw e;
      }
      response.header(OFFSETS_LINK, "/v1/tables/" + table + "/scan/offsets/" + id);
    }
    scan.snapshot()
        .ifPresent(
            s ->
                response
                    .header("Sluice-Lake-Snapshot", s.snapshotId())
                    .header("Sluice-Lake", s.format().apiName()));
    return response.build();
  }

  /**
   * The offsets of a scan whose {@code Sluice-Scan-Offsets} would not fit a header, by the id its
   * {@code Sluice-Scan-Offsets-Link} gives: exactly that JSON, for 24 hours after the scan.
   */
  @GET
  @Path("offsets/{id}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "The offsets of a scan, by the link its answer gave",
      description =
          "A scan answers with its offsets (per bucket, or per partition and bucket, the offset"
              + " it read the log up to) in the Sluice-Scan-Offsets header when they take at most"
              + " 8 KB; larger ones (a partitioned table with many partitions) are kept in the"
              + " object store, where every instance of the read function finds them, and the"
              + " Sluice-Scan-Offsets-Link header gives this path instead. It answers exactly the"
              + " JSON the header would have held, for 24 hours after the scan.")
  @APIResponse(
      responseCode = "200",
      description = "The scan's offsets, as the Sluice-Scan-Offsets header would give them")
  @APIResponse(
      responseCode = "404",
      description =
          "SCAN_OFFSETS_NOT_FOUND: no offsets under this id (expired, or of another table);"
              + " TABLE_NOT_FOUND")
  @APIResponse(responseCode = "400", description = "INVALID_PARAMETER: not such an id")
  public String offsets(@PathParam("table") String table, @PathParam("id") String id) {
    return offsetsStore.find(tables.table(TableName.parse(table)), id);
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
