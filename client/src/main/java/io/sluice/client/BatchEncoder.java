package io.sluice.client;

import io.sluice.client.RowLayout.PreparedRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Encodes a batch of prepared rows as the body of a write: an Arrow IPC stream with one record
 * batch, holding the given columns (and, for a primary-key table, {@code _op}).
 */
final class BatchEncoder {
  private static final byte[] DELETE = "delete".getBytes(StandardCharsets.UTF_8);

  private final RowLayout layout;
  private final BufferAllocator allocator;

  BatchEncoder(RowLayout layout, BufferAllocator allocator) {
    this.layout = layout;
    this.allocator = allocator;
  }

  /** The body for {@code rows}, each giving (at least) {@code columns}. */
  byte[] encode(List<PreparedRow> rows, BitSet columns) {
    List<ColumnCodec> codecs = layout.codecs();
    List<Field> fields = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (int i = columns.nextSetBit(0); i >= 0; i = columns.nextSetBit(i + 1)) {
      fields.add(codecs.get(i).field());
      positions.add(i);
    }
    if (layout.keyed()) {
      fields.add(new Field(RowLayout.OP, FieldType.nullable(ArrowType.Utf8.INSTANCE), List.of()));
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream(estimate(rows));
    try (VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator)) {
      for (FieldVector vector : root.getFieldVectors()) {
        vector.setInitialCapacity(rows.size());
        vector.allocateNew();
      }
      for (int f = 0; f < positions.size(); f++) {
        ColumnCodec codec = codecs.get(positions.get(f));
        FieldVector vector = root.getVector(f);
        int column = positions.get(f);
        for (int row = 0; row < rows.size(); row++) {
          Object value = rows.get(row).values()[column];
          if (value == null) {
            vector.setNull(row);
          } else {
            codec.set(vector, row, value);
          }
        }
      }
      if (layout.keyed()) {
        VarCharVector ops = (VarCharVector) root.getVector(positions.size());
        for (int row = 0; row < rows.size(); row++) {
          if (rows.get(row).delete()) {
            ops.setSafe(row, DELETE);
          } else {
            ops.setNull(row);
          }
        }
      }
      root.setRowCount(rows.size());
      try (ArrowStreamWriter writer =
          new ArrowStreamWriter(root, null, Channels.newChannel(body))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode a batch of " + rows.size() + " rows", e);
    }
    return body.toByteArray();
  }

  private static int estimate(List<PreparedRow> rows) {
    long bytes = 1024;
    for (PreparedRow row : rows) {
      bytes += row.size();
    }
    return (int) Math.min(bytes, Integer.MAX_VALUE - 8);
  }
}
