package io.sluice.lake.iceberg;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.sluice.core.lake.CatalogEndpoint;
import io.sluice.core.table.TableName;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.Endpoint;
import org.apache.iceberg.rest.RESTSerializers;
import org.apache.iceberg.rest.RESTUtil;
import org.apache.iceberg.rest.responses.ConfigResponse;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.apache.iceberg.rest.responses.ErrorResponseParser;
import org.apache.iceberg.rest.responses.ListTablesResponse;

/**
 * Iceberg's REST catalog protocol over the catalog Sluice tiers into, read-only: config,
 * namespaces, tables (list, exists, load) and metrics reports, answered by iceberg-core's {@link
 * CatalogHandlers} and serialized with its {@link RESTSerializers}. Every change (create, commit,
 * drop, rename, register) is refused with 403: Sluice's tiering is these tables' only writer, and a
 * commit from elsewhere would break the offsets it records.
 */
final class IcebergRestEndpoint implements CatalogEndpoint {
  static final String READ_ONLY =
      "Sluice's Iceberg catalog is read-only: its tables are written only by Sluice's tiering,"
          + " which records the log offsets each snapshot holds; write rows through the Sluice API"
          + " (POST /v1/tables/{table}/rows) instead";

  private static final List<Endpoint> ENDPOINTS =
      List.of(
          Endpoint.V1_LIST_NAMESPACES,
          Endpoint.V1_LOAD_NAMESPACE,
          Endpoint.V1_NAMESPACE_EXISTS,
          Endpoint.V1_LIST_TABLES,
          Endpoint.V1_LOAD_TABLE,
          Endpoint.V1_TABLE_EXISTS,
          Endpoint.V1_REPORT_METRICS);

  private final Supplier<Catalog> catalog;
  private final ObjectMapper json;

  IcebergRestEndpoint(Supplier<Catalog> catalog) {
    this.catalog = catalog;
    // As iceberg-core's own (package-private) RESTObjectMapper sets it up.
    this.json = new ObjectMapper();
    json.setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
    json.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    json.setPropertyNamingStrategy(new PropertyNamingStrategies.KebabCaseStrategy());
    RESTSerializers.registerAll(json);
  }

  @Override
  public Answer answer(
      String method,
      String path,
      Map<String, String> query,
      String body,
      Predicate<TableName> readable) {
    String verb = method.toUpperCase(Locale.ROOT);
    List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/"));
    try {
      if (parts.isEmpty() || !parts.get(0).equals("v1")) {
        return error(404, "NoSuchEndpointException", "No Iceberg REST route " + verb + " " + path);
      }
      boolean reading = verb.equals("GET") || verb.equals("HEAD");
      if (isMetricsReport(verb, parts)) {
        return new Answer(204, "");
      }
      if (!reading) {
        return error(403, "ForbiddenException", READ_ONLY);
      }
      return read(verb, parts, query, readable);
    } catch (NoSuchNamespaceException | NoSuchTableException e) {
      return error(404, e.getClass().getSimpleName(), e.getMessage());
    } catch (IllegalArgumentException e) {
      return error(400, "BadRequestException", e.getMessage());
    }
  }

  private Answer read(
      String verb, List<String> parts, Map<String, String> query, Predicate<TableName> readable) {
    boolean head = verb.equals("HEAD");
    Catalog catalog = this.catalog.get();
    SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
    int size = parts.size();
    if (size == 2 && parts.get(1).equals("config")) {
      return ok(ConfigResponse.builder().withEndpoints(ENDPOINTS).build());
    }
    if (size < 2 || !parts.get(1).equals("namespaces")) {
      return error(
          404, "NoSuchEndpointException", "No Iceberg REST route " + String.join("/", parts));
    }
    if (size == 2) {
      String parent = query.get("parent");
      Namespace of = parent == null ? Namespace.empty() : RESTUtil.decodeNamespace(parent);
      return ok(CatalogHandlers.listNamespaces(namespaces, of));
    }
    Namespace namespace = RESTUtil.decodeNamespace(parts.get(2));
    if (size == 3) {
      if (head) {
        CatalogHandlers.namespaceExists(namespaces, namespace);
        return new Answer(204, "");
      }
      return ok(CatalogHandlers.loadNamespace(namespaces, namespace));
    }
    if (!parts.get(3).equals("tables") || size > 5) {
      return error(
          404, "NoSuchEndpointException", "No Iceberg REST route " + String.join("/", parts));
    }
    if (size == 4) {
      List<TableIdentifier> visible =
          CatalogHandlers.listTables(catalog, namespace).identifiers().stream()
              .filter(id -> visible(readable, id))
              .toList();
      return ok(ListTablesResponse.builder().addAll(visible).build());
    }
    TableIdentifier table = TableIdentifier.of(namespace, parts.get(4));
    if (!visible(readable, table)) {
      return error(403, "ForbiddenException", "The caller may not read table " + table);
    }
    if (head) {
      CatalogHandlers.tableExists(catalog, table);
      return new Answer(204, "");
    }
    return ok(CatalogHandlers.loadTable(catalog, table));
  }

  /** Whether the caller may read a table (one of a name Sluice cannot have is not Sluice's). */
  private static boolean visible(Predicate<TableName> readable, TableIdentifier table) {
    try {
      return readable.test(IcebergLakeFormat.tableName(table));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** {@code POST v1/namespaces/{ns}/tables/{table}/metrics}: an engine's scan report, taken. */
  private static boolean isMetricsReport(String verb, List<String> parts) {
    return verb.equals("POST")
        && parts.size() == 6
        && parts.get(1).equals("namespaces")
        && parts.get(3).equals("tables")
        && parts.get(5).equals("metrics");
  }

  private Answer ok(Object response) {
    try {
      return new Answer(200, json.writeValueAsString(response));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write Iceberg REST response " + response, e);
    }
  }

  private static Answer error(int status, String type, String message) {
    ErrorResponse error =
        ErrorResponse.builder().responseCode(status).withType(type).withMessage(message).build();
    return new Answer(status, ErrorResponseParser.toJson(error));
  }
}
