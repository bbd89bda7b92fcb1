package io.sluice.core.service;

import io.sluice.core.arrow.ArrowCopy;
import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.log.LogIndex;
import io.sluice.core.log.SliceReader;
import io.sluice.core.merge.PrimaryKeyColumns;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.segment.SegmentFooter;
import io.sluice.core.segment.SegmentReader;
import io.sluice.core.store.NotFoundException;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.Durations;
import io.sluice.core.table.Partition;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import io.sluice.core.table.TypeKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads a bucket's log from an offset: finds the slices, fetches each by byte range (only the
 * projected columns' ranges when a projection is asked for), and adds each row's offset and commit
 * timestamp.
 */
public final class LogReadService {
  public static final int MAX_LIMIT = 10_000;
  public static final long MAX_WAIT_MILLIS = 20_000;
  public static final String OFFSET = "_offset";
  public static final String TIMESTAMP = "_timestamp";

  /**
   * The footer cache's bound, in column chunks (one per column per bucket, about 100 bytes of heap
   * each): a footer's size grows with columns times buckets, so a count of footers bounds nothing.
   */
  private static final int FOOTER_CACHE_CHUNKS = 100_000;

  private final TableService tables;
  private final ObjectStore objects;
  private final LogWaiter waiter;
  private final BufferAllocator allocator;
  private final MetadataStore metadata;
  private final LogIndex index;
  private final SliceReader slices;

  /**
   * Footers of the segments that projected reads read, least recently used first. A scan reads a
   * table bucket by bucket, so it needs every footer of its range again for each bucket: the cache
   * holds as many as {@link #FOOTER_CACHE_CHUNKS} allows (1,250 of a 20-column, 4-bucket table).
   */
  private final Map<String, SegmentFooter> footers = new LinkedHashMap<>(16, 0.75f, true);

  private long footerChunks; // guarded by footers

  public LogReadService(
      TableService tables,
      MetadataStore metadata,
      ObjectStore objects,
      LogWaiter waiter,
      BufferAllocator allocator) {
    this.tables = tables;
    this.objects = objects;
    this.waiter = waiter;
    this.allocator = allocator;
    this.metadata = metadata;
    this.index = new LogIndex(metadata);
    this.slices = new SliceReader(objects, allocator);
  }

  /**
   * A read request: partition ({@link TableBucket#UNPARTITIONED} on an unpartitioned table),
   * bucket, start offset, row limit, optional projection and long-poll wait.
   */
  public record Request(
      TableName table,
      String partition,
      int bucket,
      long from,
      int limit,
      Optional<List<String>> columns,
      long waitMillis) {

    /** A read of a bucket of an unpartitioned table. */
    public Request(
        TableName table,
        int bucket,
        long from,
        int limit,
        Optional<List<String>> columns,
        long waitMillis) {
      this(table, TableBucket.UNPARTITIONED, bucket, from, limit, columns, waitMillis);
    }
  }

  /**
   * Reads rows of one bucket in offset order.
   *
   * @throws TableNotFoundException, BucketNotFoundException, InvalidParameterException, or
   *     OffsetOutOfRangeException when {@code from} is below the log start or past the high
   *     watermark
   */
  public LogRead read(Request request) throws InterruptedException {
    TableEntry table = tables.table(request.table());
    int buckets = table.definition().buckets();
    if (request.bucket() < 0 || request.bucket() >= buckets) {
      throw new BucketNotFoundException(
          "Table "
              + request.table()
              + " has buckets 0 to "
              + (buckets - 1)
              + ", not "
              + request.bucket());
    }
    TableBucket bucket = bucket(table, request.partition(), request.bucket());
    if (request.limit() < 1 || request.limit() > MAX_LIMIT) {
      throw new InvalidParameterException(
          "limit must be 1 to " + MAX_LIMIT + ", not " + request.limit());
    }
    if (request.waitMillis() < 0 || request.waitMillis() > MAX_WAIT_MILLIS) {
      throw new InvalidParameterException(
          "waitMs must be 0 to " + MAX_WAIT_MILLIS + ", not " + request.waitMillis());
    }
    if (request.from() < 0) {
      throw new InvalidParameterException("from must be 0 or more, not " + request.from());
    }
    List<Column> columns =
        PrimaryKeyColumns.withLogColumns(table.definition(), projection(table, request.columns()));
    long deadline = System.nanoTime() + request.waitMillis() * 1_000_000;
    while (true) {
      LogIndex.BucketSlices found =
          index.slices(bucket, request.from(), request.from() + request.limit());
      BucketHead head = found.head();
      checkDropped(table, bucket, head);
      checkRange(request, head);
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (head.nextOffset() > request.from() || left <= 0) {
        return collect(table, request, columns, found);
      }
      waiter.await(Math.min(left, LogWaiter.RECHECK_MILLIS));
    }
  }

