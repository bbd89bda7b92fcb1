package io.sluice.core.segment;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.List;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Where the parts of one bucket's Arrow IPC stream lie, read back from its schema and record batch
 * messages with Arrow's own parser: the body start, and for each top-level field its field nodes,
 * its buffers and the byte range they span in the body.
 *
 * @param bodyStart where the record batch body begins, counted from the start of the stream
 * @param firstNode per field, the index of its first field node; one more entry ends the last
 * @param firstBuffer per field, the index of its first buffer; one more entry ends the last
 * @param columnStart per field, where its buffers begin in the body; one more entry is the body
 *     length
 */
record StreamLayout(
    Schema schema,
    RecordBatch batch,
    long bodyStart,
    long bodyLength,
    int[] firstNode,
    int[] firstBuffer,
    long[] columnStart) {

  long bodyEnd() {
    return bodyStart + bodyLength;
  }

  int fieldCount() {
    return schema.getFields().size();
  }

  long columnLength(int field) {
    return columnStart[field + 1] - columnStart[field];
  }

  /**
   * Parses the schema and record batch messages at the start of {@code bytes}, which may end right
   * after them (the headers part) or hold the whole stream.
   *
   * @throws IllegalArgumentException describing what does not parse
   */
  static StreamLayout parse(byte[] bytes, int length) {
    return parse(bytes, 0, length);
  }

  /** As {@link #parse(byte[], int)}, for a stream at {@code offset} in {@code bytes}. */
  static StreamLayout parse(byte[] bytes, int offset, int length) {
    try (ReadChannel in =
        new ReadChannel(Channels.newChannel(new ByteArrayInputStream(bytes, offset, length)))) {
      MessageMetadataResult schemaMessage = MessageSerializer.readMessage(in);
      if (schemaMessage == null || schemaMessage.headerType() != MessageHeader.Schema) {
        throw new IllegalArgumentException("the stream does not start with a schema message");
      }
      Schema schema = MessageSerializer.deserializeSchema(schemaMessage);
      MessageMetadataResult batchMessage = MessageSerializer.readMessage(in);
      if (batchMessage == null || batchMessage.headerType() != MessageHeader.RecordBatch) {
        throw new IllegalArgumentException("the schema is not followed by a record batch");
      }
      long bodyStart = in.bytesRead();
      long bodyLength = batchMessage.getMessageBodyLength();
      RecordBatch batch = (RecordBatch) batchMessage.getMessage().header(new RecordBatch());
      if (batch == null || batch.variadicBufferCountsLength() != 0) {
        throw new IllegalArgumentException(
            "the record batch has a layout this format does not use");
      }
      return layout(schema, batch, bodyStart, bodyLength);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException("the Arrow messages do not parse: " + e, e);
    }
  }

  private static StreamLayout layout(
      Schema schema, RecordBatch batch, long bodyStart, long bodyLength) {
    List<Field> fields = schema.getFields();
    int[] firstNode = new int[fields.size() + 1];
    int[] firstBuffer = new int[fields.size() + 1];
    for (int i = 0; i < fields.size(); i++) {
      firstNode[i + 1] = firstNode[i] + nodeCount(fields.get(i));
      firstBuffer[i + 1] = firstBuffer[i] + bufferCount(fields.get(i));
    }
    if (firstNode[fields.size()] != batch.nodesLength()
        || firstBuffer[fields.size()] != batch.buffersLength()) {
      throw new IllegalArgumentException(
          "the record batch has %d nodes and %d buffers, the schema needs %d and %d"
              .formatted(
                  batch.nodesLength(),
                  batch.buffersLength(),
                  firstNode[fields.size()],
                  firstBuffer[fields.size()]));
    }
    long[] columnStart = new long[fields.size() + 1];
    for (int i = 0; i < fields.size(); i++) {
      columnStart[i] =
          firstBuffer[i] < batch.buffersLength()
              ? batch.buffers(firstBuffer[i]).offset()
              : bodyLength;
    }
    columnStart[fields.size()] = bodyLength;
    if (fields.size() > 0 && columnStart[0] != 0) {
      throw new IllegalArgumentException("the first buffer does not start the body");
    }
    for (int i = 0; i < fields.size(); i++) {
      if (columnStart[i] > columnStart[i + 1]) {
        throw new IllegalArgumentException("the buffers are not in order");
      }
      for (int b = firstBuffer[i]; b < firstBuffer[i + 1]; b++) {
        long offset = batch.buffers(b).offset();
        long length = batch.buffers(b).length();
        if (offset < columnStart[i] || length < 0 || offset + length > columnStart[i + 1]) {
          throw new IllegalArgumentException("buffer " + b + " lies outside its column");
        }
      }
    }
    return new StreamLayout(
        schema, batch, bodyStart, bodyLength, firstNode, firstBuffer, columnStart);
  }

  private static int nodeCount(Field field) {
    int count = 1;
    for (Field child : field.getChildren()) {
      count += nodeCount(child);
    }
    return count;
  }

  private static int bufferCount(Field field) {
    int count = TypeLayout.getTypeBufferCount(field.getType());
    for (Field child : field.getChildren()) {
      count += bufferCount(child);
    }
    return count;
  }
}
