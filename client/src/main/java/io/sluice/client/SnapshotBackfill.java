package io.sluice.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The back-fill of a {@link TableReader}: the rows of the lake's newest snapshot, streamed from a
 * lake-only scan ({@code source=lake}) batch by batch, with the offsets that snapshot was tiered up
 * to, where following the log takes over so that every row is delivered once.
 *
 * <p>The scan API reads only the newest snapshot. A back-fill resumed from a checkpoint therefore
 * scans again, checks that the newest snapshot is still the one the checkpoint names, and skips the
 * rows already delivered by count (a snapshot's lake files are read in the same order every time);
 * when a newer snapshot was committed in between, it fails rather than guess.
 */
final class SnapshotBackfill implements AutoCloseable {
  private final String table;
  private final String lake;
  private final OptionalLong snapshotId;
  private final Map<BucketId, Long> offsets;
  private final ArrowBatches batches;
  private long delivered;
  private boolean finished;
  private boolean loaded; // whether the current batch has rows from `position` on to deliver
  private int position;

  private SnapshotBackfill(
      String table,
      String lake,
      OptionalLong snapshotId,
      Map<BucketId, Long> offsets,
      ArrowBatches batches) {
    this.table = table;
    this.lake = lake;
    this.snapshotId = snapshotId;
    this.offsets = offsets;
    this.batches = batches;
  }

  /** Starts the lake-only scan of a table in {@code lake}. */
  static SnapshotBackfill open(
      HttpApi api, TableDescription table, String lake, BufferAllocator allocator) {
    String body =
        HttpApi.JSON.createObjectNode().put("source", "lake").put("lake", lake).toString();
    HttpRequest request =
        api.request(HttpApi.tablePath(table.name(), "/scan?format=arrow"))
            .header("Content-Type", HttpApi.JSON_TYPE)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    HttpResponse<InputStream> response = api.stream(request);
    try {
      Map<BucketId, Long> offsets = offsets(api, response);
      OptionalLong snapshot =
          response
              .headers()
              .firstValue("Sluice-Lake-Snapshot")
              .map(id -> OptionalLong.of(Long.parseLong(id.trim())))
              .orElse(OptionalLong.empty());
      return new SnapshotBackfill(
          table.name(), lake, snapshot, offsets, new ArrowBatches(response.body(), allocator));
    } catch (RuntimeException e) {
      try {
        response.body().close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      allocator.close();
      throw e;
    }
  }

  /** The lake format read. */
  String lake() {
    return lake;
  }

  /** The snapshot read; empty when the table was never tiered (the back-fill has no rows). */
  OptionalLong snapshotId() {
    return snapshotId;
  }

  /** Per bucket, the offset the snapshot was tiered up to: where following the log starts. */
  Map<BucketId, Long> offsets() {
    return offsets;
  }

  /** The progress to put into a checkpoint, while rows may be left. */
  Optional<Checkpoint.Backfill> progress() {
    return finished || snapshotId.isEmpty()
        ? Optional.empty()
        : Optional.of(new Checkpoint.Backfill(lake, snapshotId.getAsLong(), delivered));
  }

  /**
   * Skips the first {@code rows} rows, those delivered before the checkpoint a reader resumes.
   *
   * @throws IllegalStateException when the snapshot has fewer rows
   */
  void skip(long rows) {
    long skipped = 0;
    while (skipped < rows) {
      if (!batches.next()) {
        throw new IllegalStateException(
            ("Cannot resume the back-fill of %s from %s snapshot %s after %d rows: the snapshot"
                    + " has only %d")
                .formatted(table, lake, snapshotId.getAsLong(), rows, skipped));
      }
      int count = batches.root().getRowCount();
      if (skipped + count > rows) {
        loaded = true;
        position = (int) (rows - skipped);
        skipped = rows;
      } else {
        skipped += count;
      }
    }
    delivered = rows;
  }

  /** The next at most {@code max} records of the snapshot; empty once all are delivered. */
  List<TableRecord> next(int max) {
    while (!finished) {
      if (!loaded) {
        if (!batches.next()) {
          finished = true;
          break;
        }
        loaded = true;
        position = 0;
      }
      int count = batches.root().getRowCount();
      if (position >= count) {
        loaded = false;
        continue;
      }
      int end = Math.min(count, position + max);
      List<TableRecord> records =
          ArrowRecords.decode(batches.root(), Optional.empty(), position, end);
      position = end;
      delivered += records.size();
      return records;
    }
    return List.of();
  }

  @Override
  public void close() {
    batches.close();
  }

  /** The offsets of the scan: from {@code Sluice-Scan-Offsets}, or fetched from its link. */
  private static Map<BucketId, Long> offsets(HttpApi api, HttpResponse<?> response) {
    Optional<String> header = response.headers().firstValue("Sluice-Scan-Offsets");
    JsonNode json;
    if (header.isPresent()) {
      try {
        json = HttpApi.JSON.readTree(header.get());
      } catch (IOException e) {
        throw new SluiceException(
            response.statusCode(),
            SluiceException.UNEXPECTED_ANSWER,
            "Cannot read Sluice-Scan-Offsets of " + HttpApi.describe(response.request()) + ": " + e,
            null,
            null,
            e);
      }
    } else {
      String link =
          response
              .headers()
              .firstValue("Sluice-Scan-Offsets-Link")
              .orElseThrow(
                  () ->
                      new SluiceException(
                          response.statusCode(),
                          SluiceException.UNEXPECTED_ANSWER,
                          "Cannot follow the log after "
                              + HttpApi.describe(response.request())
                              + ": the answer has neither Sluice-Scan-Offsets nor"
                              + " Sluice-Scan-Offsets-Link",
                          null,
                          null));
      json = api.sendForJson(api.request(link).GET().build());
    }
    Map<BucketId, Long> offsets = new TreeMap<>();
    json.fields()
        .forEachRemaining(
            entry -> {
              if (entry.getValue().isObject()) {
                entry
                    .getValue()
                    .fields()
                    .forEachRemaining(
                        bucket ->
                            offsets.put(
                                new BucketId(entry.getKey(), Integer.parseInt(bucket.getKey())),
                                bucket.getValue().asLong()));
              } else {
                offsets.put(
                    BucketId.of(Integer.parseInt(entry.getKey())), entry.getValue().asLong());
              }
            });
    return offsets;
  }
}
