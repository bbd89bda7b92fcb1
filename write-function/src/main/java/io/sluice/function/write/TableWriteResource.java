package io.sluice.function.write;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.TableService;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import io.sluice.function.TableViews;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code PUT} and {@code DELETE /v1/tables/{table}}: create, evolve and drop tables. */
@Path("/v1/tables/{table}")
@Produces(MediaType.APPLICATION_JSON)
public class TableWriteResource {
  @Inject TableService tables;

  /** Creates a table (201), finds it unchanged (200) or appends nullable columns (200). */
  @PUT
  @Consumes(MediaType.WILDCARD)
  public Response create(@PathParam("table") String table, String body) {
    TableName name = TableName.parse(table);
    TableDefinition definition = TableDefinitionJson.parse("Cannot create table " + name, body);
    TableService.Created created = tables.create(name, definition);
    ObjectNode view = TableViews.table(created.table());
    view.put("outcome", created.outcome().name().toLowerCase(java.util.Locale.ROOT));
    int status = created.outcome() == TableService.Outcome.CREATED ? 201 : 200;
    return Response.status(status).entity(view).build();
  }

  /** Drops a table: its log and metadata; its lake tables too with {@code ?purgeLake=true}. */
  @DELETE
  public Response drop(
      @PathParam("table") String table,
      @QueryParam("purgeLake") @DefaultValue("false") String purge) {
    TableName name = TableName.parse(table);
    if (!purge.equals("true") && !purge.equals("false")) {
      throw new InvalidParameterException("purgeLake must be true or false, not '" + purge + "'");
    }
    if (purge.equals("false")) {
      ObjectNode view = TableViews.table(tables.drop(name));
      view.put("dropped", true);
      view.putArray("lakePurged");
      return Response.ok(view).build();
    }
    TableService.Purged purged = tables.dropAndPurgeLake(name);
    ObjectNode view = purged.table().map(TableViews::table).orElseGet(() -> TableViews.name(name));
    view.put("dropped", purged.table().isPresent());
    var lakes = view.putArray("lakePurged");
    purged.lakeTables().forEach(format -> lakes.add(format.apiName()));
    return Response.ok(view).build();
  }
}
