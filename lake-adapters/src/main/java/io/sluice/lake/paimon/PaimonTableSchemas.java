package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.table.Column;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.PartitionTransform;
import io.sluice.core.table.TableDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.types.DataTypes;

/**
 * The Paimon schema of a Sluice table: its columns, bucketed as Sluice buckets it, Parquet files,
 * the table id as table option {@value LakeSnapshot#TABLE_ID_PROPERTY}, and none of the features
 * that paimon-spark 0.9 cannot read. A primary-key table becomes a Paimon primary-key table with
 * fixed buckets whose merge engine, merging the whole rows Sluice writes, gives back exactly those
 * rows (see docs/lake-mapping.md).
 */
final class PaimonTableSchemas {
  /** Paimon's bucket count of a bucket-unaware table. */
  static final int UNAWARE_BUCKETS = -1;

  private PaimonTableSchemas() {}

  /**
   * The schema of a new lake table for {@code table} (a primary-key table always has a bucket key:
   * {@link TableDefinition} refuses one without).
   */
  static Schema schema(TableEntry table) {
    TableDefinition definition = table.definition();
    Schema.Builder schema = Schema.newBuilder();
    for (Column column : definition.columns()) {
      schema.column(column.name(), PaimonTypes.type(column));
    }
    // A transform's partition values are a column of their own, named as the partition name says.
    List<String> derived = derivedColumns(definition);
    derived.forEach(name -> schema.column(name, DataTypes.STRING().notNull()));
    if (definition.isPartitioned()) {
      schema.partitionKeys(definition.partitionBy().stream().map(PartitionField::name).toList());
    }
    if (definition.hasPrimaryKey()) {
      // Paimon's key holds the partition keys; a derived value is a function of key columns.
      List<String> key = new ArrayList<>(definition.primaryKey());
      key.addAll(derived);
      schema.primaryKey(key);
    }
    options(table).forEach(schema::option);
    return schema.build();
  }

  /**
   * The columns a partitioned table's Paimon table adds to its own: one string column per
   * transformed partition field ({@code t_day} for {@code day(t)}), holding the partition value as
   * its partition name shows it. Identity fields partition by the column itself.
   */
  static List<String> derivedColumns(TableDefinition definition) {
    return definition.partitionBy().stream()
        .filter(f -> f.transform() != PartitionTransform.IDENTITY)
        .map(PartitionField::name)
        .toList();
  }

  /** The table options of a new lake table for {@code table}. */
  static Map<String, String> options(TableEntry table) {
    TableDefinition definition = table.definition();
    Map<String, String> options = new LinkedHashMap<>();
    if (definition.bucketKey().isEmpty()) {
      options.put("bucket", Integer.toString(UNAWARE_BUCKETS));
    } else {
      options.put("bucket", Integer.toString(definition.buckets()));
      options.put("bucket-key", String.join(",", definition.bucketKey()));
      // PaimonBucketFunction is Paimon's default function; pin it.
      options.put("bucket-function.type", "default");
    }
    options.put("file.format", "parquet");
    options.put(LakeSnapshot.TABLE_ID_PROPERTY, table.tableId());
    // Readable by paimon-spark 0.9: no deletion vectors, row tracking, data evolution, changelog.
    options.put("deletion-vectors.enabled", "false");
    options.put("row-tracking.enabled", "false");
    options.put("data-evolution.enabled", "false");
    options.put("manifest.format", "avro");
    if (definition.hasPrimaryKey()) {
      // Every change Sluice writes is the table's changelog: Paimon's streaming readers get it.
      options.put("changelog-producer", "input");
      options.putAll(mergeOptions(definition));
    } else {
      options.put("changelog-producer", "none");
    }
    return options;
  }

  /**
   * The merge engine options of a primary-key table: {@code deduplicate}, whatever Sluice's engine.
   * Sluice writes rows it already merged, whole, so Paimon must give back exactly the last row
   * written per key. Paimon's own engines cannot: {@code partial-update} cannot set a column to
   * null; {@code first-row} refuses the {@code input} changelog producer; and {@code aggregation}
   * loses a delete that its write buffer merges with a later insert of the same key (the buffer
   * folds -D, +I into one +I that then aggregates onto the key's old row in an earlier file), and
   * cannot retract max, min, first_value or the boolean functions.
   */
  static Map<String, String> mergeOptions(TableDefinition definition) {
    return Map.of("merge-engine", "deduplicate");
  }
}
