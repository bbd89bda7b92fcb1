package io.sluice.core.sql;

import io.sluice.core.service.InvalidSqlException;
import io.sluice.core.table.InvalidNameException;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import java.util.Locale;
import java.util.Optional;

/**
 * A name SQL queries use for a view of a Sluice table: {@code orders} (the union read), {@code
 * orders$lake} (the first lake format), {@code orders$lake_paimon}, {@code orders$lake_iceberg},
 * {@code orders$log}, {@code orders$lake$snapshots}, {@code orders$changelog} and {@code
 * orders$partitions}, each optionally qualified by its database ({@code db.orders$lake}).
 */
public record SqlRelation(TableName table, Kind kind, Optional<LakeFormatName> lake) {

  /** Which view of the table. */
  public enum Kind {
    UNION,
    LAKE,
    LOG,
    SNAPSHOTS,
    CHANGELOG,
    /** The partitions of a partitioned table, as {@code GET /v1/tables/{table}/partitions}. */
    PARTITIONS
  }

  private static final String LAKE = "$lake";

  /**
   * Reads a name as SQL wrote it.
   *
   * @param schema the qualifier, empty for the default database
   * @throws InvalidSqlException naming the relation when it is not a Sluice name
   */
  public static SqlRelation parse(String schema, String name) {
    String written = schema.isEmpty() ? name : schema + "." + name;
    String lower = name.toLowerCase(Locale.ROOT);
    int dollar = lower.indexOf('$');
    String base = dollar < 0 ? lower : lower.substring(0, dollar);
    String suffix = dollar < 0 ? "" : lower.substring(dollar);
    TableName table;
    try {
      table =
          schema.isEmpty()
              ? TableName.parse(base)
              : new TableName(schema.toLowerCase(Locale.ROOT), base);
    } catch (InvalidNameException e) {
      throw new InvalidSqlException("Unknown table " + written + ": " + e.getMessage());
    }
    Optional<Kind> simple =
        switch (suffix) {
          case "" -> Optional.of(Kind.UNION);
          case LAKE -> Optional.of(Kind.LAKE);
          case "$log" -> Optional.of(Kind.LOG);
          case LAKE + "$snapshots" -> Optional.of(Kind.SNAPSHOTS);
          case "$changelog" -> Optional.of(Kind.CHANGELOG);
          case "$partitions" -> Optional.of(Kind.PARTITIONS);
          default -> Optional.empty();
        };
    if (simple.isPresent()) {
      return new SqlRelation(table, simple.get(), Optional.empty());
    }
    for (LakeFormatName format : LakeFormatName.values()) {
      String named = LAKE + "_" + format.apiName();
      if (suffix.equals(named)) {
        return new SqlRelation(table, Kind.LAKE, Optional.of(format));
      }
      if (suffix.equals(named + "$snapshots")) {
        return new SqlRelation(table, Kind.SNAPSHOTS, Optional.of(format));
      }
    }
    throw new InvalidSqlException(
        "Unknown table "
            + written
            + ": after the table name use $lake, $lake_paimon, $lake_iceberg, $log,"
            + " $lake$snapshots, $changelog or $partitions");
  }
}
