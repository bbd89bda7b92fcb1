package io.sluice.core.lake;

import io.sluice.core.metadata.TableEntry;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import java.util.Optional;

/**
 * A lake format (Paimon, Iceberg) as Sluice needs it: create or load the lake table of a Sluice
 * table, and purge one. Implementations live in {@code lake-adapters} and translate their library's
 * types and exceptions at this edge.
 */
public interface LakeFormat extends AutoCloseable {

  /** Which format this is. */
  LakeFormatName name();

  /**
   * The lake table of a Sluice table, created (database and table named as in Sluice, bucketed as
   * the table's bucketing says) when missing.
   *
   * @throws LakeTableExistsException when a lake table of that name holds data of another table id
   */
  LakeTable createOrLoad(TableEntry table);

  /**
   * The lake table of a Sluice table if it exists and holds this table id; never creates anything
   * (readers use it).
   */
  Optional<LakeTable> load(TableEntry table);

  /** Whether a lake table exists under this name, whatever incarnation wrote it. */
  boolean exists(TableName name);

  /** Deletes the lake table of this name and its files, if there is one. */
  void purge(TableName name);

  /**
   * The format's own catalog protocol over the lake tables Sluice writes, for engines that find
   * tables through it (Iceberg's REST catalog); empty when the format has none.
   */
  default Optional<CatalogEndpoint> catalogEndpoint() {
    return Optional.empty();
  }

  @Override
  default void close() {}
}
