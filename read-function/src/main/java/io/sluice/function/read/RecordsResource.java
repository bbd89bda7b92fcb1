package io.sluice.function.read;

import io.sluice.core.scan.RowBatches;
import io.sluice.core.service.LogRead;
import io.sluice.core.service.LogReadService;
import io.sluice.core.service.RowFormat;
import io.sluice.core.table.TableName;
import io.sluice.function.SluiceMetrics;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code GET /v1/tables/{table}/buckets/{bucket}/records}: a bucket's log from an offset. */
@Path("/v1/tables/{table}/buckets/{bucket}/records")
public class RecordsResource {
  @Inject LogReadService reads;
  @Inject SluiceMetrics metrics;

  @GET
  public Response records(
      @PathParam("table") String table,
      @PathParam("bucket") String bucket,
      @QueryParam("partition") @DefaultValue("") String partition,
      @QueryParam("from") @DefaultValue("0") String from,
      @QueryParam("limit") @DefaultValue("1000") String limit,
      @QueryParam("columns") String columns,
      @QueryParam("format") @DefaultValue("json") String format,
      @QueryParam("waitMs") @DefaultValue("0") String waitMs)
      throws InterruptedException {
    long started = System.nanoTime();
    TableName name = TableName.parse(table);
    RowFormat rowFormat = RowFormat.ofName(format);
    Optional<List<String>> projection = QueryParams.columns(columns);
    LogRead read =
        reads.read(
            new LogReadService.Request(
                name,
                partition,
                (int) QueryParams.number("bucket", bucket),
                QueryParams.number("from", from),
                (int) QueryParams.number("limit", limit),
                projection,
                QueryParams.number("waitMs", waitMs)));
    long bytes = read.rows().getFieldVectors().stream().mapToLong(v -> v.getBufferSize()).sum();
    metrics.read(
        name.toString(),
        read.rows().getRowCount(),
        bytes,
        Duration.ofNanos(System.nanoTime() - started));
    return Response.ok(
            RowsWriter.stream(rowFormat, RowBatches.of(read.rows(), read), rows -> {}),
            rowFormat.mediaType())
        .header("Sluice-Next-Offset", read.nextOffset())
        .header("Sluice-High-Watermark", read.highWatermark())
        .build();
  }
}
