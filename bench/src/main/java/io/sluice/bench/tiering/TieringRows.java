package io.sluice.bench.tiering;

import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TypeKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.Timestamp;

/**
 * The rows of the tiering benchmark, held as columns in memory: a 6-column table (bigint id not
 * null, string, decimal(12,2), timestamp, int, double), as Arrow IPC request bodies, as Paimon
 * {@link GenericRow}s and as Iceberg records, so that Sluice and the lake libraries' own writers
 * write exactly the same values.
 */
final class TieringRows {
  static final List<Column> COLUMNS =
      List.of(
          new Column("id", DataType.of(TypeKind.BIGINT), false),
          new Column("name", DataType.of(TypeKind.STRING), true),
          new Column("amount", DataType.decimal(12, 2), true),
          new Column("at", DataType.of(TypeKind.TIMESTAMP), true),
          new Column("qty", DataType.of(TypeKind.INT), true),
          new Column("score", DataType.of(TypeKind.DOUBLE), true));

  /** The table definition JSON of the benchmark tables. */
  static String definitionJson(String formats, String freshness) {
    return """
        {"columns": [
           {"name": "id", "type": "bigint", "nullable": false},
           {"name": "name", "type": "string"},
           {"name": "amount", "type": "decimal(12,2)"},
           {"name": "at", "type": "timestamp"},
           {"name": "qty", "type": "int"},
           {"name": "score", "type": "double"}],
         "bucketKey": ["id"], "buckets": 4,
         "lake": {"formats": [%s], "freshness": "%s"}}
        """
        .formatted(formats, freshness);
  }

  private static final String[] WORDS = {
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"
  };

  final long firstId;
  final int count;
  final String[] names;
  final long[] amountsCents;
  final long[] atMicros;
  final int[] qty;
  final double[] scores;

  TieringRows(long firstId, int count, long seed) {
    this.firstId = firstId;
    this.count = count;
    SplittableRandom random = new SplittableRandom(seed);
    names = new String[count];
    amountsCents = new long[count];
    atMicros = new long[count];
    qty = new int[count];
    scores = new double[count];
    long base = 1_780_000_000_000_000L;
    for (int i = 0; i < count; i++) {
      names[i] = WORDS[random.nextInt(WORDS.length)] + "-" + random.nextInt(100_000) + "-customer";
      amountsCents[i] = random.nextLong(10_000_000_000L) - 5_000_000_000L;
      atMicros[i] = base + (firstId + i) * 1_000L + random.nextInt(1_000);
      qty[i] = random.nextInt(1_000);
      scores[i] = random.nextDouble() * 1e6;
    }
  }

  /** Rows {@code from} (inclusive) to {@code to} (exclusive) as one Arrow IPC stream body. */
  byte[] arrowBody(BufferAllocator allocator, int from, int to) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(ArrowSchemas.schema(COLUMNS), allocator)) {
      root.allocateNew();
      BigIntVector id = (BigIntVector) root.getVector(0);
      VarCharVector name = (VarCharVector) root.getVector(1);
      DecimalVector amount = (DecimalVector) root.getVector(2);
      TimeStampMicroVector at = (TimeStampMicroVector) root.getVector(3);
      IntVector q = (IntVector) root.getVector(4);
      Float8Vector score = (Float8Vector) root.getVector(5);
      for (int i = from; i < to; i++) {
        int r = i - from;
        id.setSafe(r, firstId + i);
        name.setSafe(r, names[i].getBytes(StandardCharsets.UTF_8));
        amount.setSafe(r, BigDecimal.valueOf(amountsCents[i], 2));
        at.setSafe(r, atMicros[i]);
        q.setSafe(r, qty[i]);
        score.setSafe(r, scores[i]);
      }
      root.setRowCount(to - from);
      root.getFieldVectors().forEach(v -> v.setValueCount(to - from));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArrowStreamWriter writer =
          new ArrowStreamWriter(
              root, new DictionaryProvider.MapDictionaryProvider(), Channels.newChannel(out))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every row as a Paimon row, built before the baseline's clock starts. */
  GenericRow[] paimonRows() {
    GenericRow[] rows = new GenericRow[count];
    for (int i = 0; i < count; i++) {
      rows[i] =
          GenericRow.of(
              firstId + i,
              BinaryString.fromString(names[i]),
              Decimal.fromBigDecimal(BigDecimal.valueOf(amountsCents[i], 2), 12, 2),
              Timestamp.fromMicros(atMicros[i]),
              qty[i],
              scores[i]);
    }
    return rows;
  }

  /** Every row as an Iceberg record of {@code schema}, built before the baseline's clock starts. */
  Record[] icebergRecords(Schema schema) {
    Record[] records = new Record[count];
    for (int i = 0; i < count; i++) {
      Record record = GenericRecord.create(schema);
      record.setField("id", firstId + i);
      record.setField("name", names[i]);
      record.setField("amount", BigDecimal.valueOf(amountsCents[i], 2));
      record.setField(
          "at",
          LocalDateTime.ofEpochSecond(
              Math.floorDiv(atMicros[i], 1_000_000L),
              (int) Math.floorMod(atMicros[i], 1_000_000L) * 1000,
              ZoneOffset.UTC));
      record.setField("qty", qty[i]);
      record.setField("score", scores[i]);
      records[i] = record;
    }
    return records;
  }
}
