package io.sluice.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Each row's place from the answer to {@code POST .../rows?rowBuckets=true}: a row's offset is its
 * (partition, bucket) part's {@code baseOffset} plus its rank among the request's rows of that part
 * (API.md, "Writing").
 */
final class WriteAnswer {
  private WriteAnswer() {}

  /** One (partition, bucket) part of an answer. */
  private record Part(String partition, int bucket) {}

  /**
   * The offsets of the request's {@code rows} rows, in request order.
   *
   * @throws SluiceException ({@code UNEXPECTED_ANSWER}) when the answer does not account for them
   */
  static List<RowOffset> offsets(JsonNode answer, int rows) {
    Map<Part, long[]> parts = new HashMap<>(); // base offset, count, rows seen
    for (JsonNode bucket : answer.path("buckets")) {
      JsonNode partition = bucket.get("partition");
      parts.put(
          new Part(
              partition == null || partition.isNull() ? null : partition.asText(),
              bucket.path("bucket").asInt()),
          new long[] {bucket.path("baseOffset").asLong(), bucket.path("count").asLong(), 0});
    }
    JsonNode rowBuckets = answer.get("rowBuckets");
    JsonNode rowPartitions = answer.get("rowPartitions");
    if (answer.path("rows").asLong(-1) != rows) {
      throw unexpected("it counts " + answer.path("rows") + " rows, not " + rows, answer);
    }
    if (rowBuckets == null || rowBuckets.size() != rows) {
      if (parts.size() != 1) {
        throw unexpected("it has no rowBuckets for the " + rows + " rows", answer);
      }
      Part only = parts.keySet().iterator().next();
      long base = parts.get(only)[0];
      List<RowOffset> offsets = new ArrayList<>(rows);
      for (int i = 0; i < rows; i++) {
        offsets.add(new RowOffset(only.partition(), only.bucket(), base + i));
      }
      return offsets;
    }
    if (rowPartitions != null && rowPartitions.size() != rows) {
      throw unexpected("its rowPartitions do not count " + rows + " rows", answer);
    }
    List<RowOffset> offsets = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      String partition = rowPartitions == null ? null : rowPartitions.get(i).asText();
      Part part = new Part(partition, rowBuckets.get(i).asInt());
      long[] state = parts.get(part);
      if (state == null || state[2] >= state[1]) {
        throw unexpected(
            "row " + (i + 1) + " is in " + part + ", which the buckets do not account for", answer);
      }
      offsets.add(new RowOffset(part.partition(), part.bucket(), state[0] + state[2]++));
    }
    for (Map.Entry<Part, long[]> part : parts.entrySet()) {
      if (part.getValue()[2] != part.getValue()[1]) {
        throw unexpected(part.getKey() + " counts rows the request did not send", answer);
      }
    }
    return offsets;
  }

  private static SluiceException unexpected(String why, JsonNode answer) {
    String text = Objects.toString(answer);
    return new SluiceException(
        200,
        SluiceException.UNEXPECTED_ANSWER,
        "Cannot read the offsets of a write answer: "
            + why
            + ": "
            + (text.length() > 300 ? text.substring(0, 300) + "..." : text),
        null,
        null);
  }
}
