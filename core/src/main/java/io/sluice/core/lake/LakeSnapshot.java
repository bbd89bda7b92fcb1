package io.sluice.core.lake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.table.LakeFormatName;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One snapshot of a lake table: its id, commit time, total row count and, for snapshots that
 * tiering committed, the Sluice table id and the end offset (exclusive) of every log bucket it
 * holds. Compaction and maintenance snapshots carry no offsets.
 */
public record LakeSnapshot(
    LakeFormatName format,
    long snapshotId,
    Instant commitTime,
    long rows,
    Optional<String> tableId,
    Map<Integer, Long> offsets) {

  /** Snapshot property naming the Sluice table incarnation whose log it holds. */
  public static final String TABLE_ID_PROPERTY = "sluice.table-id";

  /** Snapshot property with the tiered end offsets: JSON of bucket to offset. */
  public static final String OFFSETS_PROPERTY = "sluice.offsets";

  public LakeSnapshot {
    offsets = Map.copyOf(offsets);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Offsets as the {@value #OFFSETS_PROPERTY} property holds them: {@code {"0": 300, "1": 298}}.
   */
  public static String offsetsJson(Map<Integer, Long> offsets) {
    ObjectNode node = JSON.createObjectNode();
    new TreeMap<>(offsets).forEach((bucket, offset) -> node.put(bucket.toString(), offset));
    return node.toString();
  }

  /**
   * Reads a {@value #OFFSETS_PROPERTY} property.
   *
   * @throws IllegalArgumentException naming the value when it is not JSON of bucket to offset
   */
  public static Map<Integer, Long> parseOffsets(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      Map<Integer, Long> offsets = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (!e.getValue().canConvertToLong()) {
          throw new IllegalArgumentException("offset of bucket " + e.getKey() + " is not a number");
        }
        offsets.put(Integer.parseInt(e.getKey()), e.getValue().longValue());
      }
      return offsets;
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Cannot read " + OFFSETS_PROPERTY + " '" + json + "': " + e.getMessage(), e);
    }
  }

  /** Whether tiering of the table incarnation {@code id} committed this snapshot. */
  public boolean isTieringOf(String id) {
    return tableId.filter(id::equals).isPresent();
  }
}
