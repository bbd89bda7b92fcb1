package io.sluice.cli;

import io.sluice.client.BucketState;
import io.sluice.client.Column;
import io.sluice.client.LakeSnapshot;
import io.sluice.client.SluiceClient;
import io.sluice.client.TableDescription;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice describe TABLE}: the definition, then per bucket its offsets, how far each lake
 * format holds it and how many rows are not tiered yet, and each format's newest snapshot and age.
 */
@Command(
    name = "describe",
    description = "Shows a table: columns, keys, and per bucket its offsets and lake offsets.")
final class DescribeCommand extends Subcommand {
  @Parameters(index = "0", paramLabel = "TABLE")
  String table;

  @Override
  int run(SluiceClient client) {
    TableDescription description = client.describe(table);
    PrintWriter out = terminal().out();
    out.printf(
        "Table %s (tableId %s)%n  bucket key %s, %d buckets; primary key %s; partition by %s%n%n",
        description.name(),
        description.tableId(),
        Describe.list(description.bucketKey()),
        description.buckets(),
        Describe.list(description.primaryKey()),
        Describe.list(description.partitionBy()));
    TextTable columns = new TextTable(List.of("COLUMN", "TYPE", "NULLABLE"));
    for (Column column : description.columns()) {
      columns.add(List.of(column.name(), column.type(), column.nullable() ? "yes" : "no"));
    }
    columns.print(out);
    out.println();

    Instant now = Instant.now();
    for (String lake : description.lakeFormats()) {
      List<LakeSnapshot> snapshots = client.lakeSnapshots(description.name(), lake);
      if (snapshots.isEmpty()) {
        out.printf("Lake %s: nothing tiered yet%n", lake);
      } else {
        LakeSnapshot newest = snapshots.get(0);
        out.printf(
            "Lake %s: snapshot %d, committed %s (%s ago), %s rows%n",
            lake,
            newest.snapshotId(),
            newest.commitTime(),
            Describe.age(Duration.between(newest.commitTime(), now)),
            Describe.count(newest.rows()));
      }
    }
    if (!description.lakeFormats().isEmpty()) {
      out.println();
    }

    List<String> header = new ArrayList<>();
    if (description.isPartitioned()) {
      header.add("PARTITION");
    }
    header.addAll(List.of("BUCKET", "LOG START", "HIGH WATERMARK"));
    description.lakeFormats().forEach(lake -> header.add(lake.toUpperCase() + " OFFSET"));
    if (!description.lakeFormats().isEmpty()) {
      header.add("NOT TIERED");
    }
    TextTable buckets = new TextTable(header);
    long total = 0;
    for (BucketState bucket : description.bucketStates()) {
      List<Object> row = new ArrayList<>();
      if (description.isPartitioned()) {
        row.add(bucket.partition());
      }
      row.addAll(List.of(bucket.bucket(), bucket.logStartOffset(), bucket.highWatermark()));
      long lowest = bucket.highWatermark();
      for (String lake : description.lakeFormats()) {
        long tiered = bucket.tiered().getOrDefault(lake, 0L);
        row.add(tiered);
        lowest = Math.min(lowest, tiered);
      }
      if (!description.lakeFormats().isEmpty()) {
        row.add(bucket.highWatermark() - lowest);
      }
      buckets.add(row);
      total += bucket.highWatermark();
    }
    buckets.print(out);
    out.printf("%s rows written in all%n", Describe.count(total));
    return 0;
  }
}
