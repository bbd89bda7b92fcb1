package io.sluice.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.table.TableDefinitionJson;
import java.util.List;

/** The JSON views of a table that the API returns. */
public final class TableViews {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TableViews() {}

  /** Name, table id, schema id and the full definition (every default spelled out). */
  public static ObjectNode table(TableEntry table) {
    ObjectNode node = JSON.createObjectNode();
    node.put("name", table.name().toString());
    node.put("tableId", table.tableId());
    node.put("schemaId", table.schemaId());
    node.setAll(TableDefinitionJson.toJson(table.definition()));
    return node;
  }

  /** {@link #table} plus the state of every bucket. */
  public static ObjectNode described(TableEntry table, List<BucketHead> heads) {
    ObjectNode node = table(table);
    var states = node.putArray("bucketState");
    for (BucketHead head : heads) {
      ObjectNode state = states.addObject();
      state.put("bucket", head.bucket());
      state.put("highWatermark", head.nextOffset());
      state.put("logStartOffset", head.logStartOffset());
      state.putObject("tiered");
    }
    return node;
  }
}
