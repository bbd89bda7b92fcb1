package io.sluice.function.write;

import io.sluice.core.log.CommitResult;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.table.TableName;
import io.sluice.function.ApiError;
import io.sluice.function.SluiceConfig;
import io.sluice.function.SluiceMetrics;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
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

  @POST
  @Consumes(MediaType.WILDCARD)
  public Response append(
      @PathParam("table") String table,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      InputStream body)
      throws IOException {
    long started = System.nanoTime();
    TableName name = TableName.parse(table);
    RowFormat format = RowFormat.ofContentType(contentType);
    byte[] bytes =
        body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxBodyBytes() + 1));
    if (bytes.length > config.maxBodyBytes()) {
      return Response.status(413)
          .type(MediaType.APPLICATION_JSON)
          .entity(
              ApiError.of(
                  "BODY_TOO_LARGE",
                  "The body is larger than the limit of " + config.maxBodyBytes() + " bytes"))
          .build();
    }
    CommitResult result =
        appends.append(name, new RowBody(format, bytes), Optional.ofNullable(idempotencyKey));
    metrics.written(
        name.toString(),
        result.rows(),
        bytes.length,
        200,
        Duration.ofNanos(System.nanoTime() - started));
    return Response.ok(WriteAnswer.of(result)).build();
  }
}
