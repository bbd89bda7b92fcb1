package io.sluice.bench.scan;

import io.sluice.core.table.LakeFormatName;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Iceberg's Hadoop file IO (what its JDBC catalog uses by default), with every read counted in
 * {@link LakeReads} for Iceberg. The catalog instantiates it when the lake option {@code
 * iceberg.io-impl} names it.
 *
 * <p>Its streams do not hand Iceberg's Parquet reader the Hadoop stream underneath (as Hadoop's own
 * do), so the reader reads through them with seeks and reads, as it reads from S3.
 */
public final class CountingIcebergFileIO implements SupportsPrefixOperations {
  private static final long serialVersionUID = 1L;

  private HadoopFileIO delegate = new HadoopFileIO(new Configuration());

  /** As Iceberg's catalogs instantiate a file IO: then {@link #initialize}. */
  public CountingIcebergFileIO() {}

  private static LakeReads reads() {
    return LakeReads.of(LakeFormatName.ICEBERG);
  }

  @Override
  public void initialize(Map<String, String> properties) {
    delegate = new HadoopFileIO(new Configuration());
    delegate.initialize(properties);
  }

  @Override
  public Map<String, String> properties() {
    return delegate.properties();
  }

  @Override
  public InputFile newInputFile(String path) {
    return counted(delegate.newInputFile(path), true);
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    return counted(delegate.newInputFile(path, length), false);
  }

  /** A file whose length (when not given) and existence checks are HEADs, and reads GETs. */
  private static InputFile counted(InputFile file, boolean lengthUnknown) {
    return new InputFile() {
      @Override
      public long getLength() {
        if (lengthUnknown) {
          reads().head();
        }
        return file.getLength();
      }

      @Override
      public SeekableInputStream newStream() {
        return new CountedStream(file.newStream(), file.location());
      }

      @Override
      public String location() {
        return file.location();
      }

      @Override
      public boolean exists() {
        reads().head();
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
  public Iterable<FileInfo> listPrefix(String prefix) {
    reads().list();
    return delegate.listPrefix(prefix);
  }

  @Override
  public void deletePrefix(String prefix) {
    delegate.deletePrefix(prefix);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** A stream that counts what it reads. */
  private static final class CountedStream extends SeekableInputStream {
    private final SeekableInputStream in;
    private final LakeReads.Stream counts;
    private long position;

    CountedStream(SeekableInputStream in, String location) {
      this.in = in;
      this.counts = new LakeReads.Stream(reads(), location);
    }

    @Override
    public long getPos() {
      return position;
    }

    @Override
    public void seek(long to) throws IOException {
      in.seek(to);
      position = to;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        counts.read(position, 1);
        position++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        counts.read(position, n);
        position += n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
