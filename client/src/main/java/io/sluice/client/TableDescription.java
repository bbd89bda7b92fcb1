package io.sluice.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A table as the server describes it: its qualified name, id, columns, keys, partitioning, buckets
 * and (from {@link SluiceClient#describe}) the state of every bucket; {@link #definition} is the
 * whole JSON the server sent.
 */
public record TableDescription(
    String name,
    String tableId,
    List<Column> columns,
    List<String> primaryKey,
    List<String> bucketKey,
    List<String> partitionBy,
    int buckets,
    List<String> lakeFormats,
    List<BucketState> bucketStates,
    JsonNode definition) {

  public TableDescription {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
    bucketKey = List.copyOf(bucketKey);
    partitionBy = List.copyOf(partitionBy);
    lakeFormats = List.copyOf(lakeFormats);
    bucketStates = List.copyOf(bucketStates);
  }

  /** The column of this name, if the table has one. */
  public Optional<Column> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** Whether rows are kept per primary key (upserts, deletes) rather than appended. */
  public boolean hasPrimaryKey() {
    return !primaryKey.isEmpty();
  }

  /** Whether the table is split into partitions. */
  public boolean isPartitioned() {
    return !partitionBy.isEmpty();
  }

  /** Reads the JSON of a table as {@code GET /v1/tables/{table}} (or a create) answers it. */
  static TableDescription parse(JsonNode node) {
    List<Column> columns = new ArrayList<>();
    for (JsonNode column : node.path("columns")) {
      columns.add(
          new Column(
              column.path("name").asText(),
              column.path("type").asText(),
              column.path("nullable").asBoolean(true)));
    }
    List<BucketState> states = new ArrayList<>();
    for (JsonNode state : node.path("bucketState")) {
      Map<String, Long> tiered = new LinkedHashMap<>();
      state
          .path("tiered")
          .fields()
          .forEachRemaining(e -> tiered.put(e.getKey(), e.getValue().asLong()));
      JsonNode partition = state.get("partition");
      states.add(
          new BucketState(
              partition == null || partition.isNull() ? null : partition.asText(),
              state.path("bucket").asInt(),
              state.path("highWatermark").asLong(),
              state.path("logStartOffset").asLong(),
              tiered));
    }
    return new TableDescription(
        node.path("name").asText(),
        node.path("tableId").asText(null),
        columns,
        texts(node.path("primaryKey")),
        texts(node.path("bucketKey")),
        texts(node.path("partitionBy")),
        node.path("buckets").asInt(),
        texts(node.path("lake").path("formats")),
        states,
        node);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(t -> texts.add(t.asText()));
    return texts;
  }
}
