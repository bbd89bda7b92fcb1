package io.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.sluice.client.BucketId;
import io.sluice.client.BucketState;
import io.sluice.client.Checkpoint;
import io.sluice.client.ReaderOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.TableDescription;
import io.sluice.client.TableReader;
import io.sluice.client.TableRecord;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice tail TABLE}: prints a table's rows as JSON lines through the streaming reader. From
 * {@code earliest} it prints every row once (the lake snapshot, then the log) up to what was
 * written when it started, or on and on with {@code --follow}; from {@code latest} it follows.
 */
@Command(
    name = "tail",
    description =
        "Prints a table's rows as JSON lines with _bucket, _offset and _timestamp (rows the lake"
            + " snapshot holds have none), and _change on a primary-key table.")
final class TailCommand extends Subcommand {
  private static final Duration POLL = Duration.ofSeconds(1);

  /** Where reading starts. */
  enum From {
    earliest,
    latest
  }

  @Parameters(index = "0", paramLabel = "TABLE")
  String table;

  @Option(
      names = "--from",
      defaultValue = "earliest",
      description =
          "earliest: every row, then stop at what was there at the start (unless --follow);"
              + " latest: only rows written from now on (follows).")
  From from;

  @Option(names = "--follow", description = "Keep printing rows as they are written.")
  boolean follow;

  @Override
  int run(SluiceClient client) {
    TableDescription description = client.describe(table);
    Map<BucketId, Long> heads = new HashMap<>();
    for (BucketState bucket : description.bucketStates()) {
      heads.put(new BucketId(bucket.partition(), bucket.bucket()), bucket.highWatermark());
    }
    boolean following = follow || from == From.latest;
    ReaderOptions options =
        from == From.earliest ? ReaderOptions.earliest() : ReaderOptions.latest();
    ObjectMapper json =
        new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    PrintWriter out = terminal().out();
    try (TableReader reader = client.reader(description.name(), options)) {
      while (true) {
        for (TableRecord record : reader.poll(POLL)) {
          out.println(line(json, description, record));
        }
        out.flush();
        if (!following && caughtUp(reader.checkpoint(), heads)) {
          return 0;
        }
      }
    }
  }

  /** Whether the reader has passed the back-fill and every bucket's head at the start. */
  private static boolean caughtUp(Checkpoint checkpoint, Map<BucketId, Long> heads) {
    if (checkpoint.backfill().isPresent()) {
      return false;
    }
    return heads.entrySet().stream()
        .allMatch(h -> checkpoint.offsets().getOrDefault(h.getKey(), 0L) >= h.getValue());
  }

  private static String line(ObjectMapper json, TableDescription table, TableRecord record) {
    ObjectNode node = json.createObjectNode();
    record
        .bucket()
        .ifPresent(
            bucket -> {
              if (bucket.partition() != null) {
                node.put("_partition", bucket.partition());
              }
              node.put("_bucket", bucket.bucket());
              node.put("_offset", record.offset());
              node.putPOJO("_timestamp", record.timestamp());
            });
    if (table.hasPrimaryKey()) {
      node.put("_change", record.change().apiName());
    }
    record
        .values()
        .forEach(
            (column, value) ->
                node.putPOJO(column, value instanceof BigDecimal d ? d.toPlainString() : value));
    try {
      return json.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("Cannot print a row of " + table.name() + ": " + e, e);
    }
  }
}
