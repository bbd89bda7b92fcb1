package io.sluice.function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.service.TableService;
import io.sluice.core.table.Partition;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import java.util.List;
import java.util.Map;

/** The JSON views of a table that the API returns. */
public final class TableViews {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TableViews() {}

  /** Just a table's qualified name, for answers about a name that has no table. */
  public static ObjectNode name(TableName name) {
    return JSON.createObjectNode().put("name", name.toString());
  }

  /** Name, table id, schema id and the full definition (every default spelled out). */
  public static ObjectNode table(TableEntry table) {
    ObjectNode node = JSON.createObjectNode();
    node.put("name", table.name().toString());
    node.put("tableId", table.tableId());
    node.put("schemaId", table.schemaId());
    node.setAll(TableDefinitionJson.toJson(table.definition()));
    return node;
  }

  /**
   * {@link #table} plus the state of every bucket (of every partition, on a partitioned table),
   * with what each lake format holds of it.
   */
  public static ObjectNode described(TableService.Description description) {
    ObjectNode node = table(description.table());
    ArrayNode states = node.putArray("bucketState");
    description
        .partitions()
        .forEach((partition, heads) -> addBucketStates(states, description, partition, heads));
    return node;
  }

  /**
   * The live partitions of a partitioned table, as {@code GET /v1/tables/{table}/partitions}
   * answers: per partition its name, its values and the state of its buckets.
   */
  public static ObjectNode partitions(TableService.Description description) {
    ObjectNode node = JSON.createObjectNode();
    ArrayNode list = node.putArray("partitions");
    TableDefinition definition = description.table().definition();
    description
        .partitions()
        .forEach(
            (name, heads) -> {
              ObjectNode partition = list.addObject();
              partition.put("name", name);
              ObjectNode values = partition.putObject("values");
              Partition.parse(definition.partitionBy(), name).values().forEach(values::put);
              addBucketStates(partition.putArray("bucketState"), description, name, heads);
            });
    return node;
  }

  /** Offsets as JSON ({@link LogOffsets#json}): by bucket, or by partition and bucket. */
  public static ObjectNode offsets(Map<PartitionBucket, Long> offsets) {
    try {
      return (ObjectNode) JSON.readTree(LogOffsets.json(offsets));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot read offsets JSON back", e);
    }
  }

  private static void addBucketStates(
      ArrayNode states,
      TableService.Description description,
      String partition,
      List<BucketHead> heads) {
    for (BucketHead head : heads) {
      ObjectNode state = states.addObject();
      if (!partition.isEmpty()) {
        state.put("partition", partition);
      }
      state.put("bucket", head.bucket());
      state.put("highWatermark", head.nextOffset());
      state.put("logStartOffset", head.logStartOffset());
      ObjectNode tiered = state.putObject("tiered");
      description
          .tiered()
          .forEach(
              (format, s) ->
                  tiered.put(
                      format.apiName(),
                      s.getOrDefault(new PartitionBucket(partition, head.bucket()), 0L)));
    }
  }
}
