package io.sluice.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.service.TableService;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;

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

  /** {@link #table} plus the state of every bucket, with what each lake format holds of it. */
  public static ObjectNode described(TableService.Description description) {
    ObjectNode node = table(description.table());
    var states = node.putArray("bucketState");
    for (BucketHead head : description.buckets()) {
      ObjectNode state = states.addObject();
      state.put("bucket", head.bucket());
      state.put("highWatermark", head.nextOffset());
      state.put("logStartOffset", head.logStartOffset());
      ObjectNode tiered = state.putObject("tiered");
      description
          .tiered()
          .forEach(
              (format, s) ->
                  tiered.put(format.apiName(), s.offsets().getOrDefault(head.bucket(), 0L)));
    }
    return node;
  }
}
