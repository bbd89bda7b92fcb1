package io.sluice.lake.iceberg;

import java.io.IOException;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * Iceberg's Hadoop file IO (the local warehouse's), whose input streams a Parquet reader keeps
 * alive. Iceberg's {@code ParquetIO} unwraps the stream of a {@link HadoopFileIO} file to Hadoop's
 * own and drops the wrapper, whose cleaner then closes Hadoop's stream when the wrapper is
 * collected, under a reader still reading it ("Stream is closed!", apache/iceberg#3276). Wrapping
 * the stream once more, in a type {@code ParquetIO} does not unwrap, keeps the wrapper referenced
 * until the reader closes it.
 */
public class RetainingHadoopFileIO extends HadoopFileIO {
  private static final long serialVersionUID = 1L;

  @Override
  public InputFile newInputFile(String path) {
    return retaining(super.newInputFile(path));
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    return retaining(super.newInputFile(path, length));
  }

  private static InputFile retaining(InputFile file) {
    return new InputFile() {
      @Override
      public long getLength() {
        return file.getLength();
      }

      @Override
      public SeekableInputStream newStream() {
        return new Retained(file.newStream());
      }

      @Override
      public String location() {
        return file.location();
      }

      @Override
      public boolean exists() {
        return file.exists();
      }
    };
  }

  /** A stream that holds Iceberg's Hadoop stream for as long as it is used. */
  private static final class Retained extends SeekableInputStream {
    private final SeekableInputStream stream;

    Retained(SeekableInputStream stream) {
      this.stream = stream;
    }

    @Override
    public long getPos() throws IOException {
      return stream.getPos();
    }

    @Override
    public void seek(long newPos) throws IOException {
      stream.seek(newPos);
    }

    @Override
    public int read() throws IOException {
      return stream.read();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      return stream.read(buffer, offset, length);
    }

    @Override
    public void close() throws IOException {
      stream.close();
    }
  }
}
