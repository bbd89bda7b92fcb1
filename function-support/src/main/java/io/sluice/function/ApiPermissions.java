package io.sluice.function;

import io.sluice.core.access.Permission;
import io.sluice.core.table.InvalidNameException;
import io.sluice.core.table.TableName;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The table and permission a request's path needs: reads (describe, records, changelog, scans,
 * snapshots, partitions, loading an Iceberg table) need {@code read}, appending rows {@code write},
 * creating, dropping and tiering {@code admin}. Listings and SQL check each table themselves.
 */
final class ApiPermissions {
  private ApiPermissions() {}

  /** What a request needs; empty when its path names no one table. */
  static Optional<Need> of(String method, String path) {
    String[] parts = path.replaceAll("^/+", "").split("/");
    if (parts.length >= 3 && parts[0].equals("v1") && parts[1].equals("tables")) {
      Optional<TableName> table = table(parts[2]);
      if (table.isEmpty()) {
        return Optional.empty();
      }
      String rest = parts.length > 3 ? parts[3] : "";
      Permission permission;
      if (parts.length == 3 && (method.equals("PUT") || method.equals("DELETE"))) {
        permission = Permission.ADMIN;
      } else if (rest.equals("tier")) {
        permission = Permission.ADMIN;
      } else if (rest.equals("rows")) {
        permission = Permission.WRITE;
      } else {
        permission = Permission.READ;
      }
      return Optional.of(new Need(permission, table.get()));
    }
    // /iceberg/v1/[prefix/]namespaces/{ns}/tables/{table}[/...]
    if (parts.length >= 6 && parts[0].equals("iceberg")) {
      for (int i = 1; i + 3 < parts.length; i++) {
        if (parts[i].equals("namespaces") && parts[i + 2].equals("tables")) {
          return table(decode(parts[i + 1]) + "." + decode(parts[i + 3]))
              .map(t -> new Need(Permission.READ, t));
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<TableName> table(String encoded) {
    try {
      return Optional.of(TableName.parse(decode(encoded)));
    } catch (InvalidNameException e) {
      return Optional.empty(); // the resource answers 400 for the name; it can reach no table
    }
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment, StandardCharsets.UTF_8);
  }

  /** A permission on a table. */
  record Need(Permission permission, TableName table) {}
}
