package io.sluice.function.read;

import io.sluice.core.access.Caller;
import io.sluice.core.access.Permission;
import io.sluice.core.lake.CatalogEndpoint;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.table.LakeFormatName;
import io.sluice.function.CallerContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code /iceberg/v1/...}: Iceberg's REST catalog over the Iceberg tables Sluice tiers into, so
 * that Spark, Trino or StarRocks find them with one URL; read-only (see the lake format's {@link
 * CatalogEndpoint}).
 */
@Path("/iceberg")
public class IcebergCatalogResource {
  @Inject LakeFormats lakes;
  @Inject CallerContext callers;

  @GET
  @Path("{path: .*}")
  public Response get(@PathParam("path") String path, @Context UriInfo uri) {
    return answer("GET", path, uri, "");
  }

  @HEAD
  @Path("{path: .*}")
  public Response head(@PathParam("path") String path, @Context UriInfo uri) {
    return answer("HEAD", path, uri, "");
  }

  @POST
  @Path("{path: .*}")
  public Response post(@PathParam("path") String path, @Context UriInfo uri, String body) {
    return answer("POST", path, uri, body);
  }

  @PUT
  @Path("{path: .*}")
  public Response put(@PathParam("path") String path, @Context UriInfo uri, String body) {
    return answer("PUT", path, uri, body);
  }

  @DELETE
  @Path("{path: .*}")
  public Response delete(@PathParam("path") String path, @Context UriInfo uri) {
    return answer("DELETE", path, uri, "");
  }

  private Response answer(String method, String path, UriInfo uri, String body) {
    CatalogEndpoint endpoint =
        lakes
            .format(LakeFormatName.ICEBERG)
            .catalogEndpoint()
            .orElseThrow(() -> new IllegalStateException("The Iceberg adapter serves no catalog"));
    Map<String, String> query = new HashMap<>();
    uri.getQueryParameters().forEach((key, values) -> query.put(key, values.get(0)));
    Caller caller = callers.caller();
    CatalogEndpoint.Answer answer =
        endpoint.answer(
            method,
            path,
            query,
            body == null ? "" : body,
            table -> caller.may(Permission.READ, table));
    Response.ResponseBuilder response = Response.status(answer.status());
    if (!answer.json().isEmpty()) {
      response.entity(answer.json()).type(MediaType.APPLICATION_JSON_TYPE);
    }
    return response.build();
  }
}
