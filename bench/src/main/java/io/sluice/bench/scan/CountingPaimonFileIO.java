package io.sluice.bench.scan;

import io.sluice.core.table.LakeFormatName;
import java.io.IOException;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.fs.FileIO;
import org.apache.paimon.fs.FileIOLoader;
import org.apache.paimon.fs.FileStatus;
import org.apache.paimon.fs.Path;
import org.apache.paimon.fs.PositionOutputStream;
import org.apache.paimon.fs.SeekableInputStream;
import org.apache.paimon.fs.VectoredReadable;
import org.apache.paimon.fs.local.LocalFileIOLoader;

/**
 * Paimon's local file IO, with every read counted in {@link LakeReads} for Paimon. The lake adapter
 * uses it when the lake option {@code paimon.file-io-loader} names {@link Loader}.
 */
public final class CountingPaimonFileIO implements FileIO {
  private static final long serialVersionUID = 1L;

  private final FileIO delegate;

  CountingPaimonFileIO(FileIO delegate) {
    this.delegate = delegate;
  }

  /** The loader the lake option names: Paimon's local file IO for {@code file:}, counted. */
  public static final class Loader implements FileIOLoader {
    private static final long serialVersionUID = 1L;

    @Override
    public String getScheme() {
      return "file";
    }

    @Override
    public FileIO load(Path path) {
      return new CountingPaimonFileIO(new LocalFileIOLoader().load(path));
    }
  }

  private static LakeReads reads() {
    return LakeReads.of(LakeFormatName.PAIMON);
  }

  @Override
  public SeekableInputStream newInputStream(Path path) throws IOException {
    return new CountedStream(delegate.newInputStream(path), path.toString());
  }

  @Override
  public FileStatus getFileStatus(Path path) throws IOException {
    reads().head();
    return delegate.getFileStatus(path);
  }

  @Override
  public FileStatus[] listStatus(Path path) throws IOException {
    reads().list();
    return delegate.listStatus(path);
  }

  @Override
  public boolean exists(Path path) throws IOException {
    reads().head();
    return delegate.exists(path);
  }

  @Override
  public boolean isObjectStore() {
    return delegate.isObjectStore();
  }

  @Override
  public void configure(CatalogContext context) {
    delegate.configure(context);
  }

  @Override
  public PositionOutputStream newOutputStream(Path path, boolean overwrite) throws IOException {
    return delegate.newOutputStream(path, overwrite);
  }

  @Override
  public boolean delete(Path path, boolean recursive) throws IOException {
    return delegate.delete(path, recursive);
  }

  @Override
  public boolean mkdirs(Path path) throws IOException {
    return delegate.mkdirs(path);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    return delegate.rename(src, dst);
  }

  /**
   * A stream that counts what it reads; positioned reads stay positioned reads, as Paimon's Parquet
   * reader uses them where the stream offers them.
   */
  private static final class CountedStream extends SeekableInputStream implements VectoredReadable {
    private final SeekableInputStream in;
    private final LakeReads.Stream counts;
    private long position;

    CountedStream(SeekableInputStream in, String path) {
      this.in = in;
      this.counts = new LakeReads.Stream(reads(), path);
    }

    @Override
    public void seek(long to) throws IOException {
      in.seek(to);
      position = to;
    }

    @Override
    public long getPos() {
      return position;
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
    public int pread(long at, byte[] buffer, int offset, int length) throws IOException {
      int n;
      if (in instanceof VectoredReadable positioned) {
        n = positioned.pread(at, buffer, offset, length);
      } else {
        synchronized (this) {
          long saved = in.getPos();
          in.seek(at);
          n = in.read(buffer, offset, length);
          in.seek(saved);
        }
      }
      counts.pread(Math.max(n, 0));
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
