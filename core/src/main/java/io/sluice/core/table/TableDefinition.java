package io.sluice.core.table;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a table is: its columns, keys, partitions, buckets, lake formats, freshness and log
 * retention. Build one with {@link #builder()}, which checks it and reports every problem at once.
 *
 * @param partitionBy how rows are split into partitions, each with its own buckets; empty for an
 *     unpartitioned table
 * @param partitionRetention how long after its time range ended a partition is dropped
 * @param maxPartitions how many partitions may live at once
 */
public record TableDefinition(
    List<Column> columns,
    List<String> primaryKey,
    List<String> bucketKey,
    int buckets,
    List<LakeFormatName> lakeFormats,
    Duration freshness,
    Duration logRetention,
    Optional<MergeEngine> mergeEngine,
    Optional<String> versionColumn,
    Map<String, String> aggregations,
    List<PartitionField> partitionBy,
    Optional<Duration> partitionRetention,
    int maxPartitions) {

  public static final int DEFAULT_BUCKETS = 4;
  public static final int MAX_BUCKETS = 1024;
  public static final Duration DEFAULT_FRESHNESS = Duration.ofSeconds(30);
  public static final Duration DEFAULT_LOG_RETENTION = Duration.ofHours(24);
  public static final int MAX_COLUMNS = 1000;
  public static final int DEFAULT_MAX_PARTITIONS = 10_000;
  public static final int MAX_PARTITIONS_LIMIT = 1_000_000;

  /** The longest partition field name, as lakes and catalogs keep names short. */
  public static final int MAX_PARTITION_NAME_LENGTH = 63;

  private static final Pattern COLUMN_NAME = Pattern.compile("[a-z][a-z0-9_]{0,127}");

  public TableDefinition {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
    bucketKey = List.copyOf(bucketKey);
    lakeFormats = List.copyOf(lakeFormats);
    aggregations = Map.copyOf(aggregations);
    partitionBy = List.copyOf(partitionBy);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder with every field of this definition, to derive a changed one. */
  public Builder toBuilder() {
    Builder builder =
        builder()
            .columns(columns)
            .primaryKey(primaryKey)
            .bucketKey(bucketKey)
            .buckets(buckets)
            .lakeFormats(lakeFormats)
            .freshness(freshness)
            .logRetention(logRetention)
            .aggregations(aggregations)
            .partitionBy(partitionBy)
            .maxPartitions(maxPartitions);
    mergeEngine.ifPresent(builder::mergeEngine);
    versionColumn.ifPresent(builder::versionColumn);
    partitionRetention.ifPresent(builder::partitionRetention);
    return builder;
  }

  /** Whether rows are merged by key (a primary-key table) rather than appended (a log table). */
  public boolean hasPrimaryKey() {
    return !primaryKey.isEmpty();
  }

  /** Whether rows are split into partitions by {@link #partitionBy()}. */
  public boolean isPartitioned() {
    return !partitionBy.isEmpty();
  }

  /**
   * When {@code partitionRetention} drops a partition of this table: the end of its time range plus
   * the retention; empty when the table's partitions do not expire. The partition is expired from
   * that instant on.
   */
  public Optional<Instant> expiry(Partition partition) {
    return partitionRetention.flatMap(
        retention -> partition.timeRangeEnd().map(end -> end.plus(retention)));
  }

  /** Whether a column is the source of a {@code partitionBy} entry. */
  public boolean isPartitionColumn(String name) {
    return isSource(partitionBy, name);
  }

  private static boolean isSource(List<PartitionField> fields, String name) {
    return fields.stream().anyMatch(f -> f.column().equals(name));
  }

  /** The column with this name, if there is one. */
  public Optional<Column> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** The index of the column with this name, or -1. */
  public int columnIndex(String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The format whose bucketing places rows: the first lake format, Paimon's when there is none. */
  public LakeFormatName bucketingFormat() {
    return lakeFormats.isEmpty() ? LakeFormatName.PAIMON : lakeFormats.get(0);
  }

  /**
   * Whether {@code next} only appends nullable columns to this definition and is otherwise equal:
   * the one schema change a table accepts. An appended column may not take a name a partition field
   * derives (such as {@code t_day}); {@link Builder#build} says so when it checks {@code next}.
   */
  public boolean isEvolvedBy(TableDefinition next) {
    if (next.columns.size() <= columns.size()
        || !next.columns.subList(0, columns.size()).equals(columns)) {
      return false;
    }
    List<Column> appended = next.columns.subList(columns.size(), next.columns.size());
    boolean appendedNullable =
        appended.stream()
            .allMatch(
                c ->
                    c.nullable() && partitionBy.stream().noneMatch(f -> f.name().equals(c.name())));
    TableDefinition sameColumns = next.toBuilder().columns(columns).buildUnchecked();
    return appendedNullable && sameColumns.equals(this);
  }

  /** Collects a definition's fields; {@link #build(String)} checks them all. */
  public static final class Builder {
    private List<Column> columns = List.of();
    private List<String> primaryKey = List.of();
    private List<String> bucketKey;
    private int buckets = DEFAULT_BUCKETS;
    private List<LakeFormatName> lakeFormats = List.of();
    private Duration freshness = DEFAULT_FRESHNESS;
    private Duration logRetention = DEFAULT_LOG_RETENTION;
    private MergeEngine mergeEngine;
    private String versionColumn;
    private Map<String, String> aggregations = Map.of();
    private List<PartitionField> partitionBy = List.of();
    private Duration partitionRetention;
    private int maxPartitions = DEFAULT_MAX_PARTITIONS;

    private Builder() {}

    public Builder columns(List<Column> value) {
      this.columns = value;
      return this;
    }

    public Builder primaryKey(List<String> value) {
      this.primaryKey = value;
      return this;
    }

    /**
     * The bucket key; when never set it defaults to the primary key, less its partition columns on
     * a partitioned table.
     */
    public Builder bucketKey(List<String> value) {
      this.bucketKey = value;
      return this;
    }

    public Builder buckets(int value) {
      this.buckets = value;
      return this;
    }

    public Builder lakeFormats(List<LakeFormatName> value) {
      this.lakeFormats = value;
      return this;
    }

    public Builder freshness(Duration value) {
      this.freshness = value;
      return this;
    }

    public Builder logRetention(Duration value) {
      this.logRetention = value;
      return this;
    }

    public Builder mergeEngine(MergeEngine value) {
      this.mergeEngine = value;
      return this;
    }

    public Builder versionColumn(String value) {
      this.versionColumn = value;
      return this;
    }

    public Builder aggregations(Map<String, String> value) {
      this.aggregations = new LinkedHashMap<>(value);
      return this;
    }

    /** How rows are split into partitions; empty (the default) for an unpartitioned table. */
    public Builder partitionBy(List<PartitionField> value) {
      this.partitionBy = value;
      return this;
    }

    /** How long after its time range ended a partition is dropped; by default never. */
    public Builder partitionRetention(Duration value) {
      this.partitionRetention = value;
      return this;
    }

    public Builder maxPartitions(int value) {
      this.maxPartitions = value;
      return this;
    }

    /**
     * Checks the definition and builds it.
     *
     * @param subject what is being defined, e.g. {@code "Cannot create table default.orders"}
     * @throws InvalidDefinitionException listing every problem found
     */
    public TableDefinition build(String subject) {
      List<String> problems = new ArrayList<>();
      problems(problems);
      if (!problems.isEmpty()) {
        throw new InvalidDefinitionException(subject, problems);
      }
      return buildUnchecked();
    }

    /** Adds this definition's problems to {@code problems}, for callers that collect more. */
    public void problems(List<String> problems) {
      Set<String> names = new HashSet<>();
      if (columns.isEmpty()) {
        problems.add("a table needs at least one column");
      }
      if (columns.size() > MAX_COLUMNS) {
        problems.add("a table has at most " + MAX_COLUMNS + " columns, not " + columns.size());
      }
      for (Column column : columns) {
        if (!COLUMN_NAME.matcher(column.name()).matches()) {
          problems.add("column name '" + column.name() + "' must match [a-z][a-z0-9_]{0,127}");
        } else if (!names.add(column.name())) {
          problems.add("column " + column.name() + " is defined twice");
        }
      }
      List<Column> resolved = resolvedColumns();
      checkKey("primary key", primaryKey, problems);
      List<String> bucketColumns = resolvedBucketKey();
      checkKey("bucket key", bucketColumns, problems);
      boolean keyOnlyOfPartitionColumns =
          !partitionBy.isEmpty()
              && !primaryKey.isEmpty()
              && primaryKey.stream().allMatch(this::isPartitionColumn);
      if (!primaryKey.isEmpty()) {
        if (bucketColumns.isEmpty() && !keyOnlyOfPartitionColumns) {
          problems.add(
              "a primary-key table needs a bucket key, so that each key lives in one bucket"
                  + " (leave out bucketKey for the primary key)");
        }
        for (String column : bucketColumns) {
          if (!primaryKey.contains(column)) {
            problems.add("bucket key column " + column + " is not in the primary key");
          }
        }
      }
      if (buckets < 1 || buckets > MAX_BUCKETS) {
        problems.add("buckets must be 1 to " + MAX_BUCKETS + ", not " + buckets);
      }
      if (new HashSet<>(lakeFormats).size() != lakeFormats.size()) {
        problems.add("lake format listed twice in " + lakeFormats);
      }
      if (freshness.isNegative() || freshness.isZero()) {
        problems.add("freshness must be positive");
      }
      if (logRetention.isNegative() || logRetention.isZero()) {
        problems.add("logRetention must be positive");
      }
      if (lakeFormats.contains(LakeFormatName.ICEBERG)) {
        for (String key : primaryKey) {
          resolved.stream()
              .filter(c -> c.name().equals(key))
              .filter(c -> c.type().kind() == TypeKind.FLOAT || c.type().kind() == TypeKind.DOUBLE)
              .findFirst()
              .ifPresent(
                  c ->
                      problems.add(
                          "primary-key column "
                              + key
                              + " has type "
                              + c.type()
                              + ", which Iceberg cannot use as an identifier field"));
        }
      }
      if (!lakeFormats.isEmpty() && lakeFormats.get(0) == LakeFormatName.ICEBERG) {
        checkIcebergBucketKey(bucketColumns, resolved, problems);
      }
      checkMergeEngine(problems);
      checkPartitions(resolved, bucketColumns, keyOnlyOfPartitionColumns, problems);
    }

    private void checkPartitions(
        List<Column> resolved,
        List<String> bucketColumns,
        boolean keyOnlyOfPartitionColumns,
        List<String> problems) {
      Set<PartitionField> seen = new HashSet<>();
      Map<String, PartitionField> timeTransformByColumn = new HashMap<>();
      for (PartitionField field : partitionBy) {
        String entry = "partitionBy entry " + field.apiForm();
        if (!seen.add(field)) {
          problems.add(entry + " is listed twice");
          continue;
        }
        Optional<Column> found =
            resolved.stream().filter(c -> c.name().equals(field.column())).findFirst();
        if (found.isEmpty()) {
          problems.add(entry + ": " + field.column() + " is not a column of the table");
        } else {
          Column column = found.get();
          if (!field.transform().accepts(column.type())) {
            problems.add(
                entry
                    + ": "
                    + field.transform().apiName()
                    + " cannot take column "
                    + column.name()
                    + " of type "
                    + column.type()
                    + (field.transform() == PartitionTransform.HOUR
                            && column.type().kind() == TypeKind.DATE
                        ? ", which has no hours"
                        : "")
                    + " (it takes "
                    + field.transform().acceptedTypes().stream()
                        .map(TypeKind::apiName)
                        .collect(Collectors.joining(", "))
                    + ")");
          }
          if (!primaryKey.isEmpty() && !primaryKey.contains(column.name())) {
            problems.add(
                entry
                    + ": column "
                    + column.name()
                    + " is not in the primary key; a primary-key table's partition columns"
                    + " belong to its key");
          }
          if (column.nullable()) {
            problems.add(
                entry
                    + ": column "
                    + column.name()
                    + " must be declared \"nullable\": false, as a partition value may not be"
                    + " null");
          }
        }
        if (field.transform().isTimeTransform()) {
          PartitionField other = timeTransformByColumn.putIfAbsent(field.column(), field);
          if (other != null) {
            problems.add(
                "partitionBy has two time transforms of column "
                    + field.column()
                    + ", "
                    + other.apiForm()
                    + " and "
                    + field.apiForm()
                    + "; keep one");
          }
          if (columns.stream().anyMatch(c -> c.name().equals(field.name()))) {
            problems.add(
                entry
                    + " derives the partition name "
                    + field.name()
                    + ", which is already a column's name");
          }
        }
        if (field.name().length() > MAX_PARTITION_NAME_LENGTH) {
          problems.add(
              entry
                  + ": partition name "
                  + field.name()
                  + " is longer than "
                  + MAX_PARTITION_NAME_LENGTH
                  + " characters");
        }
      }
      if (keyOnlyOfPartitionColumns) {
        problems.add(
            "primary key "
                + primaryKey
                + " is made only of partition columns; add a column that tells the rows of one"
                + " partition apart");
      }
      for (String column : new LinkedHashSet<>(bucketColumns)) {
        if (isPartitionColumn(column)) {
          problems.add(
              "bucket key column "
                  + column
                  + " is a partition column; a partition's rows are bucketed by other columns");
        }
      }
      if (partitionRetention != null) {
        if (partitionBy.stream().noneMatch(f -> f.transform().isTimeTransform())) {
          problems.add(
              "partitionRetention needs a time-transformed partitionBy entry, such as day(t)");
        }
        if (partitionRetention.isNegative() || partitionRetention.isZero()) {
          problems.add("partitionRetention must be positive");
        }
      }
      if (maxPartitions < 1 || maxPartitions > MAX_PARTITIONS_LIMIT) {
        problems.add(
            "maxPartitions must be 1 to " + MAX_PARTITIONS_LIMIT + ", not " + maxPartitions);
      }
    }

    private boolean isPartitionColumn(String name) {
      return isSource(partitionBy, name);
    }

    private void checkKey(String what, List<String> key, List<String> problems) {
      Set<String> seen = new HashSet<>();
      for (String name : key) {
        Optional<Column> column = columns.stream().filter(c -> c.name().equals(name)).findFirst();
        if (column.isEmpty()) {
          problems.add(what + " column " + name + " is not a column of the table");
        } else if (!seen.add(name)) {
          problems.add(what + " column " + name + " is listed twice");
        }
      }
    }

    private void checkIcebergBucketKey(
        List<String> bucketColumns, List<Column> resolved, List<String> problems) {
      if (bucketColumns.isEmpty()) {
        return;
      }
      String advice =
          "; Iceberg's bucket transform takes exactly one non-null column of type tinyint,"
              + " smallint, int, bigint, decimal, string, binary, date, timestamp or"
              + " timestamp_ltz (or list paimon first, whose bucketing takes any key)";
      if (bucketColumns.size() != 1) {
        problems.add(
            "an Iceberg-aligned bucket key must be one column, not " + bucketColumns + advice);
        return;
      }
      resolved.stream()
          .filter(c -> c.name().equals(bucketColumns.get(0)))
          .findFirst()
          .ifPresent(
              column -> {
                TypeKind kind = column.type().kind();
                if (kind == TypeKind.BOOLEAN || kind == TypeKind.FLOAT || kind == TypeKind.DOUBLE) {
                  problems.add(
                      "bucket key column "
                          + column.name()
                          + " has type "
                          + column.type()
                          + ", which Iceberg cannot bucket"
                          + advice);
                } else if (column.nullable()) {
                  problems.add(
                      "bucket key column "
                          + column.name()
                          + " must be declared \"nullable\": false for Iceberg bucketing"
                          + advice);
                }
              });
    }

    private void checkMergeEngine(List<String> problems) {
      if (primaryKey.isEmpty()) {
        if (mergeEngine != null || versionColumn != null || !aggregations.isEmpty()) {
          problems.add("mergeEngine, versionColumn and aggregations need a primaryKey");
        }
        return;
      }
      MergeEngine engine = mergeEngine == null ? MergeEngine.LAST_ROW : mergeEngine;
      if (engine == MergeEngine.VERSIONED) {
        if (versionColumn == null) {
          problems.add("mergeEngine versioned needs a versionColumn");
        } else {
          Optional<Column> version =
              columns.stream().filter(c -> c.name().equals(versionColumn)).findFirst();
          if (version.isEmpty()) {
            problems.add("versionColumn " + versionColumn + " is not a column of the table");
          } else if (!AggregateFunction.MAX.accepts(version.get().type())) {
            problems.add(
                "versionColumn "
                    + versionColumn
                    + " has type "
                    + version.get().type()
                    + ", which has no order; use a number, string, date or timestamp");
          }
        }
      } else if (versionColumn != null) {
        problems.add("versionColumn is only for mergeEngine versioned");
      }
      if (engine == MergeEngine.AGGREGATION) {
        aggregations.forEach(
            (column, function) -> {
              Optional<Column> found =
                  columns.stream().filter(c -> c.name().equals(column)).findFirst();
              if (found.isEmpty()) {
                problems.add("aggregation column " + column + " is not a column of the table");
              } else if (primaryKey.contains(column)) {
                problems.add("aggregation column " + column + " is part of the primary key");
              }
              AggregateFunction parsed;
              try {
                parsed = AggregateFunction.parse(function);
              } catch (IllegalArgumentException e) {
                problems.add(
                    "aggregation function '"
                        + function
                        + "' for column "
                        + column
                        + " is not one of "
                        + Arrays.stream(AggregateFunction.values())
                            .map(AggregateFunction::apiName)
                            .sorted()
                            .toList());
                return;
              }
              found
                  .filter(c -> !parsed.accepts(c.type()))
                  .ifPresent(
                      c ->
                          problems.add(
                              "aggregation function "
                                  + function
                                  + " cannot take column "
                                  + column
                                  + " of type "
                                  + c.type()));
            });
      } else if (!aggregations.isEmpty()) {
        problems.add("aggregations are only for mergeEngine aggregation");
      }
    }

    /** Primary-key columns are never null, whatever the column said. */
    private List<Column> resolvedColumns() {
      return columns.stream()
          .map(
              c ->
                  primaryKey.contains(c.name()) && c.nullable()
                      ? new Column(c.name(), c.type(), false)
                      : c)
          .toList();
    }

    private List<String> resolvedBucketKey() {
      if (bucketKey != null) {
        return bucketKey;
      }
      return primaryKey.stream().filter(c -> !isPartitionColumn(c)).toList();
    }

    TableDefinition buildUnchecked() {
      MergeEngine engine =
          primaryKey.isEmpty()
              ? mergeEngine
              : mergeEngine == null ? MergeEngine.LAST_ROW : mergeEngine;
      return new TableDefinition(
          resolvedColumns(),
          primaryKey,
          resolvedBucketKey(),
          buckets,
          lakeFormats,
          freshness,
          logRetention,
          Optional.ofNullable(engine),
          Optional.ofNullable(versionColumn),
          aggregations,
          partitionBy,
          Optional.ofNullable(partitionRetention),
          maxPartitions);
    }
  }
}
