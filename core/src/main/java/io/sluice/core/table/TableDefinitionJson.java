package io.sluice.core.table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads and writes table definitions in the JSON of the HTTP API (shared/API.md). */
public final class TableDefinitionJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of(
          "columns",
          "primaryKey",
          "bucketKey",
          "buckets",
          "lake",
          "logRetention",
          "mergeEngine",
          "versionColumn",
          "aggregations",
          "partitionBy",
          "partitionRetention",
          "maxPartitions");

  private TableDefinitionJson() {}

  /**
   * Parses a definition and checks it.
   *
   * @param subject what is being defined, e.g. {@code "Cannot create table default.orders"}
   * @throws InvalidDefinitionException listing every problem, from JSON shape to semantics
   */
  public static TableDefinition parse(String subject, String json) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidDefinitionException(
          subject, List.of("the body is not valid JSON: " + e.getOriginalMessage()));
    }
    return parse(subject, node);
  }

  /** Like {@link #parse(String, String)} for an already parsed tree. */
  public static TableDefinition parse(String subject, JsonNode node) {
    List<String> problems = new ArrayList<>();
    if (node == null || !node.isObject()) {
      throw new InvalidDefinitionException(
          subject, List.of("the definition must be a JSON object"));
    }
    node.fieldNames()
        .forEachRemaining(
            field -> {
              if (!FIELDS.contains(field)) {
                problems.add("unknown field '" + field + "'");
              }
            });
    TableDefinition.Builder builder = TableDefinition.builder();
    builder.columns(columns(node.get("columns"), problems));
    builder.primaryKey(names(node, "primaryKey", problems));
    if (node.has("bucketKey")) {
      builder.bucketKey(names(node, "bucketKey", problems));
    }
    JsonNode buckets = node.get("buckets");
    if (buckets != null) {
      if (buckets.canConvertToInt() && buckets.isIntegralNumber()) {
        builder.buckets(buckets.intValue());
      } else {
        problems.add("buckets must be a whole number, not " + buckets);
      }
    }
    JsonNode lake = node.get("lake");
    if (lake != null) {
      if (!lake.isObject()) {
        problems.add(
            "lake must be an object like {\"formats\": [\"paimon\"], \"freshness\": \"30s\"}");
      } else {
        lake.fieldNames()
            .forEachRemaining(
                field -> {
                  if (!field.equals("formats") && !field.equals("freshness")) {
                    problems.add("unknown field 'lake." + field + "'");
                  }
                });
        List<LakeFormatName> formats = new ArrayList<>();
        for (String format : names(lake, "formats", problems)) {
          try {
            formats.add(LakeFormatName.parse(format));
          } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
          }
        }
        builder.lakeFormats(formats);
        if (lake.has("freshness")) {
          duration(lake.get("freshness"), "lake.freshness", problems).ifPresent(builder::freshness);
        }
      }
    }
    if (node.has("logRetention")) {
      duration(node.get("logRetention"), "logRetention", problems).ifPresent(builder::logRetention);
    }
    JsonNode engine = node.get("mergeEngine");
    if (engine != null) {
      try {
        builder.mergeEngine(MergeEngine.parse(text(engine, "mergeEngine")));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    JsonNode versionColumn = node.get("versionColumn");
    if (versionColumn != null) {
      if (versionColumn.isTextual()) {
        builder.versionColumn(versionColumn.textValue());
      } else {
        problems.add("versionColumn must be a column name");
      }
    }
    JsonNode aggregations = node.get("aggregations");
    if (aggregations != null) {
      if (!aggregations.isObject()) {
        problems.add("aggregations must be an object of column to function");
      } else {
        Map<String, String> functions = new LinkedHashMap<>();
        aggregations
            .fields()
            .forEachRemaining(e -> functions.put(e.getKey(), e.getValue().asText()));
        builder.aggregations(functions);
      }
    }
    List<PartitionField> partitionBy = new ArrayList<>();
    for (String entry : names(node, "partitionBy", problems)) {
      try {
        partitionBy.add(PartitionField.parse(entry));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    builder.partitionBy(partitionBy);
    if (node.has("partitionRetention")) {
      duration(node.get("partitionRetention"), "partitionRetention", problems)
          .ifPresent(builder::partitionRetention);
    }
    JsonNode maxPartitions = node.get("maxPartitions");
    if (maxPartitions != null) {
      if (maxPartitions.canConvertToInt() && maxPartitions.isIntegralNumber()) {
        builder.maxPartitions(maxPartitions.intValue());
      } else {
        problems.add("maxPartitions must be a whole number, not " + maxPartitions);
      }
    }
    builder.problems(problems);
    if (!problems.isEmpty()) {
      throw new InvalidDefinitionException(subject, problems);
    }
    return builder.build(subject);
  }

  private static List<Column> columns(JsonNode node, List<String> problems) {
    List<Column> columns = new ArrayList<>();
    if (node == null) {
      return columns;
    }
    if (!node.isArray()) {
      problems.add("columns must be an array of {\"name\", \"type\", \"nullable\"} objects");
      return columns;
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode column = node.get(i);
      if (!column.isObject()
          || !column.path("name").isTextual()
          || !column.path("type").isTextual()) {
        problems.add("column " + (i + 1) + " needs a string name and a string type");
        continue;
      }
      String name = column.get("name").textValue();
      for (Iterator<String> it = column.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (!Set.of("name", "type", "nullable").contains(field)) {
          problems.add("column " + name + ": unknown field '" + field + "'");
        }
      }
      JsonNode nullable = column.get("nullable");
      if (nullable != null && !nullable.isBoolean()) {
        problems.add("column " + name + ": nullable must be true or false");
      }
      try {
        DataType type = DataType.parse(column.get("type").textValue());
        columns.add(new Column(name, type, nullable == null || nullable.booleanValue()));
      } catch (IllegalArgumentException e) {
        problems.add("column " + name + ": " + e.getMessage());
      }
    }
    return columns;
  }

  private static List<String> names(JsonNode parent, String field, List<String> problems) {
    JsonNode node = parent.get(field);
    List<String> names = new ArrayList<>();
    if (node == null || node.isNull()) {
      return names;
    }
    if (!node.isArray()) {
      problems.add(field + " must be an array of strings");
      return names;
    }
    for (JsonNode item : node) {
      if (item.isTextual()) {
        names.add(item.textValue());
      } else {
        problems.add(field + " must be an array of strings, found " + item);
      }
    }
    return names;
  }

  private static java.util.Optional<java.time.Duration> duration(
      JsonNode node, String field, List<String> problems) {
    try {
      return java.util.Optional.of(Durations.parse(text(node, field)));
    } catch (IllegalArgumentException e) {
      problems.add(field + ": " + e.getMessage());
      return java.util.Optional.empty();
    }
  }

  private static String text(JsonNode node, String field) {
    if (!node.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string, not " + node);
    }
    return node.textValue();
  }

  /** The definition as the API shows it (every default spelled out). */
  public static ObjectNode toJson(TableDefinition definition) {
    ObjectNode node = MAPPER.createObjectNode();
    ArrayNode columns = node.putArray("columns");
    for (Column column : definition.columns()) {
      columns
          .addObject()
          .put("name", column.name())
          .put("type", column.type().toString())
          .put("nullable", column.nullable());
    }
    definition.primaryKey().forEach(node.putArray("primaryKey")::add);
    definition.bucketKey().forEach(node.putArray("bucketKey")::add);
    node.put("buckets", definition.buckets());
    ObjectNode lake = node.putObject("lake");
    definition.lakeFormats().forEach(f -> lake.withArray("formats").add(f.apiName()));
    if (definition.lakeFormats().isEmpty()) {
      lake.putArray("formats");
    }
    lake.put("freshness", Durations.format(definition.freshness()));
    node.put("logRetention", Durations.format(definition.logRetention()));
    definition.mergeEngine().ifPresent(e -> node.put("mergeEngine", e.apiName()));
    definition.versionColumn().ifPresent(c -> node.put("versionColumn", c));
    if (!definition.aggregations().isEmpty()) {
      ObjectNode aggregations = node.putObject("aggregations");
      definition.aggregations().forEach(aggregations::put);
    }
    // Written only for partitioned tables (or a changed limit), so that the JSON of
    // unpartitioned tables stays as it was before partitions existed.
    if (definition.isPartitioned()) {
      ArrayNode partitionBy = node.putArray("partitionBy");
      definition.partitionBy().forEach(f -> partitionBy.add(f.apiForm()));
    }
    definition
        .partitionRetention()
        .ifPresent(d -> node.put("partitionRetention", Durations.format(d)));
    if (definition.isPartitioned()
        || definition.maxPartitions() != TableDefinition.DEFAULT_MAX_PARTITIONS) {
      node.put("maxPartitions", definition.maxPartitions());
    }
    return node;
  }

  /** The definition as a compact JSON string, as the metadata stores keep it. */
  public static String toJsonString(TableDefinition definition) {
    return toJson(definition).toString();
  }
}
