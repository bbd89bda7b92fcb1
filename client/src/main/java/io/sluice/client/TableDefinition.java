package io.sluice.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A table definition for {@link SluiceClient#create}: columns, keys, partitioning, buckets and lake
 * formats, written as the JSON of API.md. Fields it has no method for go through {@link
 * Builder#property}.
 */
public final class TableDefinition {
  private final ObjectNode json;

  private TableDefinition(ObjectNode json) {
    this.json = json;
  }

  /** Starts a definition with no columns. */
  public static Builder builder() {
    return new Builder();
  }

  /** The definition as API.md's JSON. */
  public String toJson() {
    return json.toString();
  }

  @Override
  public String toString() {
    return toJson();
  }

  /** Builds a {@link TableDefinition}. */
  public static final class Builder {
    private final ObjectNode json = HttpApi.JSON.createObjectNode();
    private final ArrayNode columns = json.putArray("columns");

    private Builder() {}

    /** Adds a nullable column of an API type ({@code bigint}, {@code decimal(12,2)}, ...). */
    public Builder column(String name, String type) {
      columns.addObject().put("name", name).put("type", type);
      return this;
    }

    /** Adds a non-null column. */
    public Builder requiredColumn(String name, String type) {
      columns.addObject().put("name", name).put("type", type).put("nullable", false);
      return this;
    }

    public Builder primaryKey(String... columns) {
      return strings("primaryKey", List.of(columns));
    }

    public Builder bucketKey(String... columns) {
      return strings("bucketKey", List.of(columns));
    }

    /** Partition entries: column names or {@code day(t)}-style transforms. */
    public Builder partitionBy(String... entries) {
      return strings("partitionBy", List.of(entries));
    }

    public Builder buckets(int buckets) {
      json.put("buckets", buckets);
      return this;
    }

    /** The lake formats to tier into, the first deciding the bucketing. */
    public Builder lakeFormats(String... formats) {
      ArrayNode list = lake().putArray("formats");
      List.of(formats).forEach(list::add);
      return this;
    }

    /** How soon rows reach the lake, as API.md writes durations ({@code 10s}). */
    public Builder freshness(String duration) {
      lake().put("freshness", duration);
      return this;
    }

    /** Any other top-level field, such as {@code mergeEngine} or {@code logRetention}. */
    public Builder property(String name, Object value) {
      json.set(name, HttpApi.JSON.valueToTree(value));
      return this;
    }

    public TableDefinition build() {
      return new TableDefinition(json.deepCopy());
    }

    private Builder strings(String field, List<String> values) {
      ArrayNode list = json.putArray(field);
      values.forEach(list::add);
      return this;
    }

    private ObjectNode lake() {
      return json.has("lake") ? (ObjectNode) json.get("lake") : json.putObject("lake");
    }
  }
}
