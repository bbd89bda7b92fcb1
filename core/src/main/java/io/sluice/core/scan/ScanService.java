package io.sluice.core.scan;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.merge.LogRow;
import io.sluice.core.merge.PrimaryKeyRows;
import io.sluice.core.merge.RowMerger;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.LogReadService;
import io.sluice.core.service.NotSupportedException;
import io.sluice.core.service.TableService;
import io.sluice.core.table.Column;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Plans and runs scans of a whole table. A union scan reads the newest tiered lake snapshot S with
 * its offsets O(b), then the high watermark H(b) of every bucket, and returns the lake rows of S
 * plus each bucket's log from O(b) to H(b): every row acknowledged before the scan started exactly
 * once. Reading S before H(b) makes H(b) ≥ O(b), since tiering only commits acknowledged rows.
 *
 * <p>On a partitioned table a filter on partition source columns prunes partitions ({@link
 * PartitionPruner}): the log of a partition none of whose rows can pass is not read at all (no
 * head, index page or segment), its buckets are left out of the scan's offsets, and the lake gets
 * the filter to skip that partition's files.
 */
public final class ScanService {
  private final TableService tables;
  private final MetadataStore metadata;
  private final LogReadService reads;
  private final Optional<LakeFormats> lakes;
  private final BufferAllocator allocator;

  public ScanService(
      TableService tables,
      MetadataStore metadata,
      LogReadService reads,
      Optional<LakeFormats> lakes,
      BufferAllocator allocator) {
    this.tables = tables;
    this.metadata = metadata;
    this.reads = reads;
    this.lakes = lakes;
    this.allocator = allocator;
  }

  /** A scan request: projection (all columns when empty), filter, source, lake and row limit. */
  public record Request(
      TableName table,
      Optional<List<String>> columns,
      Optional<JsonNode> filter,
      ScanSource source,
      Optional<LakeFormatName> lake,
      long limit) {
    public Request {
      if (limit < 0) {
        throw new InvalidParameterException("limit must be 0 or more, not " + limit);
      }
    }

    /** Every column of every row from the union of lake and log. */
    public static Request all(TableName table) {
      return new Request(
          table,
          Optional.empty(),
          Optional.empty(),
          ScanSource.UNION,
          Optional.empty(),
          Long.MAX_VALUE);
    }
  }

  /**
   * Starts a scan; rows are read as the caller pulls them.
   *
   * @throws io.sluice.core.service.TableNotFoundException, InvalidParameterException for a bad
   *     projection, filter, source or lake
   */
  public TableScan scan(Request request) {
    TableEntry table = tables.table(request.table());
    TableDefinition definition = table.definition();
    List<Column> columns = LogReadService.projection(table, request.columns());
    Optional<RowFilter> filter =
        request.filter().map(node -> new RowFilterJson(definition, allocator).parse(node));
    List<Column> read = readColumns(definition, columns, filter);

    Optional<LakeTable> lakeTable = Optional.empty();
    Optional<LakeSnapshot> snapshot = Optional.empty();
    if (request.source() != ScanSource.LOG) {
      Optional<LakeFormatName> format = lakeFormat(table, request);
      if (format.isPresent()) {
        lakeTable = lakes.orElseThrow().format(format.get()).load(table);
        snapshot = lakeTable.flatMap(LakeTable::latestTiered);
      }
    }

    // Partitions whose values rule out every row of theirs are skipped: no head, index page or
    // segment of theirs is read, and the offsets do not name them.
    PartitionPruner pruner = PartitionPruner.of(definition, filter);
    SortedMap<PartitionBucket, Long> offsets = new TreeMap<>();
    List<Tail> tails = new ArrayList<>();
    for (String partition : pruner.matching(definition, tables.partitions(table))) {
      for (int bucket = 0; bucket < definition.buckets(); bucket++) {
        PartitionBucket at = new PartitionBucket(partition, bucket);
        long tiered = snapshot.isPresent() ? snapshot.get().offset(partition, bucket) : 0L;
        if (request.source() == ScanSource.LAKE) {
          offsets.put(at, tiered);
          continue;
        }
        BucketHead head = metadata.head(at.in(table.tableId()));
        long from = request.source() == ScanSource.LOG ? head.logStartOffset() : tiered;
        long end = head.nextOffset();
        offsets.put(at, Math.max(end, tiered));
        if (from < end) {
          tails.add(new Tail(at, from, end));
        }
      }
    }
    // A primary-key table's lake rows are final unless a log tail merges onto them.
    boolean merge = definition.hasPrimaryKey() && !tails.isEmpty();
    Optional<Supplier<RowBatches>> lakeRows = Optional.empty();
    if (snapshot.isPresent()) {
      LakeTable lake = lakeTable.get();
      LakeSnapshot s = snapshot.get();
      // Merged rows are filtered after merging: a lake row the filter drops may still be the
      // base a later partial update merges onto. Only the part on partition source columns goes
      // to the lake then: those are key columns, the same in every row of a key.
      List<Column> lakeColumns = merge ? definition.columns() : read;
      Optional<RowFilter> lakeFilter =
          merge
              ? filter.flatMap(f -> PartitionPruner.restrictTo(f, pruner.sourceColumns()))
              : filter;
      lakeRows = Optional.of(() -> lake.scan(s, lakeColumns, lakeFilter, allocator));
    }
    List<Supplier<RowBatches>> sources = new ArrayList<>();
    if (merge) {
      Optional<Supplier<RowBatches>> lake = lakeRows;
      sources.add(() -> merged(table, tails, lake));
    } else {
      List<String> readNames = read.stream().map(Column::name).toList();
      for (Tail tail : tails) {
        sources.add(
            () ->
                new LogTailBatches(
                    reads, table.name(), tail.bucket(), tail.from(), tail.end(), readNames));
      }
      lakeRows.ifPresent(sources::add);
    }
    RowBatches rows =
        new FilteredBatches(
            sources,
            filter,
            ArrowSchemas.schema(columns),
            request.limit() == 0 ? Long.MAX_VALUE : request.limit(),
            allocator);
    return new TableScan(table, rows, offsets, snapshot);
  }

