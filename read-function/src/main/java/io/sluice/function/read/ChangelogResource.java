package io.sluice.function.read;

import io.sluice.core.merge.ChangelogService;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.service.LogRead;
import io.sluice.core.service.RowFormat;
import io.sluice.core.table.TableName;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /v1/tables/{table}/buckets/{bucket}/changelog}: the changes a primary-key table's
 * bucket made from an offset, with exact before-images.
 */
@Path("/v1/tables/{table}/buckets/{bucket}/changelog")
public class ChangelogResource {
  @Inject ChangelogService changelogs;

  @GET
  public Response changelog(
      @PathParam("table") String table,
      @PathParam("bucket") String bucket,
      @QueryParam("partition") @DefaultValue("") String partition,
      @QueryParam("from") @DefaultValue("0") String from,
      @QueryParam("limit") @DefaultValue("1000") String limit,
      @QueryParam("format") @DefaultValue("json") String format)
      throws InterruptedException {
    RowFormat rowFormat = RowFormat.ofName(format);
    LogRead read =
        changelogs.read(
            TableName.parse(table),
            partition,
            (int) QueryParams.number("bucket", bucket),
            QueryParams.number("from", from),
            (int) QueryParams.number("limit", limit));
    return Response.ok(
            RowsWriter.stream(rowFormat, RowBatches.of(read.rows(), read), rows -> {}),
            rowFormat.mediaType())
        .header("Sluice-Next-Offset", read.nextOffset())
        .header("Sluice-High-Watermark", read.highWatermark())
        .build();
  }
}
