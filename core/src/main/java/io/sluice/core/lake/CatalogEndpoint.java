package io.sluice.core.lake;

import io.sluice.core.table.TableName;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A lake format's own catalog protocol (Iceberg's REST catalog) served over the lake tables Sluice
 * writes, read-only: requests in, JSON answers out, so that no library type crosses the module.
 */
public interface CatalogEndpoint {
  /**
   * Answers one request.
   *
   * @param method the HTTP method, such as {@code GET}
   * @param path the path below the endpoint's root, such as {@code v1/namespaces/db/tables}
   * @param query the query parameters (first value of each)
   * @param body the request body, empty when there is none
   * @param readable the tables the caller may read: listings show only these, and loading another
   *     is refused
   */
  Answer answer(
      String method,
      String path,
      Map<String, String> query,
      String body,
      Predicate<TableName> readable);

  /** An answer: its HTTP status and JSON body (empty for a status without one, such as 204). */
  record Answer(int status, String json) {}
}
