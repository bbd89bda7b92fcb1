package io.sluice.function.read;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.access.Caller;
import io.sluice.core.access.Permission;
import io.sluice.core.service.NotSupportedException;
import io.sluice.core.service.TableService;
import io.sluice.core.table.TableName;
import io.sluice.function.CallerContext;
import io.sluice.function.TableViews;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /v1/tables}, {@code GET /v1/tables/{table}} and {@code GET
 * /v1/tables/{table}/partitions}.
 */
@Path("/v1/tables")
@Produces(MediaType.APPLICATION_JSON)
public class TableReadResource {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject TableService tables;

  /** Every table with its definition. */
  @Inject CallerContext callers;

  /** The tables the caller may read. */
  @GET
  public ObjectNode list() {
    ObjectNode node = JSON.createObjectNode();
    var list = node.putArray("tables");
    Caller caller = callers.caller();
    tables.list().stream()
        .filter(t -> caller.may(Permission.READ, t.name()))
        .forEach(t -> list.add(TableViews.table(t)));
    return node;
  }

  /** One table: definition, table id and the state of every bucket. */
  @GET
  @Path("{table}")
  public ObjectNode describe(@PathParam("table") String table) {
    return TableViews.described(tables.describe(TableName.parse(table)));
  }

  /** The partitions of a partitioned table that hold rows, with the state of their buckets. */
  @GET
  @Path("{table}/partitions")
  public ObjectNode partitions(@PathParam("table") String table) {
    TableName name = TableName.parse(table);
    TableService.Description description = tables.describe(name);
    if (!description.table().definition().isPartitioned()) {
      throw new NotSupportedException("Table " + name + " is not partitioned");
    }
    return TableViews.partitions(description);
  }
}
