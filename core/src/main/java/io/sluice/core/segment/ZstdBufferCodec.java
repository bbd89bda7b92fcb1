package io.sluice.core.segment;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.AbstractCompressionCodec;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;

/**
 * Arrow's ZSTD buffer compression with one native context for every buffer of a segment: Arrow's
 * own codec makes (and frees) a context per buffer, which was 7 % of the commit thread's CPU in the
 * ingest profile. It writes ZSTD frames as Arrow's codec does, and Arrow's codec reads them. For
 * writing only, by one thread; close it.
 */
final class ZstdBufferCodec extends AbstractCompressionCodec implements AutoCloseable {
  private static final int PREFIX = (int) CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH;

  private final ZstdCompressCtx context;

  ZstdBufferCodec(int level) {
    this.context = new ZstdCompressCtx().setLevel(level);
  }

  /** A factory that hands Arrow's writer this codec. */
  CompressionCodec.Factory factory() {
    return new CompressionCodec.Factory() {
      @Override
      public CompressionCodec createCodec(CompressionUtil.CodecType codecType) {
        return ZstdBufferCodec.this;
      }

      @Override
      public CompressionCodec createCodec(CompressionUtil.CodecType codecType, int level) {
        return ZstdBufferCodec.this;
      }
    };
  }

  @Override
  protected ArrowBuf doCompress(BufferAllocator allocator, ArrowBuf uncompressed) {
    int length = Math.toIntExact(uncompressed.writerIndex());
    int bound = Math.toIntExact(Zstd.compressBound(length));
    ArrowBuf compressed = allocator.buffer(PREFIX + (long) bound);
    try {
      int size =
          context.compressDirectByteBuffer(
              compressed.nioBuffer(PREFIX, bound),
              0,
              bound,
              uncompressed.nioBuffer(0, length),
              0,
              length);
      compressed.writerIndex(PREFIX + (long) size);
      return compressed;
    } catch (RuntimeException e) {
      compressed.close();
      throw e;
    }
  }

  @Override
  protected ArrowBuf doDecompress(BufferAllocator allocator, ArrowBuf compressed) {
    throw new UnsupportedOperationException(
        "Segments are read with Arrow's own codec, which the stream names");
  }

  @Override
  public CompressionUtil.CodecType getCodecType() {
    return CompressionUtil.CodecType.ZSTD;
  }

  @Override
  public void close() {
    context.close();
  }
}
