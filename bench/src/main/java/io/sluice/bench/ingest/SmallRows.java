package io.sluice.bench.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The small rows of the client benchmark (about 100 bytes as JSON): bigint {@code id} (the row's
 * sequence number, unique in a run), string {@code customer}, double {@code amount}, {@code
 * timestamp} {@code event_time}, each made from the sequence number alone; and their JSON encoding,
 * the bytes a Kafka producer sends for them.
 */
final class SmallRows {
  private static final JsonFactory JSON = new JsonFactory();
  private static final LocalDateTime BASE = LocalDateTime.of(2026, 1, 1, 0, 0);

  private SmallRows() {}

  /** The table's definition for {@code PUT /v1/tables/{t}}: 4 buckets, no bucket key, no lake. */
  static io.sluice.client.TableDefinition table() {
    return io.sluice.client.TableDefinition.builder()
        .requiredColumn("id", "bigint")
        .column("customer", "string")
        .column("amount", "double")
        .column("event_time", "timestamp")
        .bucketKey()
        .buckets(4)
        .build();
  }

  /** Row {@code sequence}, a fresh map as an application would build it. */
  static Map<String, Object> row(long sequence) {
    Map<String, Object> row = new LinkedHashMap<>(8);
    row.put("id", sequence);
    row.put("customer", "customer-" + (1_000_000 + sequence % 1_000_000));
    row.put("amount", (sequence % 1_000_000) / 100.0 + 0.25);
    row.put("event_time", BASE.plusNanos(sequence * 1000));
    return row;
  }

  /**
   * A row as one JSON object, {@code {"id":..,"customer":"..","amount":..,"event_time":".."}},
   * timestamps in ISO-8601: what the Kafka side sends as a record's value.
   */
  static byte[] json(Map<String, Object> row) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (JsonGenerator out = JSON.createGenerator(bytes)) {
      out.writeStartObject();
      for (Map.Entry<String, Object> column : row.entrySet()) {
        out.writeFieldName(column.getKey());
        Object value = column.getValue();
        if (value instanceof Long number) {
          out.writeNumber(number);
        } else if (value instanceof Double number) {
          out.writeNumber(number);
        } else if (value == null) {
          out.writeNull();
        } else {
          out.writeString(value.toString());
        }
      }
      out.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
