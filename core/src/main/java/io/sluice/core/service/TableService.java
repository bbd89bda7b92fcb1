package io.sluice.core.service;

import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Creates, evolves, describes, lists and drops tables. */
public final class TableService {
  private final MetadataStore metadata;
  private final Clock clock;

  public TableService(MetadataStore metadata, Clock clock) {
    this.metadata = metadata;
    this.clock = clock;
  }

  /** What a create request did. */
  public enum Outcome {
    CREATED,
    UNCHANGED,
    EVOLVED
  }

  /** A create request's outcome and the table as it now is. */
  public record Created(Outcome outcome, TableEntry table) {}

  /** A table and the state of each of its buckets. */
  public record Description(TableEntry table, List<BucketHead> buckets) {}

  /**
   * Creates a table, or finds it already defined so, or evolves it when the definition only appends
   * nullable columns.
   *
   * @throws TableExistsException when it exists with another definition
   * @throws NotSupportedException for primary-key tables, which arrive with a later issue
   */
  public Created create(TableName name, TableDefinition definition) {
    if (definition.hasPrimaryKey()) {
      throw new NotSupportedException(
          "Cannot create table "
              + name
              + ": primary-key tables are not supported yet; leave out primaryKey for a log table");
    }
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<TableEntry> existing = metadata.table(name);
      if (existing.isEmpty()) {
        TableEntry entry =
            new TableEntry(name, UUID.randomUUID().toString(), definition, 1, clock.instant());
        try {
          metadata.createTable(entry);
          return new Created(Outcome.CREATED, entry);
        } catch (CommitConflictException | CommitStateUnknownException e) {
          continue; // Someone created it (maybe us): look again.
        }
      }
      TableEntry current = existing.get();
      if (current.definition().equals(definition)) {
        return new Created(Outcome.UNCHANGED, current);
      }
      if (!current.definition().isEvolvedBy(definition)) {
        throw new TableExistsException(
            "Cannot create table "
                + name
                + ": it exists with a different definition (the only change accepted is"
                + " appending nullable columns)");
      }
      TableEntry next =
          new TableEntry(
              name, current.tableId(), definition, current.schemaId() + 1, current.createdAt());
      try {
        metadata.evolveTable(current, next);
        return new Created(Outcome.EVOLVED, next);
      } catch (CommitConflictException | CommitStateUnknownException e) {
        // Changed meanwhile: look again.
      }
    }
    throw new io.sluice.core.store.StoreUnavailableException(
        "Cannot create table " + name + ": it keeps changing under concurrent requests", null);
  }

  /**
   * The table with this name.
   *
   * @throws TableNotFoundException when there is none
   */
  public TableEntry table(TableName name) {
    return metadata
        .table(name)
        .orElseThrow(() -> new TableNotFoundException("Table " + name + " does not exist"));
  }

  /** A table with the state of every bucket. */
  public Description describe(TableName name) {
    TableEntry table = table(name);
    List<BucketHead> heads = new ArrayList<>();
    for (int bucket = 0; bucket < table.definition().buckets(); bucket++) {
      heads.add(metadata.head(table.tableId(), bucket));
    }
    return new Description(table, heads);
  }

  /** Every table, by name. */
  public List<TableEntry> list() {
    return metadata.tables();
  }

  /**
   * Drops a table from the catalog; its log is left to garbage collection, which a re-created table
   * never sees (it gets a new table id).
   *
   * @throws TableNotFoundException when there is none
   */
  public TableEntry drop(TableName name) {
    TableEntry table = table(name);
    try {
      metadata.dropTable(name, table.tableId());
    } catch (CommitConflictException e) {
      throw new TableNotFoundException("Table " + name + " does not exist");
    }
    return table;
  }
}