  /**
   * The log a read names: the partition must be given on a partitioned table, as a name of its
   * partition spec, and left out on an unpartitioned one (400 otherwise). A partition without rows
   * reads as empty.
   */
  public static TableBucket bucket(TableEntry table, String partition, int bucket) {
    TableDefinition definition = table.definition();
    if (!definition.isPartitioned()) {
      if (!partition.isEmpty()) {
        throw new InvalidParameterException(
            "partition: table " + table.name() + " is not partitioned");
      }
    } else if (partition.isEmpty()) {
      throw new InvalidParameterException(
          "partition: table "
              + table.name()
              + " is partitioned by "
              + definition.partitionBy().stream().map(PartitionField::apiForm).toList()
              + "; name the partition, e.g. partition="
              + definition.partitionBy().stream()
                  .map(f -> f.name() + "=...")
                  .collect(Collectors.joining("/")));
    } else {
      try {
        Partition.parse(definition, partition);
      } catch (IllegalArgumentException e) {
        throw new InvalidParameterException("partition: " + e.getMessage());
      }
    }
    return new TableBucket(table.tableId(), partition, bucket);
  }

  /**
   * Refuses a read of a bucket that partition retention dropped: its head is closed and holds no
   * rows any more (a partition that never held rows reads as empty instead).
   */
  private static void checkDropped(TableEntry table, TableBucket bucket, BucketHead head) {
    if (!bucket.partition().isEmpty()
        && head.closed()
        && head.logStartOffset() >= head.nextOffset()) {
      throw new BucketNotFoundException(
          "Partition "
              + bucket.partition()
              + " of table "
              + table.name()
              + " was dropped: its time range ended longer ago than the table's partitionRetention"
              + table
                  .definition()
                  .partitionRetention()
                  .map(d -> " " + Durations.format(d))
                  .orElse(""));
    }
  }

  private static void checkRange(Request request, BucketHead head) {
    if (request.from() < head.logStartOffset()) {
      throw new OffsetOutOfRangeException(
          "Offset "
              + request.from()
              + " of "
              + bucketName(request)
              + " is below the log start "
              + head.logStartOffset()
              + "; older rows were tiered into the lake or expired",
          head.logStartOffset());
    }
    if (request.from() > head.nextOffset()) {
      throw new OffsetOutOfRangeException(
          "Offset "
              + request.from()
              + " of "
              + bucketName(request)
              + " is past the high watermark "
              + head.nextOffset(),
          head.logStartOffset());
    }
  }

  private static String bucketName(Request request) {
    return new PartitionBucket(request.partition(), request.bucket()).toString();
  }

  /** The columns {@code names} pick, all when empty; 400 for a name that is not a column. */
  public static List<Column> projection(TableEntry table, Optional<List<String>> names) {
    if (names.isEmpty()) {
      return table.definition().columns();
    }
    List<Column> columns = new ArrayList<>();
    for (String name : names.get()) {
      columns.add(
          table
              .definition()
              .column(name)
              .orElseThrow(
                  () ->
                      new InvalidParameterException(
                          "columns: " + name + " is not a column of table " + table.name())));
    }
    return columns;
  }

