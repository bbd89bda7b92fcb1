package io.sluice.bench.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.bench.OrderRows;
import io.sluice.core.arrow.ArrowJsonWriter;
import io.sluice.core.segment.BucketBatch;
import io.sluice.core.segment.SegmentWriter;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableDefinitionJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
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
  /** The benchmark table: the {@link OrderRows} columns, as a log table. */
  public static final TableDefinition TABLE =
      OrderRows.table()
          .bucketKey(List.of())
          .buckets(4)
          .lakeFormats(List.of())
          .build("Cannot define the ingest benchmark table");

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
        VectorSchemaRoot root = OrderRows.batch(allocator, TABLE, new Random(seed), 0, rows)) {
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

  /** One record batch of {@code root} as an Arrow IPC stream body. */
  static byte[] arrow(VectorSchemaRoot root) {
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
}
