package io.sluice.lake.iceberg;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * Passes every call to another Iceberg file IO and records the location of every file read.
 *
 * <p>Its streams wrap the delegate's once more. Iceberg's Parquet reader unwraps a Hadoop file IO's
 * stream to Hadoop's own and drops the wrapper, whose finalizer then closes Hadoop's stream under
 * the reader ("Stream is closed!"). It reads a Hadoop file IO's own files through Hadoop directly,
 * so only a wrapping file IO like this one meets that.
 */
final class CountingFileIO implements FileIO {
  private static final long serialVersionUID = 1L;

  private final FileIO delegate;
  private final List<String> opened = new ArrayList<>();

  CountingFileIO(FileIO delegate) {
    this.delegate = delegate;
  }

  /** The data files (Parquet) read since the last call, and forgets them. */
  synchronized List<String> dataFilesOpened() {
    List<String> data = opened.stream().filter(p -> p.endsWith(".parquet")).toList();
    opened.clear();
    return data;
  }

  private synchronized void opened(String location) {
    opened.add(location);
  }

  @Override
  public InputFile newInputFile(String path) {
    return counted(delegate.newInputFile(path));
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    return counted(delegate.newInputFile(path, length));
  }

  /** A file whose streams are recorded when opened. */
  private InputFile counted(InputFile file) {
    return new InputFile() {
      @Override
      public long getLength() {
        return file.getLength();
      }

      @Override
      public SeekableInputStream newStream() {
        opened(file.location());
        return new HeldStream(file.newStream());
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

  @Override
  public OutputFile newOutputFile(String path) {
    return delegate.newOutputFile(path);
  }

  @Override
  public void deleteFile(String path) {
    delegate.deleteFile(path);
  }

  @Override
  public Map<String, String> properties() {
    return delegate.properties();
  }

  /** A stream that holds the delegate's stream, and so its finalizer, while it is read. */
  private static final class HeldStream extends SeekableInputStream {
    private final SeekableInputStream stream;

    HeldStream(SeekableInputStream stream) {
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
