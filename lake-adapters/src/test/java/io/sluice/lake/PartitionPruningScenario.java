package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.bucket.RowPartitions;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.RowFilter;
import io.sluice.core.scan.RowFilterJson;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Partition pruning in a lake format, shown by the data files the format's reader opens: rows over
 * six days, two regions and four months are tiered into a partitioned lake table, and a scan whose
 * filter constrains the partition source columns opens only files in the partitions it can match,
 * while returning, once filtered, exactly the rows of a scan of everything filtered. Each format's
 * test reads through a counting file IO of its own and hands the paths opened here.
 */
public final class PartitionPruningScenario {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PARTITION_DIR = Pattern.compile("/([a-z_]+=[^/]+)/");

  /** The table's columns: one of each time type, a region and a value. */
  public static final List<Column> COLUMNS =
      List.of(
          new Column("id", DataType.of(TypeKind.BIGINT), false),
          new Column("t", DataType.of(TypeKind.TIMESTAMP), false),
          new Column("at", DataType.of(TypeKind.TIMESTAMP_LTZ), false),
          new Column("d", DataType.of(TypeKind.DATE), false),
          new Column("region", DataType.of(TypeKind.STRING), false),
          new Column("amount", DataType.of(TypeKind.BIGINT), true));

  public static final LocalDate FIRST_DAY = LocalDate.parse("2026-11-21");

  /** Reads a snapshot of a lake table through a file IO that records the data files it opens. */
  public interface CountedScan {
    RowBatches scan(
        LakeTable table,
        TableDefinition definition,
        LakeSnapshot snapshot,
        Optional<RowFilter> filter,
        BufferAllocator allocator);

    /** The paths of the data files opened since the last call, and forgets them. */
    List<String> dataFilesOpened();
  }

  private final BufferAllocator allocator;
  private final CountedScan scans;

  public PartitionPruningScenario(BufferAllocator allocator, CountedScan scans) {
    this.allocator = allocator;
    this.scans = scans;
  }

  /** A table partitioned by {@code partitionBy}, bucketed by id into two buckets. */
  public static TableDefinition definition(LakeFormatName format, String... partitionBy) {
    return TableDefinition.builder()
        .columns(COLUMNS)
        .bucketKey(List.of("id"))
        .buckets(2)
        .partitionBy(List.of(partitionBy).stream().map(PartitionField::parse).toList())
        .lakeFormats(List.of(format))
        .build("Cannot create table");
  }

  /**
   * 120 rows over six days from {@link #FIRST_DAY}, each day's first row at midnight and its last a
   * microsecond before the next, alternating between regions eu and us; {@code at} is the same
   * instant as {@code t}, {@code d} spreads over four months.
   */
  public static List<Object[]> rows() {
    List<Object[]> rows = new ArrayList<>();
    for (long id = 0; id < 120; id++) {
      int day = (int) (id % 6);
      long within = id / 6;
      LocalDateTime t =
          within == 0
              ? FIRST_DAY.plusDays(day).atStartOfDay()
              : within == 19
                  ? FIRST_DAY.plusDays(day + 1).atStartOfDay().minusNanos(1000)
                  : FIRST_DAY.plusDays(day).atTime((int) within, (int) (id % 60));
      rows.add(
          new Object[] {
            id,
            t,
            t.toInstant(ZoneOffset.UTC),
            LocalDate.parse("2026-09-10").plusDays(id % 4 * 30 + id % 7),
            within % 2 == 0 ? "eu" : "us",
            id % 5 == 0 ? null : id * 10
          });
    }
    return rows;
  }

