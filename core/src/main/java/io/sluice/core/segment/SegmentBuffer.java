package io.sluice.core.segment;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * The growing bytes of one segment: Arrow writes its streams straight in (no copy through a
 * stream), and the layout and checksums are read from the same array.
 */
final class SegmentBuffer implements WritableByteChannel {
  private byte[] bytes;
  private int size;

  SegmentBuffer(int capacity) {
    bytes = new byte[Math.max(capacity, 64)];
  }

  int size() {
    return size;
  }

  byte[] array() {
    return bytes;
  }

  void write(byte[] source) {
    ensure(source.length);
    System.arraycopy(source, 0, bytes, size, source.length);
    size += source.length;
  }

  @Override
  public int write(ByteBuffer source) {
    int length = source.remaining();
    ensure(length);
    source.get(bytes, size, length);
    size += length;
    return length;
  }

  /** The bytes written; the array itself when it is exactly full. */
  byte[] toBytes() {
    return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
  }

  private void ensure(int more) {
    long needed = (long) size + more;
    if (needed > bytes.length) {
      if (needed > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("Cannot write segment: larger than 2 GiB");
      }
      bytes =
          Arrays.copyOf(
              bytes, (int) Math.max(needed, Math.min(2L * bytes.length, Integer.MAX_VALUE - 8)));
    }
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public void close() {}
}
