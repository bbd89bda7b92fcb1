package io.sluice.core.segment;

import java.util.Locale;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;

/**
 * The buffer compression of a segment's Arrow streams: ZSTD at a level, LZ4 frames, or none. A
 * reader needs no setting: every Arrow record batch names its codec.
 */
public record SegmentCompression(CompressionUtil.CodecType codec, int level) {
  /**
   * ZSTD at level 1, chosen by bench/reports/segment-compression.md: on a group of ingest rows it
   * encoded about 1.5x as fast as level 3 (Arrow's default) for a segment under 3 % larger; LZ4
   * (Arrow's is Apache Commons' pure-Java codec) was far slower, and none doubled the bytes.
   */
  public static final SegmentCompression DEFAULT = zstd(1);

  public SegmentCompression {
    if (codec != CompressionUtil.CodecType.ZSTD && level != 0) {
      throw new IllegalArgumentException("Only ZSTD takes a compression level, not " + codec);
    }
  }

  /** ZSTD at {@code level} (negative levels trade ratio for speed). */
  public static SegmentCompression zstd(int level) {
    return new SegmentCompression(CompressionUtil.CodecType.ZSTD, level);
  }

  /** LZ4 frames. */
  public static SegmentCompression lz4() {
    return new SegmentCompression(CompressionUtil.CodecType.LZ4_FRAME, 0);
  }

  /** No compression. */
  public static SegmentCompression none() {
    return new SegmentCompression(CompressionUtil.CodecType.NO_COMPRESSION, 0);
  }

  /**
   * Parses the form {@link #toString()} writes: {@code zstd:<level>}, {@code lz4} or {@code none}.
   *
   * @throws IllegalArgumentException naming the text that does not parse
   */
  public static SegmentCompression parse(String text) {
    String name = text.trim().toLowerCase(Locale.ROOT);
    if (name.equals("lz4")) {
      return lz4();
    }
    if (name.equals("none")) {
      return none();
    }
    if (name.startsWith("zstd:")) {
      try {
        return zstd(Integer.parseInt(name.substring("zstd:".length())));
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
    }
    throw new IllegalArgumentException(
        "Cannot read segment compression '" + text + "': expected zstd:<level>, lz4 or none");
  }

  CompressionCodec.Factory factory() {
    return codec == CompressionUtil.CodecType.NO_COMPRESSION
        ? NoCompressionCodec.Factory.INSTANCE
        : CommonsCompressionFactory.INSTANCE;
  }

  @Override
  public String toString() {
    return switch (codec) {
      case ZSTD -> "zstd:" + level;
      case LZ4_FRAME -> "lz4";
      case NO_COMPRESSION -> "none";
    };
  }
}