  /** The schema of what a read returns: offset, timestamp, then the chosen columns. */
  public static Schema outputSchema(List<Column> columns) {
    List<Field> fields = new ArrayList<>();
    fields.add(ArrowSchemas.field(new Column(OFFSET, DataType.of(TypeKind.BIGINT), false)));
    fields.add(
        ArrowSchemas.field(new Column(TIMESTAMP, DataType.of(TypeKind.TIMESTAMP_LTZ), false)));
    columns.stream().map(ArrowSchemas::field).forEach(fields::add);
    return new Schema(fields);
  }

  private LogRead collect(
      TableEntry table, Request request, List<Column> columns, LogIndex.BucketSlices found) {
    long end = Math.min(found.head().nextOffset(), request.from() + request.limit());
    VectorSchemaRoot out = VectorSchemaRoot.create(outputSchema(columns), allocator);
    try {
      BigIntVector offsets = (BigIntVector) out.getVector(OFFSET);
      TimeStampMicroTZVector timestamps = (TimeStampMicroTZVector) out.getVector(TIMESTAMP);
      int written = 0;
      for (Slice slice : found.slices()) {
        if (slice.baseOffset() >= end) {
          break;
        }
        long first = Math.max(request.from(), slice.baseOffset());
        long last = Math.min(end, slice.endOffset());
        try (VectorSchemaRoot rows = fetch(table, request, slice, columns)) {
          int fromRow = (int) (first - slice.baseOffset());
          int toRow = (int) (last - slice.baseOffset());
          ArrowCopy.copyRows(rows, fromRow, toRow, out, written);
          long micros = ArrowValues.micros(slice.timestamp());
          for (long offset = first; offset < last; offset++) {
            offsets.setSafe(written, offset);
            timestamps.setSafe(written, micros);
            written++;
          }
        }
      }
      ArrowCopy.finish(out, written);
      return new LogRead(out, request.from() + written, found.head().nextOffset());
    } catch (NotFoundException e) {
      out.close();
      // Retention dropped the slice (and GC its object) since we read the head.
      checkRange(request, metadata.head(bucket(table, request.partition(), request.bucket())));
      throw e;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  private VectorSchemaRoot fetch(
      TableEntry table, Request request, Slice slice, List<Column> columns) {
    boolean projected = request.columns().isPresent();
    if (!projected) {
      return slices.read(slice);
    }
    SegmentFooter footer = footer(slice.segmentKey());
    List<String> present = new ArrayList<>();
    SegmentFooter.BucketEntry entry = footer.entryAt(slice.byteOffset()).orElseThrow();
    for (Column column : columns) {
      if (entry.column(column.name()).isPresent()) {
        present.add(column.name());
      }
    }
    return SegmentReader.readColumns(
        objects, slice.segmentKey(), footer, entry.bucket(), present, allocator);
  }

  private SegmentFooter footer(String key) {
    synchronized (footers) {
      SegmentFooter cached = footers.get(key);
      if (cached != null) {
        return cached;
      }
    }
    SegmentFooter footer = SegmentFooter.read(objects, key);
    synchronized (footers) {
      SegmentFooter raced = footers.putIfAbsent(key, footer);
      if (raced != null) {
        return raced;
      }
      footerChunks += chunks(footer);
      Iterator<SegmentFooter> eldest = footers.values().iterator();
      while (footerChunks > FOOTER_CACHE_CHUNKS && footers.size() > 1) {
        footerChunks -= chunks(eldest.next());
        eldest.remove();
      }
    }
    return footer;
  }

  private static long chunks(SegmentFooter footer) {
    return footer.buckets().stream().mapToLong(b -> b.columns().size()).sum();
  }
}
