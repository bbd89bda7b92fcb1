package io.sluice.core.metadata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Offsets per log bucket, as JSON: {@code {"0": 300, "1": 298}} by bucket for an unpartitioned
 * table, {@code {"t_day=2026-11-25": {"0": 300}, ...}} by partition and bucket for a partitioned
 * one. Tiered end offsets (lake snapshot properties, tiering state) and scan offsets use it.
 */
public final class LogOffsets {
  /**
   * Writes ASCII only: offsets also go into response headers, where a partition value outside
   * Latin-1 would reach the client as question marks, so non-ASCII characters are written as JSON
   * escapes, which every JSON parser reads back.
   */
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private LogOffsets() {}

  /** Offsets of an unpartitioned table's buckets. */
  public static SortedMap<PartitionBucket, Long> ofBuckets(Map<Integer, Long> byBucket) {
    SortedMap<PartitionBucket, Long> offsets = new TreeMap<>();
    byBucket.forEach((bucket, offset) -> offsets.put(new PartitionBucket("", bucket), offset));
    return offsets;
  }

  /** The offsets of the unpartitioned partition, by bucket. */
  public static SortedMap<Integer, Long> buckets(Map<PartitionBucket, Long> offsets) {
    SortedMap<Integer, Long> byBucket = new TreeMap<>();
    offsets.forEach(
        (at, offset) -> {
          if (at.partition().isEmpty()) {
            byBucket.put(at.bucket(), offset);
          }
        });
    return byBucket;
  }

  /** The offsets as JSON, in partition and bucket order, ASCII only. */
  public static String json(Map<PartitionBucket, Long> offsets) {
    ObjectNode node = JSON.createObjectNode();
    new TreeMap<>(offsets)
        .forEach(
            (at, offset) -> {
              ObjectNode buckets =
                  at.partition().isEmpty()
                      ? node
                      : node.has(at.partition())
                          ? (ObjectNode) node.get(at.partition())
                          : node.putObject(at.partition());
              buckets.put(Integer.toString(at.bucket()), offset);
            });
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write offsets as JSON", e);
    }
  }

  /**
   * Reads offsets written by {@link #json}.
   *
   * @throws IllegalArgumentException naming the value when it is not such JSON
   */
  public static SortedMap<PartitionBucket, Long> parse(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      SortedMap<PartitionBucket, Long> offsets = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (e.getValue().isObject()) {
          for (Map.Entry<String, JsonNode> b : e.getValue().properties()) {
            offsets.put(new PartitionBucket(e.getKey(), bucket(b.getKey())), offset(b));
          }
        } else {
          offsets.put(new PartitionBucket("", bucket(e.getKey())), offset(e));
        }
      }
      return offsets;
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Cannot read offsets '" + json + "': " + e.getMessage(), e);
    }
  }

  private static int bucket(String key) {
    try {
      return Integer.parseInt(key);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bucket '" + key + "' is not a number");
    }
  }

  private static long offset(Map.Entry<String, JsonNode> e) {
    if (!e.getValue().canConvertToLong()) {
      throw new IllegalArgumentException("offset of bucket " + e.getKey() + " is not a number");
    }
    return e.getValue().longValue();
  }
}
