package io.sluice.function.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.core.arrow.ArrowJsonWriter;
import io.sluice.core.service.LogRead;
import io.sluice.core.service.RowFormat;
import jakarta.ws.rs.core.StreamingOutput;
import java.nio.channels.Channels;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/** Streams rows out as a JSON array, NDJSON lines or an Arrow IPC stream. */
final class RowsWriter {
  private static final JsonFactory FACTORY = new JsonFactory();

  private RowsWriter() {}

  /** Streams a read's rows in {@code format} and closes the read. */
  static StreamingOutput stream(RowFormat format, LogRead read) {
    return out -> {
      try (read) {
        VectorSchemaRoot rows = read.rows();
        if (format == RowFormat.ARROW) {
          try (ArrowStreamWriter writer =
              new ArrowStreamWriter(rows, null, Channels.newChannel(out))) {
            writer.start();
            writer.writeBatch();
            writer.end();
          }
          return;
        }
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
          json.setRootValueSeparator(null);
          if (format == RowFormat.JSON) {
            json.writeStartArray();
          }
          for (int row = 0; row < rows.getRowCount(); row++) {
            ArrowJsonWriter.writeRow(json, rows, row);
            if (format == RowFormat.NDJSON) {
              json.writeRaw('\n');
            }
          }
          if (format == RowFormat.JSON) {
            json.writeEndArray();
          }
        }
      }
    };
  }
}
