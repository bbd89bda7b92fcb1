package io.sluice.core.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.table.Partition;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableDefinitionJson;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which partitions a filter rules out, from their values alone: exact at the bounds of a time
 * transform's range, for every time type, and never a partition a row of which could pass.
 */
class PartitionPrunerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TableDefinition EVENTS =
      TableDefinitionJson.parse(
          "create",
          """
          {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                       {"name": "t", "type": "timestamp", "nullable": false},
                       {"name": "region", "type": "string", "nullable": false},
                       {"name": "shard", "type": "int", "nullable": false},
                       {"name": "amount", "type": "bigint"}],
           "partitionBy": ["day(t)", "region", "shard"], "bucketKey": ["id"]}
          """);
  private static final List<String> PARTITIONS =
      List.of(
          "t_day=2026-11-24/region=eu/shard=1",
          "t_day=2026-11-25/region=eu/shard=1",
          "t_day=2026-11-25/region=us%2Feast/shard=2",
          "t_day=2026-11-26/region=eu/shard=3");

  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    allocator.close();
  }

  /** The partitions of {@code names} that {@code filter} (JSON) keeps on {@code table}. */
  private List<String> kept(TableDefinition table, List<String> names, String filter) {
    try {
      RowFilter parsed = new RowFilterJson(table, allocator).parse(JSON.readTree(filter));
      return PartitionPruner.of(table, Optional.of(parsed)).matching(table, names);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private List<String> kept(String filter) {
    return kept(EVENTS, PARTITIONS, filter);
  }

  private static String cmp(String column, String op, String value) {
    return "{\"column\": \"%s\", \"op\": \"%s\", \"value\": %s}".formatted(column, op, value);
  }

  @Test
  void aDayRangeKeepsTheDaysItOverlapsExactlyAtTheirBounds() {
    String day25 = "t_day=2026-11-25";
    assertThat(
            kept(
                "{\"and\": [%s, %s]}"
                    .formatted(
                        cmp("t", ">=", "\"2026-11-25T00:00:00\""),
                        cmp("t", "<", "\"2026-11-26T00:00:00\""))))
        .as("one day: [start, end)")
        .allMatch(p -> p.startsWith(day25))
        .hasSize(2);
    assertThat(kept(cmp("t", "=", "\"2026-11-25T00:00:00\"")))
        .as("the first microsecond of a day is in it")
        .allMatch(p -> p.startsWith(day25))
        .hasSize(2);
    assertThat(kept(cmp("t", "=", "\"2026-11-25T23:59:59.999999\"")))
        .as("the last microsecond of a day is in it")
        .allMatch(p -> p.startsWith(day25))
        .hasSize(2);
    assertThat(kept(cmp("t", "<", "\"2026-11-25T00:00:00\"")))
        .containsExactly("t_day=2026-11-24/region=eu/shard=1");
    assertThat(kept(cmp("t", "<=", "\"2026-11-25T00:00:00\""))).hasSize(3);
    assertThat(kept(cmp("t", ">", "\"2026-11-25T23:59:59.999999\"")))
        .containsExactly("t_day=2026-11-26/region=eu/shard=3");
    assertThat(kept(cmp("t", ">=", "\"2026-11-25T23:59:59.999999\""))).hasSize(3);
    assertThat(kept(cmp("t", "!=", "\"2026-11-25T12:00:00\"")))
        .as("a day holds other times too")
        .hasSize(4);
  }

  @Test
  void identityValuesAreComparedAsTheirColumnsType() {
    assertThat(kept(cmp("region", "=", "\"us/east\"")))
        .containsExactly("t_day=2026-11-25/region=us%2Feast/shard=2");
    assertThat(
            kept("{\"column\": \"region\", \"op\": \"in\", \"values\": [\"us/east\", \"asia\"]}"))
        .containsExactly("t_day=2026-11-25/region=us%2Feast/shard=2");
    assertThat(kept(cmp("region", "!=", "\"eu\"")))
        .containsExactly("t_day=2026-11-25/region=us%2Feast/shard=2");
    assertThat(kept(cmp("shard", ">=", "2")))
        .as("an int, not its string: 3 >= 2 though \"3\" < \"20\" would hold too")
        .containsExactly(
            "t_day=2026-11-25/region=us%2Feast/shard=2", "t_day=2026-11-26/region=eu/shard=3");
    assertThat(kept("{\"not\": %s}".formatted(cmp("region", "=", "\"eu\""))))
        .containsExactly("t_day=2026-11-25/region=us%2Feast/shard=2");
    assertThat(kept("{\"column\": \"region\", \"op\": \"is_null\"}"))
        .as("partition columns are never null")
        .isEmpty();
  }

  @Test
  void andOrAndNotCombineWhatEachPartSays() {
    String eu = cmp("region", "=", "\"eu\"");
    String day26 = cmp("t", ">=", "\"2026-11-26T00:00:00\"");
    String amount = cmp("amount", ">", "5");
    assertThat(kept("{\"and\": [%s, %s]}".formatted(eu, day26)))
        .containsExactly("t_day=2026-11-26/region=eu/shard=3");
    assertThat(kept("{\"or\": [%s, %s]}".formatted(cmp("shard", "=", "2"), day26)))
        .containsExactly(
            "t_day=2026-11-25/region=us%2Feast/shard=2", "t_day=2026-11-26/region=eu/shard=3");
    assertThat(kept("{\"and\": [%s, %s]}".formatted(amount, day26)))
        .as("the part on a non-partition column does not widen an and")
        .containsExactly("t_day=2026-11-26/region=eu/shard=3");
    assertThat(kept("{\"or\": [%s, %s]}".formatted(amount, day26)))
        .as("an or with a non-partition column may match anywhere")
        .hasSize(4);
    assertThat(kept("{\"not\": {\"and\": [%s, %s]}}".formatted(eu, amount)))
        .as("not (eu and amount > 5) holds for eu rows with a small amount")
        .hasSize(4);
    assertThat(kept("{\"not\": {\"or\": [%s, %s]}}".formatted(eu, amount)))
        .containsExactly("t_day=2026-11-25/region=us%2Feast/shard=2");
  }

  @Test
  void aFilterOnlyOnOtherColumnsPrunesNothing() {
    assertThat(kept(cmp("amount", ">", "5"))).isEqualTo(PARTITIONS);
    assertThat(kept(cmp("id", "=", "1"))).isEqualTo(PARTITIONS);
    RowFilter filter = new RowFilter.Comparison("amount", RowFilter.Operator.GT, 5L);
    assertThat(PartitionPruner.of(EVENTS, Optional.of(filter)).prunes()).isFalse();
    assertThat(PartitionPruner.of(EVENTS, Optional.empty()).prunes()).isFalse();
  }

  @Test
  void timestampLtzRangesAreInstantsInUtc() {
    TableDefinition ltz =
        TableDefinitionJson.parse(
            "create",
            """
            {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                         {"name": "at", "type": "timestamp_ltz", "nullable": false}],
             "partitionBy": ["hour(at)"], "bucketKey": ["id"]}
            """);
    List<String> hours =
        List.of("at_hour=2026-11-25-07", "at_hour=2026-11-25-08", "at_hour=2026-11-25-09");
    assertThat(kept(ltz, hours, cmp("at", ">=", "\"2026-11-25T09:00:00+01:00\"")))
        .as("09:00+01:00 is 08:00 UTC")
        .containsExactly("at_hour=2026-11-25-08", "at_hour=2026-11-25-09");
    assertThat(kept(ltz, hours, cmp("at", "<", "\"2026-11-25T08:00:00Z\"")))
        .containsExactly("at_hour=2026-11-25-07");
    assertThat(kept(ltz, hours, cmp("at", "=", "\"2026-11-25T08:59:59.999999Z\"")))
        .containsExactly("at_hour=2026-11-25-08");
  }

  @Test
  void aDateColumnByMonthKeepsTheMonthsARangeOfDaysOverlaps() {
    TableDefinition byMonth =
        TableDefinitionJson.parse(
            "create",
            """
            {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                         {"name": "d", "type": "date", "nullable": false}],
             "partitionBy": ["month(d)"], "bucketKey": ["id"]}
            """);
    List<String> months = List.of("d_month=2026-10", "d_month=2026-11", "d_month=2026-12");
    assertThat(kept(byMonth, months, cmp("d", ">=", "\"2026-11-30\"")))
        .containsExactly("d_month=2026-11", "d_month=2026-12");
    assertThat(kept(byMonth, months, cmp("d", ">", "\"2026-11-30\"")))
        .as("the last day of November is its end")
        .containsExactly("d_month=2026-12");
    assertThat(kept(byMonth, months, cmp("d", "<", "\"2026-11-01\"")))
        .containsExactly("d_month=2026-10");
    assertThat(kept(byMonth, months, cmp("d", "=", "\"2026-11-01\"")))
        .containsExactly("d_month=2026-11");
  }

  @Test
  void restrictingToColumnsKeepsOnlyWhatEveryPassingRowPasses() {
    RowFilter day = new RowFilter.Comparison("region", RowFilter.Operator.EQ, "eu");
    RowFilter amount = new RowFilter.Comparison("amount", RowFilter.Operator.GT, 5L);
    Set<String> sources = Set.of("t", "region");
    assertThat(PartitionPruner.restrictTo(new RowFilter.And(List.of(day, amount)), sources))
        .contains(day);
    assertThat(PartitionPruner.restrictTo(new RowFilter.Or(List.of(day, amount)), sources))
        .isEmpty();
    assertThat(PartitionPruner.restrictTo(new RowFilter.Not(amount), sources)).isEmpty();
    assertThat(PartitionPruner.restrictTo(new RowFilter.Not(day), sources))
        .contains(new RowFilter.Not(day));
  }

  @Test
  void aPartitionOfTheTableIsJudgedByItsUnescapedValues() {
    RowFilter filter = new RowFilter.Comparison("region", RowFilter.Operator.EQ, "us/east");
    PartitionPruner pruner = PartitionPruner.of(EVENTS, Optional.of(filter));
    assertThat(pruner.mayMatch(Partition.parse(EVENTS, PARTITIONS.get(2)))).isTrue();
    assertThat(pruner.mayMatch(Partition.parse(EVENTS, PARTITIONS.get(1)))).isFalse();
  }
}
