package io.sluice.function.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.core.arrow.ArrowJsonWriter;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.service.RowFormat;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/** Streams rows out as a JSON array, NDJSON lines or an Arrow IPC stream, batch by batch. */
final class RowsWriter {
  private static final JsonFactory FACTORY = new JsonFactory();

  private RowsWriter() {}

  /**
   * Streams {@code batches} in {@code format} and closes them; {@code done} runs after the last row
   * went out (or the stream failed), with the number of rows written.
   */
  static StreamingOutput stream(RowFormat format, RowBatches batches, RowsDone done) {
    return out -> {
      long rows = 0;
      try (batches) {
        rows = write(format, batches, out);
      } finally {
        done.written(rows);
      }
    };
  }

  /** What to do once a stream ended. */
  @FunctionalInterface
  interface RowsDone {
    void written(long rows);
  }

  private static long write(RowFormat format, RowBatches batches, OutputStream out)
      throws IOException {
    VectorSchemaRoot batch = batches.batch();
    long rows = 0;
    if (format == RowFormat.ARROW) {
      try (ArrowStreamWriter writer =
          new ArrowStreamWriter(batch, null, Channels.newChannel(out))) {
        writer.start();
        while (batches.next()) {
          writer.writeBatch();
          rows += batch.getRowCount();
        }
        writer.end();
      }
      return rows;
    }
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      json.setRootValueSeparator(null);
      if (format == RowFormat.JSON) {
        json.writeStartArray();
      }
      while (batches.next()) {
        for (int row = 0; row < batch.getRowCount(); row++) {
          ArrowJsonWriter.writeRow(json, batch, row);
          if (format == RowFormat.NDJSON) {
            json.writeRaw('\n');
          }
        }
        rows += batch.getRowCount();
      }
      if (format == RowFormat.JSON) {
        json.writeEndArray();
      }
    }
    return rows;
  }
}
