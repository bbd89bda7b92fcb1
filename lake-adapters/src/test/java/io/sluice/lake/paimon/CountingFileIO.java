package io.sluice.lake.paimon;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.fs.FileIO;
import org.apache.paimon.fs.FileStatus;
import org.apache.paimon.fs.Path;
import org.apache.paimon.fs.PositionOutputStream;
import org.apache.paimon.fs.SeekableInputStream;

/**
 * Passes every call to another Paimon file IO and records the path of every file opened to read.
 */
final class CountingFileIO implements FileIO {
  private static final long serialVersionUID = 1L;

  private final FileIO delegate;
  private final List<String> opened = new ArrayList<>();

  CountingFileIO(FileIO delegate) {
    this.delegate = delegate;
  }

  /** The data files (Parquet) opened since the last call, and forgets them. */
  synchronized List<String> dataFilesOpened() {
    List<String> data = opened.stream().filter(p -> p.endsWith(".parquet")).toList();
    opened.clear();
    return data;
  }

  @Override
  public SeekableInputStream newInputStream(Path path) throws IOException {
    synchronized (this) {
      opened.add(path.toString());
    }
    return delegate.newInputStream(path);
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
  public FileStatus getFileStatus(Path path) throws IOException {
    return delegate.getFileStatus(path);
  }

  @Override
  public FileStatus[] listStatus(Path path) throws IOException {
    return delegate.listStatus(path);
  }

  @Override
  public boolean exists(Path path) throws IOException {
    return delegate.exists(path);
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
}
