package io.sluice.core.arrow;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.flatbuf.BodyCompression;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Loads one Arrow IPC record batch, given its flatbuffer metadata and its buffers as they lie in
 * memory (compressed or not), into new vectors. It decompresses the buffers itself rather than
 * through {@link VectorLoader}, whose decompression keeps a reference on the message body when a
 * buffer fails to decompress: here a failure leaves nothing allocated.
 */
public final class RecordBatchLoader {
  private RecordBatchLoader() {}

  /**
   * Loads a batch; the caller keeps owning {@code buffers} and closes the returned root.
   *
   * @param buffers the batch's buffers in message order, each exactly its declared range
   * @throws RuntimeException (Arrow's or the codec's) when a buffer does not decompress or does not
   *     fit its field; nothing stays allocated then
   */
  public static VectorSchemaRoot load(
      Schema schema, RecordBatch batch, List<ArrowBuf> buffers, BufferAllocator allocator) {
    List<ArrowFieldNode> nodes = new ArrayList<>(batch.nodesLength());
    for (int i = 0; i < batch.nodesLength(); i++) {
      FieldNode node = batch.nodes(i);
      nodes.add(new ArrowFieldNode(node.length(), node.nullCount()));
    }
    List<ArrowBuf> decompressed = new ArrayList<>();
    VectorSchemaRoot root = null;
    try {
      List<ArrowBuf> plain = plain(batch.compression(), buffers, decompressed, allocator);
      root = VectorSchemaRoot.create(schema, allocator);
      try (ArrowRecordBatch recordBatch =
          new ArrowRecordBatch(Math.toIntExact(batch.length()), nodes, plain)) {
        new VectorLoader(root).load(recordBatch);
      }
      return root;
    } catch (RuntimeException e) {
      if (root != null) {
        root.close();
      }
      throw e;
    } finally {
      decompressed.forEach(ArrowBuf::close); // the vectors hold their own references
    }
  }

  /** The buffers uncompressed; the ones this allocates are added to {@code decompressed}. */
  private static List<ArrowBuf> plain(
      BodyCompression compression,
      List<ArrowBuf> buffers,
      List<ArrowBuf> decompressed,
      BufferAllocator allocator) {
    if (compression == null) {
      return buffers;
    }
    CompressionCodec codec =
        CommonsCompressionFactory.INSTANCE.createCodec(
            CompressionUtil.CodecType.fromCompressionType(compression.codec()));
    List<ArrowBuf> plain = new ArrayList<>(buffers.size());
    for (ArrowBuf buffer : buffers) {
      long length = buffer.capacity();
      if (length == 0) {
        plain.add(buffer); // Arrow leaves empty buffers (no nulls) uncompressed
        continue;
      }
      if (length < CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH) {
        throw new IllegalArgumentException(
            "a compressed buffer of " + length + " bytes has no uncompressed length");
      }
      long uncompressed = buffer.getLong(0);
      if (uncompressed == CompressionUtil.NO_COMPRESSION_LENGTH) {
        plain.add(
            buffer.slice(
                CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH,
                length - CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH));
        continue;
      }
      // The codec releases what it is given when it succeeds, and not always when it fails: give
      // it a copy of its own, and release that copy here if it is still held.
      ArrowBuf copy = allocator.buffer(length);
      copy.setBytes(0, buffer, 0, length);
      copy.writerIndex(length);
      try {
        ArrowBuf out = codec.decompress(allocator, copy);
        decompressed.add(out);
        plain.add(out);
      } catch (RuntimeException e) {
        if (copy.refCnt() > 0) {
          copy.close();
        }
        throw e;
      }
    }
    return plain;
  }
}
