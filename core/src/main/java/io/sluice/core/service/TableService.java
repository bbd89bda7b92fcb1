package io.sluice.core.service;

import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeTableExistsException;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/** Creates, evolves, describes, lists and drops tables. */
public final class TableService {
  private final MetadataStore metadata;
  private final Clock clock;
  private final Optional<LakeFormats> lakes;
  private final Consumer<TableEntry> onDrop;
  private final OffsetsFiles offsetsFiles;

  /** A table service that does not look at lake tables (a function without lake access). */
  public TableService(MetadataStore metadata, Clock clock) {
    this(metadata, clock, Optional.empty(), dropped -> {}, OffsetsFiles.INLINE);
  }

  /**
   * A table service that refuses to create a table over a lake table left by an earlier
   * incarnation, purges lake tables on request, and hands every dropped table to {@code onDrop}
   * (which deletes its log); it reads tiered offsets kept in offsets files from {@code
   * offsetsFiles}.
   */
  public TableService(
      MetadataStore metadata,
      Clock clock,
      Optional<LakeFormats> lakes,
      Consumer<TableEntry> onDrop,
      OffsetsFiles offsetsFiles) {
    this.metadata = metadata;
    this.offsetsFiles = offsetsFiles;
    this.clock = clock;
    this.lakes = lakes;
    this.onDrop = onDrop;
  }

  /** What a create request did. */
  public enum Outcome {
    CREATED,
    UNCHANGED,
    EVOLVED
  }

  /** A create request's outcome and the table as it now is. */
  public record Created(Outcome outcome, TableEntry table) {}

  /** A table, the state of each of its buckets, and what each lake format holds of them. */
  public record Description(
      TableEntry table,
      SortedMap<String, List<BucketHead>> partitions,
      Map<LakeFormatName, Map<PartitionBucket, Long>> tiered) {

    /** Every bucket's head, partition by partition. */
    public List<BucketHead> buckets() {
      return partitions.values().stream().flatMap(List::stream).toList();
    }
  }

  /**
   * Creates a table, or finds it already defined so, or evolves it when the definition only appends
   * nullable columns.
   *
   * @throws TableExistsException when it exists with another definition
   */
  public Created create(TableName name, TableDefinition definition) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<TableEntry> existing = metadata.table(name);
      if (existing.isEmpty()) {
        checkNoLakeTable(name, definition);
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

  private void checkNoLakeTable(TableName name, TableDefinition definition) {
    if (lakes.isEmpty()) {
      return;
    }
    for (LakeFormatName format : definition.lakeFormats()) {
      if (lakes.get().format(format).exists(name)) {
        throw new LakeTableExistsException(
            "Cannot create table "
                + name
                + ": a "
                + format.apiName()
                + " lake table of that name is left from an earlier table; drop it with DELETE"
                + " /v1/tables/"
                + name
                + "?purgeLake=true first");
      }
    }
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
    SortedMap<String, List<BucketHead>> partitions = new TreeMap<>();
    for (String partition : partitions(table)) {
      List<BucketHead> heads = new ArrayList<>();
      for (int bucket = 0; bucket < table.definition().buckets(); bucket++) {
        heads.add(metadata.head(new TableBucket(table.tableId(), partition, bucket)));
      }
      partitions.put(partition, heads);
    }
    return new Description(table, partitions, offsetsFiles.tiered(metadata, table));
  }

  /**
   * The partitions of a table that hold rows, by name: the one unnamed partition of an
   * unpartitioned table.
   */
  public List<String> partitions(TableEntry table) {
    return metadata.partitions(table);
  }

  /** Every table, by name. */
  public List<TableEntry> list() {
    return metadata.tables();
  }

  /**
   * Drops a table from the catalog, keeping its lake tables; a re-created table never sees the old
   * log (it gets a new table id).
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
    // A writer that still holds the dropped entry (the write path caches it) can never commit.
    metadata.buckets(table).forEach(metadata::closeBucket);
    onDrop.accept(table);
    return table;
  }

  /**
   * What a drop with {@code purgeLake} removed: the Sluice table, if one existed, and lake tables.
   */
  public record Purged(Optional<TableEntry> table, List<LakeFormatName> lakeTables) {}

  /**
   * Drops a table, if it exists, and deletes every lake table of its name in every format, also one
   * that a table dropped earlier without purging left behind.
   *
   * @throws TableNotFoundException when neither a table nor a lake table has this name
   * @throws NotSupportedException when this function has no access to the lake
   */
  public Purged dropAndPurgeLake(TableName name) {
    if (lakes.isEmpty()) {
      throw new NotSupportedException(
          "Cannot purge the lake tables of " + name + ": this function has no lake access");
    }
    Optional<TableEntry> table = metadata.table(name).map(t -> drop(name));
    List<LakeFormatName> purged = new ArrayList<>();
    for (LakeFormatName format : LakeFormatName.values()) {
      if (lakes.get().format(format).exists(name)) {
        lakes.get().format(format).purge(name);
        purged.add(format);
      }
    }
    if (table.isEmpty() && purged.isEmpty()) {
      throw new TableNotFoundException(
          "Table " + name + " does not exist, nor any lake table of it");
    }
    return new Purged(table, purged);
  }
}
