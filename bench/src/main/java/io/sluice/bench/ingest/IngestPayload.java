package io.sluice.bench.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.core.arrow.ArrowJsonWriter;
import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.segment.BucketBatch;
import io.sluice.core.segment.SegmentWriter;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TypeKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * The fixed request bodies of the ingest benchmark: one batch of rows of a 10-column log table, as
 * a JSON array, as an Arrow IPC stream, and as the segment object a write of it produces.
 *
 * <p>The JSON body is written from the Arrow batch with {@link ArrowJsonWriter} (the forms the
 * write API accepts), so both bodies hold exactly the same rows. The table is a log table without a
 * bucket key ({@code "bucketKey": []}, 4 buckets, no lake formats): the server sends each write
 * whole to one bucket, so a write is one segment with one bucket, and {@link #segment()} is the
 * segment a write of these rows produces, byte for byte but for the bucket number and schema id in
 * its footer.
 */
public final class IngestPayload {
  /** The benchmark table: the columns of the segment codec benchmark, as a log table. */
  public static final TableDefinition TABLE =
      TableDefinition.builder()
          .columns(
              List.of(
                  new Column("id", DataType.of(TypeKind.BIGINT), false),
                  new Column("customer", DataType.of(TypeKind.STRING), true),
                  new Column("amount", DataType.decimal(12, 2), true),
                  new Column("event_time", DataType.of(TypeKind.TIMESTAMP), true),
                  new Column("quantity", DataType.of(TypeKind.INT), true),
                  new Column("price", DataType.of(TypeKind.DOUBLE), true),
                  new Column("priority", DataType.of(TypeKind.BOOLEAN), true),
                  new Column("order_date", DataType.of(TypeKind.DATE), true),
                  new Column("payload", DataType.of(TypeKind.BINARY), true),
                  new Column("status", DataType.of(TypeKind.STRING), true)))
          .bucketKey(List.of())
          .buckets(4)
          .lakeFormats(List.of())
          .build("Cannot define the ingest benchmark table");

  private static final String[] FIRST_NAMES = {
    "Ann",
    "Bo",
    "Carmen",
    "Dmitri",
    "Eleanor",
    "Fu",
    "Guadalupe",
    "Hiroshi",
    "Ines",
    "Jean-Baptiste"
  };
  private static final String[] LAST_NAMES = {
    "Li",
    "Smith",
    "Okonkwo",
    "Van der Berg",
    "García Márquez",
    "Nakamura",
    "O'Neil",
    "Schmidt",
    "Andersson-Lindqvist",
    "Ng"
  };
  private static final String[] STATUSES = {
    "pending", "paid", "shipped", "delivered", "cancelled", "refunded", "on_hold"
  };
  private static final long EPOCH_2025_MICROS = 1_735_689_600_000_000L;
  private static final int EPOCH_2025_DAYS = 20_089;

  private final int rows;
  private final byte[] json;
  private final byte[] arrow;
  private final byte[] segment;
  private final long arrowDataBytes;

  private IngestPayload(int rows, byte[] json, byte[] arrow, byte[] segment, long arrowDataBytes) {
    this.rows = rows;
    this.json = json;
    this.arrow = arrow;
    this.segment = segment;
    this.arrowDataBytes = arrowDataBytes;
  }

  /** Builds the bodies of {@code rows} rows from a fixed seed: the same bytes on every run. */
  public static IngestPayload build(int rows, long seed) {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(ArrowSchemas.schema(TABLE), allocator)) {
      root.allocateNew();
      fill(root, new Random(seed), rows);
      long dataBytes = 0;
      for (FieldVector vector : root.getFieldVectors()) {
        dataBytes += vector.getBufferSize();
      }
      byte[] segment = SegmentWriter.encode(List.of(new BucketBatch(0, 1, root))).bytes();
      return new IngestPayload(rows, json(root), arrow(root), segment, dataBytes);
    }
  }

  /** The table definition as {@code PUT /v1/tables/{t}} takes it. */
  public static String tableJson() {
    return TableDefinitionJson.toJsonString(TABLE);
  }

  public int rows() {
    return rows;
  }

  /** The {@code application/json} body: an array of row objects. */
  public byte[] json() {
    return json;
  }

  /** The {@code application/vnd.apache.arrow.stream} body: one uncompressed record batch. */
  public byte[] arrow() {
    return arrow;
  }

  /** The segment object a write of these rows stores (ZSTD Arrow IPC, checksums, footer). */
  public byte[] segment() {
    return segment;
  }

  /** Bytes of the rows' Arrow vectors (validity, offsets, data): the in-memory size. */
  public long arrowDataBytes() {
    return arrowDataBytes;
  }

  private static byte[] json(VectorSchemaRoot root) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = new JsonFactory().createGenerator(out)) {
      generator.writeStartArray();
      for (int row = 0; row < root.getRowCount(); row++) {
        ArrowJsonWriter.writeRow(generator, root, row);
      }
      generator.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] arrow(VectorSchemaRoot root) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ArrowStreamWriter writer =
        new ArrowStreamWriter(
            root, new DictionaryProvider.MapDictionaryProvider(), Channels.newChannel(out))) {
      writer.start();
      writer.writeBatch();
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Sequential ids, names of varied length, a low-cardinality status, random doubles, 16-48 random
   * payload bytes (which do not compress), and a few nulls in the nullable columns.
   */
  private static void fill(VectorSchemaRoot root, Random random, int rows) {
    BigIntVector id = (BigIntVector) root.getVector("id");
    VarCharVector customer = (VarCharVector) root.getVector("customer");
    DecimalVector amount = (DecimalVector) root.getVector("amount");
    TimeStampMicroVector eventTime = (TimeStampMicroVector) root.getVector("event_time");
    IntVector quantity = (IntVector) root.getVector("quantity");
    Float8Vector price = (Float8Vector) root.getVector("price");
    BitVector priority = (BitVector) root.getVector("priority");
    DateDayVector orderDate = (DateDayVector) root.getVector("order_date");
    VarBinaryVector payload = (VarBinaryVector) root.getVector("payload");
    VarCharVector status = (VarCharVector) root.getVector("status");
    long time = EPOCH_2025_MICROS;
    for (int i = 0; i < rows; i++) {
      id.setSafe(i, i);
      if (random.nextInt(50) == 0) {
        customer.setNull(i);
      } else {
        String name =
            FIRST_NAMES[random.nextInt(FIRST_NAMES.length)]
                + " "
                + LAST_NAMES[random.nextInt(LAST_NAMES.length)]
                + (random.nextBoolean() ? "" : " #" + random.nextInt(100_000));
        customer.setSafe(i, name.getBytes(StandardCharsets.UTF_8));
      }
      amount.setSafe(i, BigDecimal.valueOf(random.nextInt(10_000_000), 2));
      time += random.nextInt(5_000_000);
      eventTime.setSafe(i, time);
      quantity.setSafe(i, 1 + random.nextInt(20));
      if (random.nextInt(100) == 0) {
        price.setNull(i);
      } else {
        price.setSafe(i, random.nextDouble() * 500);
      }
      priority.setSafe(i, random.nextInt(10) == 0 ? 1 : 0);
      orderDate.setSafe(i, EPOCH_2025_DAYS + (int) ((time - EPOCH_2025_MICROS) / 86_400_000_000L));
      byte[] bytes = new byte[16 + random.nextInt(33)];
      random.nextBytes(bytes);
      payload.setSafe(i, bytes);
      status.setSafe(i, STATUSES[random.nextInt(STATUSES.length)].getBytes(StandardCharsets.UTF_8));
    }
    for (FieldVector vector : root.getFieldVectors()) {
      vector.setValueCount(rows);
    }
    root.setRowCount(rows);
  }
}