  /** Writes the rows split by (partition, bucket) as the log splits them, and commits. */
  public LakeSnapshot tier(TableDefinition definition, LakeTable table, List<Object[]> rows) {
    Map<PartitionBucket, List<Object[]>> parts = new TreeMap<>();
    try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, COLUMNS, rows)) {
      RowPartitions partitions = RowPartitions.of(definition.partitionBy(), batch);
      int[] buckets = BucketFunctions.of(definition).buckets(batch);
      for (int i = 0; i < rows.size(); i++) {
        parts
            .computeIfAbsent(
                new PartitionBucket(partitions.partition(i).name(), buckets[i]),
                k -> new ArrayList<>())
            .add(rows.get(i));
      }
    }
    Map<PartitionBucket, Long> offsets = new HashMap<>();
    try (LakeWrite write = table.newWrite(Optional.empty(), 1)) {
      parts.forEach(
          (at, partRows) -> {
            try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, COLUMNS, partRows)) {
              write.write(at.partition(), at.bucket(), batch);
            }
            offsets.put(at, (long) partRows.size());
          });
      return write.commit(offsets);
    }
  }

  /** The filter a JSON filter describes on {@code definition}. */
  public RowFilter filter(TableDefinition definition, String json) {
    try {
      return new RowFilterJson(definition, allocator).parse(JSON.readTree(json));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What a scan returned once filtered, and the partition folders of the files it opened. */
  public record Read(List<List<Object>> rows, Set<String> partitionsOpened, int filesOpened) {}

  /** Scans with {@code filter} pushed down, then applies it to what comes back. */
  public Read read(
      LakeTable table,
      TableDefinition definition,
      LakeSnapshot snapshot,
      Optional<RowFilter> pushed,
      Optional<RowFilter> applied) {
    scans.dataFilesOpened();
    List<List<Object>> rows = new ArrayList<>();
    try (RowBatches batches = scans.scan(table, definition, snapshot, pushed, allocator)) {
      while (batches.next()) {
        VectorSchemaRoot batch = batches.batch();
        for (int row = 0; row < batch.getRowCount(); row++) {
          if (applied.isPresent() && !applied.get().test(batch, row)) {
            continue;
          }
          List<Object> values = new ArrayList<>();
          for (FieldVector vector : batch.getFieldVectors()) {
            values.add(ArrowValues.get(vector, row));
          }
          rows.add(values);
        }
      }
    }
    rows.sort(Comparator.comparing(r -> (Long) r.get(0)));
    List<String> opened = scans.dataFilesOpened();
    return new Read(rows, partitionsOf(opened), opened.size());
  }

  /** The partition folders ({@code t_day=2026-11-23/region=eu}) of data file paths. */
  public static Set<String> partitionsOf(Collection<String> paths) {
    Set<String> partitions = new TreeSet<>();
    for (String path : paths) {
      Matcher m = PARTITION_DIR.matcher(path);
      StringBuilder folders = new StringBuilder();
      int from = 0;
      while (m.find(from)) {
        if (!m.group(1).startsWith("bucket") && !m.group(1).startsWith("id_bucket")) {
          folders.append(folders.length() == 0 ? "" : "/").append(m.group(1));
        }
        from = m.end() - 1;
      }
      partitions.add(folders.toString());
    }
    return partitions;
  }

  /**
   * Tiers the rows into a table partitioned by {@code partitionBy} and checks that a scan with
   * {@code filter} opens files of exactly the partitions {@code expected} and returns, filtered,
   * the rows of an unpruned scan filtered; an unfiltered scan opens every partition's files.
   */
  public void assertPrunes(
      LakeTable table,
      TableDefinition definition,
      String filter,
      Collection<String> expected,
      int expectedRows) {
    LakeSnapshot snapshot = tier(definition, table, rows());
    RowFilter parsed = filter(definition, filter);
    Read all = read(table, definition, snapshot, Optional.empty(), Optional.empty());
    assertThat(all.rows()).hasSize(120);
    assertThat(all.partitionsOpened().size())
        .as("an unfiltered scan opens every partition: %s", all.partitionsOpened())
        .isGreaterThan(expected.size());
    Read unpruned = read(table, definition, snapshot, Optional.empty(), Optional.of(parsed));
    Read pruned = read(table, definition, snapshot, Optional.of(parsed), Optional.of(parsed));
    assertThat(pruned.rows()).isEqualTo(unpruned.rows()).hasSize(expectedRows);
    assertThat(pruned.partitionsOpened())
        .as("the partitions of the files opened for %s", filter)
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(pruned.filesOpened()).isLessThan(all.filesOpened());
  }

  /** Instants as the JSON filter writes them. */
  public static String iso(Instant instant) {
    return instant.toString();
  }
}
