package io.sluice.function.write;

import io.sluice.core.service.AppendService;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.table.TableName;
import io.sluice.core.write.WriteBudget;
import io.sluice.function.ApiError;
import io.sluice.function.SluiceConfig;
import io.sluice.function.SluiceMetrics;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;

/** {@code POST /v1/tables/{table}/rows}: appends a JSON, NDJSON or Arrow body. */
@Path("/v1/tables/{table}/rows")
@Produces(MediaType.APPLICATION_JSON)
public class RowsResource {
  @Inject AppendService appends;
  @Inject SluiceConfig config;
  @Inject SluiceMetrics metrics;

  /**
   * Appends the body's rows; room for the body is reserved in the write budget before it is read
   * (429 OVERLOADED when there is none), so memory stays bounded whatever the load.
   */
  @POST
  @Consumes(MediaType.WILDCARD)
  public Response append(
      @PathParam("table") String table,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @HeaderParam(HttpHeaders.CONTENT_LENGTH) Long contentLength,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      @QueryParam("rowBuckets") @DefaultValue("false") String rowBuckets,
      InputStream body)
      throws IOException {
    long started = System.nanoTime();
    TableName name = TableName.parse(table);
    RowFormat format = RowFormat.ofContentType(contentType);
    AppendService.RowBuckets answerBuckets = rowBuckets(rowBuckets);
    long limit = config.maxBodyBytes();
    if (contentLength != null && contentLength > limit) {
      return tooLarge(limit);
    }
    try (WriteBudget.Reservation reservation =
        appends.admit(contentLength == null ? limit : contentLength)) {
      byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
      if (bytes.length > limit) {
        return tooLarge(limit);
      }
      AppendService.Appended appended =
          appends.append(
              name,
              new RowBody(format, bytes),
              Optional.ofNullable(idempotencyKey),
              answerBuckets,
              reservation);
      metrics.written(
          name.toString(),
          appended.result().rows(),
          bytes.length,
          200,
          Duration.ofNanos(System.nanoTime() - started));
      return Response.ok(WriteAnswer.of(appended)).build();
    }
  }

  private static AppendService.RowBuckets rowBuckets(String value) {
    return switch (value) {
      case "true" -> AppendService.RowBuckets.INCLUDED;
      case "false" -> AppendService.RowBuckets.OMITTED;
      default ->
          throw new InvalidParameterException(
              "rowBuckets must be true or false, not '" + value + "'");
    };
  }

  private static Response tooLarge(long limit) {
    return Response.status(413)
        .type(MediaType.APPLICATION_JSON)
        .entity(
            ApiError.of(
                "BODY_TOO_LARGE", "The body is larger than the limit of " + limit + " bytes"))
        .build();
  }
}
