package io.sluice.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a {@link TableReader} stands, to store and resume from exactly once: for every bucket
 * followed, the offset of the next row to deliver; and, while the lake snapshot is still being
 * back-filled, which snapshot and how many of its rows were delivered ({@link #backfill}).
 *
 * <p>Store it with {@link #toJson} and read it back with {@link #parse}. It names the table's id,
 * so a checkpoint never resumes on a table dropped and created again under the same name.
 */
public final class Checkpoint {
  /**
   * How far a back-fill got: the lake format and snapshot it reads and the rows of it delivered.
   */
  public record Backfill(String lake, long snapshotId, long rowsDelivered) {
    public Backfill {
      Objects.requireNonNull(lake, "lake");
      if (rowsDelivered < 0) {
        throw new IllegalArgumentException(
            "Cannot resume a back-fill after " + rowsDelivered + " rows: must be >= 0");
      }
    }
  }

  private final String table;
  private final String tableId;
  private final Map<BucketId, Long> offsets;
  private final Optional<Backfill> backfill;

  Checkpoint(
      String table, String tableId, Map<BucketId, Long> offsets, Optional<Backfill> backfill) {
    this.table = Objects.requireNonNull(table, "table");
    this.tableId = tableId;
    this.offsets = Collections.unmodifiableMap(new TreeMap<>(offsets));
    this.backfill = backfill;
  }

  /** The qualified name of the table read. */
  public String table() {
    return table;
  }

  /** The id of the table read, which a new table of the same name does not share. */
  public String tableId() {
    return tableId;
  }

  /**
   * Per bucket, the offset of the next row to deliver; during a back-fill, the offsets the lake
   * snapshot was tiered up to, where the log is followed from once it is read.
   */
  public Map<BucketId, Long> offsets() {
    return offsets;
  }

  /** The back-fill still under way, if any. */
  public Optional<Backfill> backfill() {
    return backfill;
  }

  /** The checkpoint as JSON, for {@link #parse}. */
  public String toJson() {
    ObjectNode json = HttpApi.JSON.createObjectNode();
    json.put("table", table);
    json.put("tableId", tableId);
    ArrayNode list = json.putArray("offsets");
    offsets.forEach(
        (bucket, offset) -> {
          ObjectNode entry = list.addObject();
          if (bucket.partition() != null) {
            entry.put("partition", bucket.partition());
          }
          entry.put("bucket", bucket.bucket()).put("offset", offset);
        });
    backfill.ifPresent(
        b ->
            json.putObject("backfill")
                .put("lake", b.lake())
                .put("snapshotId", b.snapshotId())
                .put("rowsDelivered", b.rowsDelivered()));
    return json.toString();
  }

  /**
   * Reads a checkpoint {@link #toJson} wrote.
   *
   * @throws IllegalArgumentException when the text is not such a checkpoint
   */
  public static Checkpoint parse(String json) {
    JsonNode node;
    try {
      node = HttpApi.JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read the checkpoint: not JSON: " + e, e);
    }
    if (node == null
        || !node.path("table").isTextual()
        || !node.path("offsets").isArray()
        || !node.path("tableId").isTextual()) {
      throw new IllegalArgumentException(
          "Cannot read the checkpoint: expected table, tableId and offsets, got " + json);
    }
    Map<BucketId, Long> offsets = new TreeMap<>();
    for (JsonNode entry : node.path("offsets")) {
      JsonNode partition = entry.get("partition");
      if (!entry.path("bucket").canConvertToInt() || !entry.path("offset").canConvertToLong()) {
        throw new IllegalArgumentException(
            "Cannot read the checkpoint: an offset needs bucket and offset, got " + entry);
      }
      offsets.put(
          new BucketId(
              partition == null || partition.isNull() ? null : partition.asText(),
              entry.path("bucket").asInt()),
          entry.path("offset").asLong());
    }
    JsonNode backfill = node.get("backfill");
    return new Checkpoint(
        node.path("table").asText(),
        node.path("tableId").asText(),
        offsets,
        backfill == null || backfill.isNull()
            ? Optional.empty()
            : Optional.of(
                new Backfill(
                    backfill.path("lake").asText(),
                    backfill.path("snapshotId").asLong(),
                    backfill.path("rowsDelivered").asLong())));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Checkpoint c
        && table.equals(c.table)
        && Objects.equals(tableId, c.tableId)
        && offsets.equals(c.offsets)
        && backfill.equals(c.backfill);
  }

  @Override
  public int hashCode() {
    return Objects.hash(table, tableId, offsets, backfill);
  }

  @Override
  public String toString() {
    return toJson();
  }
}
