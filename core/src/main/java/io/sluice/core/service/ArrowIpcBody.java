package io.sluice.core.service;

import io.sluice.core.arrow.RecordBatchLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flatbuf.BodyCompression;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.CompressionType;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flatbuf.Schema;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * An Arrow IPC stream held in memory, read message by message with every length it declares checked
 * against the bytes it came in before anything is allocated: message and body lengths within the
 * body, buffers within their message, row counts that the buffers can hold, and what compressed
 * buffers claim to expand to within {@link #MAX_EXPANSION} times the body (and {@link
 * #MAX_DECODED_BYTES}). Arrow's own stream reader trusts those lengths and allocates them, so a
 * flipped bit in a request body must be caught here.
 */
final class ArrowIpcBody {
  /** Compressed buffers may decode to at most this many times the body's size. */
  static final int MAX_EXPANSION = 32;

  /** Whatever the body's size, its buffers may decode to at most this many bytes. */
  static final long MAX_DECODED_BYTES = 256L << 20;

  private static final int CONTINUATION = 0xFFFFFFFF;
  private static final int COMPRESSED_LENGTH_PREFIX = 8;
  private static final int MAX_FIELDS = 4096;

  /** Where one record batch lies: its metadata and its body's range in the stream. */
  private record Batch(RecordBatch metadata, int bodyStart, int bodyLength) {}

  private final byte[] body;
  private final ByteBuffer bytes;
  private final long decodedLimit;
  private final List<Batch> batches = new ArrayList<>();
  private List<TypeLayout> layouts;
  private org.apache.arrow.vector.types.pojo.Schema schema;
  private long decoded;
  private long rows;

  private ArrowIpcBody(byte[] body) {
    this.body = body;
    this.bytes = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
    this.decodedLimit = Math.min(MAX_DECODED_BYTES, (long) MAX_EXPANSION * body.length);
  }

  /**
   * Reads a body's messages and checks every length they declare.
   *
   * @throws MalformedBodyException naming the message and the length that does not fit
   */
  static ArrowIpcBody parse(byte[] body) {
    ArrowIpcBody parsed = new ArrowIpcBody(body);
    try {
      parsed.walk();
    } catch (MalformedBodyException e) {
      throw e;
    } catch (RuntimeException e) {
      // A flatbuffer whose offsets point outside its message, or that names no known type.
      throw malformed("a message's metadata does not parse (" + e + ")");
    }
    return parsed;
  }

  /** The schema the stream declares. */
  org.apache.arrow.vector.types.pojo.Schema schema() {
    return schema;
  }

  /** How many record batches the stream holds. */
  int batchCount() {
    return batches.size();
  }

  /** How many bytes the buffers of every batch decode to. */
  long decodedBytes() {
    return decoded;
  }

  /**
   * Loads record batch {@code index} into new vectors of {@link #schema()}; the caller closes them.
   *
   * @throws MalformedBodyException when a buffer does not decompress or does not fit its column
   */
  VectorSchemaRoot load(int index, BufferAllocator allocator) {
    Batch batch = batches.get(index);
    try (ArrowBuf batchBody = allocator.buffer(batch.bodyLength())) {
      batchBody.setBytes(0, body, batch.bodyStart(), batch.bodyLength());
      List<ArrowBuf> buffers = new ArrayList<>(batch.metadata().buffersLength());
      for (int i = 0; i < batch.metadata().buffersLength(); i++) {
        Buffer buffer = batch.metadata().buffers(i);
        buffers.add(batchBody.slice(buffer.offset(), buffer.length()));
      }
      return RecordBatchLoader.load(schema, batch.metadata(), buffers, allocator);
    } catch (RuntimeException e) {
      throw malformed("record batch %d does not decode (%s)".formatted(index + 1, e.getMessage()));
    }
  }

  private void walk() {
    int position = 0;
    for (int message = 1; ; message++) {
      if (body.length - position < 4) {
        if (position == body.length) {
          break; // a stream may end without the end-of-stream marker
        }
        throw malformed("it ends inside the length of message " + message);
      }
      int length = bytes.getInt(position);
      position += 4;
      if (length == CONTINUATION) {
        if (body.length - position < 4) {
          throw malformed("it ends inside the length of message " + message);
        }
        length = bytes.getInt(position);
        position += 4;
      }
      if (length == 0) {
        break;
      }
      if (length < 0 || length > body.length - position) {
        throw malformed(
            "message %d declares %d bytes of metadata, but %d bytes follow"
                .formatted(message, Integer.toUnsignedLong(length), body.length - position));
      }
      Message metadata =
          Message.getRootAsMessage(
              ByteBuffer.wrap(body, position, length).slice().order(ByteOrder.LITTLE_ENDIAN));
      position += length;
      long bodyLength = metadata.bodyLength();
      if (bodyLength < 0 || bodyLength > body.length - position) {
        throw malformed(
            "message %d declares a body of %d bytes, but %d bytes follow"
                .formatted(message, bodyLength, body.length - position));
      }
      if (metadata.version() != MetadataVersion.V4 && metadata.version() != MetadataVersion.V5) {
        throw malformed(
            "message %d has metadata version %d".formatted(message, metadata.version()));
      }
      switch (metadata.headerType()) {
        case MessageHeader.Schema -> schema(message, metadata);
        case MessageHeader.RecordBatch ->
            batch(message, (RecordBatch) metadata.header(new RecordBatch()), position, bodyLength);
        case MessageHeader.DictionaryBatch ->
            throw malformed(
                "message %d is a dictionary batch; send plain columns".formatted(message));
        default ->
            throw malformed(
                "message %d has header type %d".formatted(message, metadata.headerType()));
      }
      position += (int) bodyLength;
    }
    if (layouts == null) {
      throw malformed("it holds no schema message");
    }
  }

  private void schema(int message, Message metadata) {
    Schema schema = (Schema) metadata.header(new Schema());
    if (message != 1 || schema == null) {
      throw malformed(
          "message %d is a schema, which only the first message may be".formatted(message));
    }
    if (schema.fieldsLength() > MAX_FIELDS) {
      throw malformed("its schema has %d fields".formatted(schema.fieldsLength()));
    }
    layouts = new ArrayList<>(schema.fieldsLength());
    for (int i = 0; i < schema.fieldsLength(); i++) {
      org.apache.arrow.flatbuf.Field field = schema.fields(i);
      if (field.name() == null) {
        throw malformed("column %d of its schema has no name".formatted(i + 1));
      }
      if (field.childrenLength() != 0) {
        throw malformed(
            "column %s has a nested type; columns are flat".formatted(quoted(field.name())));
      }
      if (field.dictionary() != null) {
        throw malformed(
            "column %s is dictionary-encoded; send plain columns".formatted(quoted(field.name())));
      }
      layouts.add(TypeLayout.getTypeLayout(Field.convertField(field).getType()));
    }
    this.schema = MessageSerializer.deserializeSchema(metadata);
  }

  private void batch(int message, RecordBatch batch, int bodyStart, long bodyLength) {
    if (layouts == null || batch == null) {
      throw malformed("message %d is a record batch before any schema".formatted(message));
    }
    long rows = batch.length();
    // Arrow allocates a validity bitmap for a column sent without one: a bit per row at most.
    long rowLimit = 8L * MAX_EXPANSION * body.length;
    if (rows < 0 || rows > rowLimit - this.rows) {
      throw malformed(
          "message %d declares %d rows, more than a body of %d bytes may hold"
              .formatted(message, rows, body.length));
    }
    this.rows += rows;
    if (batch.variadicBufferCountsLength() != 0) {
      throw malformed("message %d uses variadic buffers".formatted(message));
    }
    if (batch.nodesLength() != layouts.size()) {
      throw malformed(
          "message %d has %d field nodes for %d columns"
              .formatted(message, batch.nodesLength(), layouts.size()));
    }
    BodyCompression compression = batch.compression();
    if (compression != null
        && compression.codec() != CompressionType.ZSTD
        && compression.codec() != CompressionType.LZ4_FRAME) {
      throw malformed(
          "message %d has compression codec %d".formatted(message, compression.codec()));
    }
    int buffer = 0;
    for (int field = 0; field < layouts.size(); field++) {
      FieldNode node = batch.nodes(field);
      if (node.length() != rows || node.nullCount() < 0 || node.nullCount() > rows) {
        throw malformed(
            "message %d: column %d declares %d rows with %d nulls in a batch of %d rows"
                .formatted(message, field + 1, node.length(), node.nullCount(), rows));
      }
      List<BufferLayout> parts = layouts.get(field).getBufferLayouts();
      boolean variableWidth =
          parts.stream().anyMatch(p -> p.getType() == BufferLayout.BufferType.OFFSET);
      for (BufferLayout part : parts) {
        if (buffer >= batch.buffersLength()) {
          throw malformed(
              "message %d has %d buffers, too few for its columns"
                  .formatted(message, batch.buffersLength()));
        }
        long size = decodedSize(message, batch.buffers(buffer), bodyStart, bodyLength, compression);
        long needed = needed(part, variableWidth, rows, node.nullCount());
        if (size < needed) {
          throw malformed(
              "message %d: column %d holds %d rows, but its %s buffer has %d bytes of %d"
                  .formatted(message, field + 1, rows, part.getType(), size, needed));
        }
        buffer++;
      }
    }
    if (buffer != batch.buffersLength()) {
      throw malformed(
          "message %d has %d buffers where its columns have %d"
              .formatted(message, batch.buffersLength(), buffer));
    }
    batches.add(new Batch(batch, bodyStart, (int) bodyLength));
  }

  /** The bytes a buffer holds once decompressed; adds them to the body's total and checks it. */
  private long decodedSize(
      int message, Buffer buffer, int bodyStart, long bodyLength, BodyCompression compression) {
    long offset = buffer.offset();
    long length = buffer.length();
    if (offset < 0 || length < 0 || offset > bodyLength || length > bodyLength - offset) {
      throw malformed(
          "message %d has a buffer of %d bytes at %d in a body of %d bytes"
              .formatted(message, length, offset, bodyLength));
    }
    long size = length;
    if (compression != null && length > 0) {
      if (length < COMPRESSED_LENGTH_PREFIX) {
        throw malformed(
            "message %d has a compressed buffer of %d bytes".formatted(message, length));
      }
      long uncompressed = bytes.getLong(bodyStart + (int) offset);
      if (uncompressed == -1) {
        size = length - COMPRESSED_LENGTH_PREFIX; // stored uncompressed
      } else if (uncompressed < 0 || uncompressed > decodedLimit) {
        throw malformed(
            "message %d has a compressed buffer that claims %d bytes"
                .formatted(message, uncompressed));
      } else {
        size = uncompressed;
      }
    }
    decoded += size;
    if (decoded > Math.max(decodedLimit, body.length)) {
      throw malformed(
          "its buffers decode to more than %d bytes, %d times the body's size (at most %d)"
              .formatted(decodedLimit, MAX_EXPANSION, MAX_DECODED_BYTES));
    }
    return size;
  }

  private static long needed(BufferLayout part, boolean variableWidth, long rows, long nullCount) {
    return switch (part.getType()) {
      case VALIDITY -> nullCount > 0 ? (rows + 7) / 8 : 0;
      case OFFSET -> rows > 0 ? (rows + 1) * (part.getTypeBitWidth() / 8) : 0;
      case DATA -> variableWidth ? 0 : (rows * part.getTypeBitWidth() + 7) / 8;
      default -> 0;
    };
  }

  private static String quoted(String name) {
    return "'" + name + "'";
  }

  private static MalformedBodyException malformed(String why) {
    return new MalformedBodyException("Cannot read the Arrow IPC stream body: " + why);
  }
}
