package io.sluice.core.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableDefinitionJsonTest {
  private static final String ORDERS =
      """
      {
        "columns": [
          {"name": "order_id", "type": "bigint", "nullable": false},
          {"name": "customer", "type": "string"},
          {"name": "amount",   "type": "DECIMAL(12, 2)"},
          {"name": "t",        "type": "timestamp"}
        ],
        "primaryKey": ["order_id"],
        "bucketKey": ["order_id"],
        "buckets": 4,
        "lake": {"formats": ["paimon", "iceberg"], "freshness": "10s"},
        "logRetention": "24h",
        "mergeEngine": "last_row"
      }
      """;

  @Test
  void parsesTheApiExampleAndWritesItBack() {
    TableDefinition orders = TableDefinitionJson.parse("Cannot create table orders", ORDERS);

    assertThat(orders.columns())
        .extracting(Column::name, c -> c.type().toString(), Column::nullable)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("order_id", "bigint", false),
            org.assertj.core.groups.Tuple.tuple("customer", "string", true),
            org.assertj.core.groups.Tuple.tuple("amount", "decimal(12,2)", true),
            org.assertj.core.groups.Tuple.tuple("t", "timestamp", true));
    assertThat(orders.lakeFormats()).containsExactly(LakeFormatName.PAIMON, LakeFormatName.ICEBERG);
    assertThat(orders.freshness()).isEqualTo(Duration.ofSeconds(10));
    assertThat(orders.logRetention()).isEqualTo(Duration.ofHours(24));
    assertThat(orders.mergeEngine()).contains(MergeEngine.LAST_ROW);
    assertThat(TableDefinitionJson.parse("again", TableDefinitionJson.toJsonString(orders)))
        .isEqualTo(orders);
  }

  @Test
  void fillsTheDocumentedDefaults() {
    TableDefinition log =
        TableDefinitionJson.parse(
            "Cannot create table clicks",
            "{\"columns\": [{\"name\": \"url\", \"type\": \"string\"}]}");
    assertThat(log.buckets()).isEqualTo(4);
    assertThat(log.bucketKey()).isEmpty();
    assertThat(log.lakeFormats()).isEmpty();
    assertThat(log.bucketingFormat()).isEqualTo(LakeFormatName.PAIMON);
    assertThat(log.freshness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(log.logRetention()).isEqualTo(Duration.ofHours(24));
    assertThat(log.mergeEngine()).isEmpty();
  }

  @Test
  void listsEveryProblemInOneError() {
    String bad =
        """
        {"columns": [{"name": "id", "type": "bigint"}, {"name": "id", "type": "text"},
                     {"name": "Amount", "type": "decimal(40,2)"}],
         "primaryKey": ["id"], "bucketKey": ["x"], "buckets": 5000,
         "lake": {"formats": ["paimon", "delta"], "freshness": "soon"}, "colour": "blue"}
        """;
    assertThatThrownBy(() -> TableDefinitionJson.parse("Cannot create table orders", bad))
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessageStartingWith("Cannot create table orders: ")
        .hasMessageContaining("unknown field 'colour'")
        .hasMessageContaining("column id: unknown type 'text'")
        .hasMessageContaining("decimal(40,2) is not a valid type")
        .hasMessageContaining("bucket key column x is not a column of the table")
        .hasMessageContaining("bucket key column x is not in the primary key")
        .hasMessageContaining("buckets must be 1 to 1024, not 5000")
        .hasMessageContaining("unknown lake format 'delta'")
        .hasMessageContaining("lake.freshness: 'soon' is not a duration");
  }

  @Test
  void refusesAnIcebergBucketKeyIcebergCannotBucketAndSaysWhatToDo() {
    String floatKey =
        """
        {"columns": [{"name": "score", "type": "double", "nullable": false}],
         "bucketKey": ["score"], "lake": {"formats": ["iceberg"]}}
        """;
    assertThatThrownBy(() -> TableDefinitionJson.parse("Cannot create table scores", floatKey))
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessageContaining(
            "bucket key column score has type double, which Iceberg cannot bucket")
        .hasMessageContaining("list paimon first");

    String twoColumns =
        """
        {"columns": [{"name": "a", "type": "int", "nullable": false},
                     {"name": "b", "type": "int", "nullable": false}],
         "bucketKey": ["a", "b"], "lake": {"formats": ["iceberg", "paimon"]}}
        """;
    assertThatThrownBy(() -> TableDefinitionJson.parse("Cannot create table ab", twoColumns))
        .hasMessageContaining("an Iceberg-aligned bucket key must be one column, not [a, b]");

    String nullable =
        """
        {"columns": [{"name": "a", "type": "string"}], "bucketKey": ["a"],
         "lake": {"formats": ["iceberg"]}}
        """;
    assertThatThrownBy(() -> TableDefinitionJson.parse("Cannot create table n", nullable))
        .hasMessageContaining("bucket key column a must be declared \"nullable\": false");
  }

  @Test
  void refusesMergeEnginesThatMakeNoSense() {
    String noBucketKey =
        """
        {"columns": [{"name": "id", "type": "int"}], "primaryKey": ["id"], "bucketKey": []}
        """;
    assertThatThrownBy(() -> TableDefinitionJson.parse("Cannot create table t", noBucketKey))
        .hasMessageContaining("a primary-key table needs a bucket key");

    String badAggregations =
        """
        {"columns": [{"name": "id", "type": "int"}, {"name": "name", "type": "string"},
                     {"name": "ok", "type": "boolean"}, {"name": "blob", "type": "binary"}],
         "primaryKey": ["id"], "mergeEngine": "aggregation",
         "aggregations": {"name": "sum", "ok": "max", "blob": "median", "id": "max"}}
        """;
    assertThatThrownBy(() -> TableDefinitionJson.parse("Cannot create table t", badAggregations))
        .hasMessageContaining("aggregation function sum cannot take column name of type string")
        .hasMessageContaining("aggregation function max cannot take column ok of type boolean")
        .hasMessageContaining("aggregation function 'median' for column blob is not one of")
        .hasMessageContaining("aggregation column id is part of the primary key");

    String versionedBinary =
        """
        {"columns": [{"name": "id", "type": "int"}, {"name": "v", "type": "binary"}],
         "primaryKey": ["id"], "mergeEngine": "versioned", "versionColumn": "v"}
        """;
    assertThatThrownBy(() -> TableDefinitionJson.parse("Cannot create table t", versionedBinary))
        .hasMessageContaining("versionColumn v has type binary, which has no order");

    String floatKey =
        """
        {"columns": [{"name": "id", "type": "int"}, {"name": "x", "type": "double"}],
         "primaryKey": ["id", "x"], "bucketKey": ["id"], "lake": {"formats": ["paimon", "iceberg"]}}
        """;
    assertThatThrownBy(() -> TableDefinitionJson.parse("Cannot create table t", floatKey))
        .hasMessageContaining(
            "primary-key column x has type double, which Iceberg cannot use as an identifier field");

    String versionWithoutEngine =
        """
        {"columns": [{"name": "id", "type": "int"}, {"name": "v", "type": "int"}],
         "primaryKey": ["id"], "versionColumn": "v"}
        """;
    assertThatThrownBy(
            () -> TableDefinitionJson.parse("Cannot create table t", versionWithoutEngine))
        .hasMessageContaining("versionColumn is only for mergeEngine versioned");
  }

  @Test
  void acceptsOnlyAppendedNullableColumnsAsAnEvolution() {
    TableDefinition v1 = TableDefinitionJson.parse("v1", ORDERS);
    TableDefinition appended =
        v1.toBuilder()
            .columns(append(v1.columns(), new Column("note", DataType.of(TypeKind.STRING), true)))
            .build("v2");
    TableDefinition appendedNotNull =
        v1.toBuilder()
            .columns(append(v1.columns(), new Column("note", DataType.of(TypeKind.STRING), false)))
            .build("v2");
    TableDefinition moreBuckets = v1.toBuilder().buckets(8).build("v2");

    assertThat(v1.isEvolvedBy(appended)).isTrue();
    assertThat(v1.isEvolvedBy(appendedNotNull)).isFalse();
    assertThat(v1.isEvolvedBy(moreBuckets)).isFalse();
    assertThat(v1.isEvolvedBy(v1)).isFalse();
  }

  private static List<Column> append(List<Column> columns, Column column) {
    List<Column> result = new java.util.ArrayList<>(columns);
    result.add(column);
    return result;
  }
}
