package io.sluice.function;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sluice.core.access.ForbiddenException;
import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.lake.LakeTableExistsException;
import io.sluice.core.log.IdempotencyKeyReusedException;
import io.sluice.core.service.BucketNotFoundException;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.InvalidSqlException;
import io.sluice.core.service.MalformedBodyException;
import io.sluice.core.service.NotSupportedException;
import io.sluice.core.service.OffsetOutOfRangeException;
import io.sluice.core.service.OverloadedException;
import io.sluice.core.service.PartitionRejectedException;
import io.sluice.core.service.RequestTooLargeException;
import io.sluice.core.service.ScanOffsetsNotFoundException;
import io.sluice.core.service.TableExistsException;
import io.sluice.core.service.TableNotFoundException;
import io.sluice.core.store.StoreException;
import io.sluice.core.table.InvalidDefinitionException;
import io.sluice.core.table.InvalidNameException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps every failure to the status and error body of shared/API.md. */
public class ErrorMapper {
  private static final Logger LOG = Logger.getLogger(ErrorMapper.class);
  static final String RETRY_AFTER_SECONDS = "1";

  static Response error(int status, String code, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(ApiError.of(code, message))
        .build();
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e) {
    return error(403, "FORBIDDEN", e.getMessage());
  }

  @ServerExceptionMapper
  public Response invalidName(InvalidNameException e) {
    return error(400, "INVALID_NAME", e.getMessage());
  }

  @ServerExceptionMapper
  public Response invalidDefinition(InvalidDefinitionException e) {
    return error(400, "INVALID_DEFINITION", e.getMessage());
  }

  @ServerExceptionMapper
  public Response malformedBody(MalformedBodyException e) {
    return error(400, "MALFORMED_BODY", e.getMessage());
  }

  @ServerExceptionMapper
  public Response malformedJson(JsonProcessingException e) {
    return error(400, "MALFORMED_BODY", "Cannot parse the JSON body: " + e.getOriginalMessage());
  }

  @ServerExceptionMapper
  public Response schemaMismatch(SchemaMismatchException e) {
    return Response.status(400)
        .type(MediaType.APPLICATION_JSON)
        .entity(
            new ApiError(
                new ApiError.Detail(
                    "SCHEMA_MISMATCH",
                    e.getMessage(),
                    e.row() > 0 ? e.row() : null,
                    e.column(),
                    null)))
        .build();
  }

  @ServerExceptionMapper
  public Response invalidParameter(InvalidParameterException e) {
    return error(400, "INVALID_PARAMETER", e.getMessage());
  }

  @ServerExceptionMapper
  public Response invalidSql(InvalidSqlException e) {
    return error(400, "INVALID_SQL", e.getMessage());
  }

  @ServerExceptionMapper
  public Response notSupported(NotSupportedException e) {
    return error(400, "NOT_SUPPORTED", e.getMessage());
  }

  @ServerExceptionMapper
  public Response tableNotFound(TableNotFoundException e) {
    return error(404, "TABLE_NOT_FOUND", e.getMessage());
  }

  @ServerExceptionMapper
  public Response bucketNotFound(BucketNotFoundException e) {
    return error(404, "BUCKET_NOT_FOUND", e.getMessage());
  }

  @ServerExceptionMapper
  public Response scanOffsetsNotFound(ScanOffsetsNotFoundException e) {
    return error(404, "SCAN_OFFSETS_NOT_FOUND", e.getMessage());
  }

  @ServerExceptionMapper
  public Response tableExists(TableExistsException e) {
    return error(409, "TABLE_EXISTS", e.getMessage());
  }

  @ServerExceptionMapper
  public Response lakeTableExists(LakeTableExistsException e) {
    return error(409, "LAKE_TABLE_EXISTS", e.getMessage());
  }

  @ServerExceptionMapper
  public Response keyReused(IdempotencyKeyReusedException e) {
    return error(409, "IDEMPOTENCY_KEY_REUSED", e.getMessage());
  }

  @ServerExceptionMapper
  public Response offsetOutOfRange(OffsetOutOfRangeException e) {
    return Response.status(409)
        .type(MediaType.APPLICATION_JSON)
        .entity(
            new ApiError(
                new ApiError.Detail(
                    "OFFSET_OUT_OF_RANGE", e.getMessage(), null, null, e.logStartOffset())))
        .build();
  }

  @ServerExceptionMapper
  public Response partitionRejected(PartitionRejectedException e) {
    return Response.status(409)
        .type(MediaType.APPLICATION_JSON)
        .entity(
            new ApiError(
                new ApiError.Detail(e.reason().code(), e.getMessage(), e.row(), null, null)))
        .build();
  }

  @ServerExceptionMapper
  public Response requestTooLarge(RequestTooLargeException e) {
    return error(413, "BODY_TOO_LARGE", e.getMessage());
  }

  /** Too much is queued: nothing was written, retry in a moment. */
  @ServerExceptionMapper
  public Response overloaded(OverloadedException e) {
    return Response.status(429)
        .type(MediaType.APPLICATION_JSON)
        .header("Retry-After", RETRY_AFTER_SECONDS)
        .entity(ApiError.of("OVERLOADED", e.getMessage()))
        .build();
  }

  /** Every store failure that reaches a client leaves the outcome open: retry later. */
  @ServerExceptionMapper
  public Response unavailable(StoreException e) {
    LOG.warnf("Store failure answered with 503: %s", e.getMessage());
    return Response.status(503)
        .type(MediaType.APPLICATION_JSON)
        .header("Retry-After", RETRY_AFTER_SECONDS)
        .entity(ApiError.of("UNAVAILABLE", e.getMessage()))
        .build();
  }

  /**
   * Anything no other mapper takes is a defect of Sluice: logged with its stack trace under a fresh
   * error id, and answered as API.md's JSON error body with that id, never as a text page.
   */
  @ServerExceptionMapper
  public Response internal(Throwable e) {
    String id = UUID.randomUUID().toString();
    LOG.errorf(e, "Internal error %s", id);
    return error(
        500,
        "INTERNAL",
        "Internal error " + id + " (a defect of Sluice; the server log names it with its cause)");
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    String code =
        switch (status) {
          case 401 -> "UNAUTHENTICATED";
          case 403 -> "FORBIDDEN";
          case 404 -> "NOT_FOUND";
          case 413 -> "BODY_TOO_LARGE";
          case 415 -> "MALFORMED_BODY";
          default -> status < 500 ? "INVALID_PARAMETER" : "UNAVAILABLE";
        };
    return error(status, code, e.getMessage());
  }
}
