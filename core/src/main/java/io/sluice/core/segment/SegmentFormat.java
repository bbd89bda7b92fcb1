package io.sluice.core.segment;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** The constants of the segment layout (see docs/segment-format.md) and its checksum. */
final class SegmentFormat {
  static final byte[] MAGIC = "SLUICESG".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;

  /** Magic, version (int32), reserved zero (int32). */
  static final int HEADER_SIZE = 16;

  /** Footer length (int32), footer CRC32C (int32), version (int32), magic. */
  static final int TRAILER_SIZE = 20;

  /** After each bucket's Arrow stream: the stream's length (int32) and its CRC32C (int32). */
  static final int BUCKET_CHECK_SIZE = 8;

  /** The Arrow IPC end-of-stream marker: continuation token, then a zero length. */
  static final int EOS_SIZE = 8;

  private SegmentFormat() {}

  static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  static ByteBuffer littleEndian(byte[] bytes, int offset, int length) {
    return ByteBuffer.wrap(bytes, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  static boolean isMagic(byte[] bytes, int offset) {
    if (offset < 0 || offset + MAGIC.length > bytes.length) {
      return false;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[offset + i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }
}
