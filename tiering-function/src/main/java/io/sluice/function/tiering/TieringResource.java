package io.sluice.function.tiering;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.LogWaiter;
import io.sluice.core.service.NotSupportedException;
import io.sluice.core.service.TableService;
import io.sluice.core.table.TableName;
import io.sluice.core.tiering.TieringService;
import io.sluice.function.TableViews;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code POST /v1/tables/{t}/tier}. */
@Path("/v1/tables/{table}")
@Produces(MediaType.APPLICATION_JSON)
public class TieringResource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_WAIT_MILLIS = 600_000;

  @Inject TableService tables;
  @Inject TieringService tiering;
  @Inject LakeFormats lakes;
  @Inject @TieringOwner String owner;
  @Inject LogWaiter waiter;

  /**
   * Tiers now: 200 once everything acknowledged before the call is in every lake, with each
   * format's snapshot and offsets; 202 when that takes longer than {@code waitMs}.
   */
  @POST
  @Path("tier")
  public Response tier(
      @PathParam("table") String table, @QueryParam("waitMs") @DefaultValue("25000") String waitMs)
      throws InterruptedException {
    long wait = parseWait(waitMs);
    TableService.Description description = tables.describe(TableName.parse(table));
    TableEntry entry = description.table();
    if (entry.definition().lakeFormats().isEmpty()) {
      throw new NotSupportedException(
          "Cannot tier table " + entry.name() + ": it has no lake formats");
    }
    long deadline = System.nanoTime() + wait * 1_000_000;
    Set<PartitionBucket> behind = Set.of();
    while (true) {
      TieringService.Result result = tiering.tier(entry, owner, behind);
      Optional<ObjectNode> done = answerIfCaughtUp(description, result);
      if (done.isPresent()) {
        return Response.ok(done.get()).build();
      }
      // Named on the next run: the pending marks may not show them yet, or at all.
      behind = behind(description, result);
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return Response.accepted(JSON.createObjectNode().put("status", "tiering")).build();
      }
      if (!result.leased()) {
        // Another runner holds the table: give it time instead of spinning on the lease.
        waiter.await(Math.min(left, LogWaiter.RECHECK_MILLIS));
      }
    }
  }

  /** The buckets some format of the run holds below the head read before the call. */
  private static Set<PartitionBucket> behind(
      TableService.Description marks, TieringService.Result result) {
    Set<PartitionBucket> behind = new HashSet<>();
    for (TieringService.FormatResult format : result.formats()) {
      Map<PartitionBucket, Long> offsets =
          format.snapshot().map(LakeSnapshot::offsets).orElse(Map.of());
      marks
          .partitions()
          .forEach(
              (partition, heads) ->
                  heads.forEach(
                      mark -> {
                        PartitionBucket at = new PartitionBucket(partition, mark.bucket());
                        if (offsets.getOrDefault(at, 0L) < mark.nextOffset()) {
                          behind.add(at);
                        }
                      }));
    }
    return behind;
  }

  private static Optional<ObjectNode> answerIfCaughtUp(
      TableService.Description marks, TieringService.Result result) {
    if (!result.leased()) {
      return Optional.empty();
    }
    ObjectNode answer = JSON.createObjectNode();
    for (TieringService.FormatResult format : result.formats()) {
      Map<PartitionBucket, Long> offsets =
          format.snapshot().map(LakeSnapshot::offsets).orElse(Map.of());
      for (Map.Entry<String, List<BucketHead>> partition : marks.partitions().entrySet()) {
        for (BucketHead mark : partition.getValue()) {
          PartitionBucket at = new PartitionBucket(partition.getKey(), mark.bucket());
          if (offsets.getOrDefault(at, 0L) < mark.nextOffset()) {
            return Optional.empty();
          }
        }
      }
      ObjectNode node = answer.putObject(format.format().apiName());
      format.snapshot().ifPresent(s -> node.put("snapshotId", s.snapshotId()));
      node.set("offsets", TableViews.offsets(offsets));
    }
    return Optional.of(answer);
  }

  private static long parseWait(String value) {
    try {
      long wait = Long.parseLong(value.trim());
      if (wait >= 0 && wait <= MAX_WAIT_MILLIS) {
        return wait;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidParameterException(
        "waitMs must be 0 to " + MAX_WAIT_MILLIS + ", not '" + value + "'");
  }
}