  /** A bucket's log from an offset to an end offset fixed at scan start. */
  private record Tail(PartitionBucket bucket, long from, long end) {}

  /** Every column of the current row of each live key of a primary-key table. */
  private RowBatches merged(
      TableEntry table, List<Tail> tails, Optional<Supplier<RowBatches>> lake) {
    TableDefinition definition = table.definition();
    List<String> names = definition.columns().stream().map(Column::name).toList();
    List<LogRow> tailRows = new ArrayList<>();
    for (Tail tail : tails) {
      try (LogTailBatches batches =
          new LogTailBatches(reads, table.name(), tail.bucket(), tail.from(), tail.end(), names)) {
        while (batches.next()) {
          tailRows.addAll(PrimaryKeyRows.logRows(batches.batch(), definition));
        }
      }
    }
    return new MergedBatches(
        new RowMerger(definition),
        definition.columns(),
        ArrowSchemas.schema(definition),
        tailRows,
        () -> lake.map(Supplier::get),
        allocator);
  }

  /**
   * The lake snapshots of a table in {@code lake} (the table's first format when empty), newest
   * first; empty when the lake table does not exist yet. Never creates anything.
   *
   * @throws InvalidParameterException when the table has no such lake format
   * @throws NotSupportedException when it has none
   */
  public List<LakeSnapshot> snapshots(TableName name, Optional<LakeFormatName> lake) {
    TableEntry table = tables.table(name);
    if (table.definition().lakeFormats().isEmpty()) {
      throw new NotSupportedException("Table " + name + " has no lake formats");
    }
    LakeFormatName format =
        lakeFormat(
                table,
                new Request(name, Optional.empty(), Optional.empty(), ScanSource.LAKE, lake, 0))
            .orElseThrow();
    return lakes
        .orElseThrow()
        .format(format)
        .load(table)
        .map(LakeTable::snapshots)
        .orElse(List.of());
  }

  /** The lake format the scan reads, if the table has one and the source reads the lake. */
  private Optional<LakeFormatName> lakeFormat(TableEntry table, Request request) {
    List<LakeFormatName> formats = table.definition().lakeFormats();
    if (request.lake().isPresent() && !formats.contains(request.lake().get())) {
      throw new InvalidParameterException(
          "lake: table %s is not tiered into %s (its lake formats: %s)"
              .formatted(table.name(), request.lake().get().apiName(), names(formats)));
    }
    if (formats.isEmpty()) {
      if (request.source() == ScanSource.LAKE) {
        throw new InvalidParameterException(
            "source=lake: table " + table.name() + " has no lake format");
      }
      return Optional.empty();
    }
    if (lakes.isEmpty()) {
      throw new IllegalStateException(
          "Cannot scan the lake of " + table.name() + ": no lake formats are configured here");
    }
    return Optional.of(request.lake().orElse(formats.get(0)));
  }

  private static String names(List<LakeFormatName> formats) {
    return formats.isEmpty()
        ? "none"
        : String.join(", ", formats.stream().map(LakeFormatName::apiName).toList());
  }

  /** The projection plus the columns only the filter reads, in table order. */
  private static List<Column> readColumns(
      TableDefinition definition, List<Column> columns, Optional<RowFilter> filter) {
    Set<String> names = new LinkedHashSet<>();
    columns.forEach(c -> names.add(c.name()));
    filter.ifPresent(f -> names.addAll(f.columns()));
    return definition.columns().stream().filter(c -> names.contains(c.name())).toList();
  }
}
