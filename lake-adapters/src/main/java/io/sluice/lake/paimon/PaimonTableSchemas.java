package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.service.NotSupportedException;
import io.sluice.core.table.Column;
import io.sluice.core.table.TableDefinition;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.paimon.schema.Schema;

/**
 * The Paimon schema of a Sluice table: its columns, bucketed as Sluice buckets it, Parquet files,
 * the table id as table option {@value LakeSnapshot#TABLE_ID_PROPERTY}, and none of the features
 * that paimon-spark 0.9 cannot read.
 */
final class PaimonTableSchemas {
  /** Paimon's bucket count of a bucket-unaware table. */
  static final int UNAWARE_BUCKETS = -1;

  private PaimonTableSchemas() {}

  /**
   * The schema of a new lake table for {@code table}.
   *
   * @throws NotSupportedException for a primary-key table, which Paimon tiering does not write yet
   */
  static Schema schema(TableEntry table) {
    TableDefinition definition = table.definition();
    if (definition.hasPrimaryKey()) {
      throw new NotSupportedException(
          "Cannot create Paimon table "
              + table.name()
              + ": primary-key tables are not tiered into Paimon yet");
    }
    Schema.Builder schema = Schema.newBuilder();
    for (Column column : definition.columns()) {
      schema.column(column.name(), PaimonTypes.type(column));
    }
    options(table).forEach(schema::option);
    return schema.build();
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
    options.put("changelog-producer", "none");
    options.put("manifest.format", "avro");
    return options;
  }
}
