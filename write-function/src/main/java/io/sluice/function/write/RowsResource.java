package io.sluice.function.write;

import io.sluice.core.service.AppendService;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.table.TableName;
import io.sluice.core.write.WriteBudget;
import io.sluice.function.SluiceConfig;
import io.sluice.function.SluiceMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code POST /v1/tables/{table}/rows}: appends a JSON, NDJSON or Arrow body.
 *
 * <p>The body is read whole on the I/O thread (up to {@code quarkus.rest.input-buffer-size}), after
 * {@link WriteAdmission} reserved its room, and the append, which waits for its group's commit,
 * runs on a worker. A body read from a worker thread instead (a blocking resource taking an {@code
 * InputStream}) hands every network chunk from the I/O thread to the worker and back: in the ingest
 * profile that cost about 40 % of the server's CPU per write.
 */
@Path("/v1/tables/{table}/rows")
@Produces(MediaType.APPLICATION_JSON)
public class RowsResource {
  @Inject AppendService appends;
  @Inject SluiceConfig config;
  @Inject SluiceMetrics metrics;

  /** Appends the body's rows. */
  @POST
  @Consumes(MediaType.WILDCARD)
  public Uni<Response> append(
      @PathParam("table") String table,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      @QueryParam("rowBuckets") @DefaultValue("false") String rowBuckets,
      @Context RoutingContext routing,
      byte[] body) {
    long started = System.nanoTime();
    TableName name = TableName.parse(table);
    RowFormat format = RowFormat.ofContentType(contentType);
    AppendService.RowBuckets answerBuckets = rowBuckets(rowBuckets);
    long limit = config.maxBodyBytes();
    if (body.length > limit) {
      throw WriteAdmission.tooLarge(limit);
    }
    WriteBudget.Reservation reservation = WriteAdmission.reservation(routing);
    return Uni.createFrom()
        .item(
            () -> {
              AppendService.Appended appended =
                  appends.append(
                      name,
                      new RowBody(format, body),
                      Optional.ofNullable(idempotencyKey),
                      answerBuckets,
                      reservation);
              metrics.written(
                  name.toString(),
                  appended.result().rows(),
                  body.length,
                  200,
                  Duration.ofNanos(System.nanoTime() - started));
              return Response.ok(WriteAnswer.of(appended)).build();
            })
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
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
}
