package io.sluice.bench.scan;

import io.sluice.core.table.LakeFormatName;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one lake format read from its warehouse, as an object store would bill it: data files
 * (Parquet) apart from metadata files (snapshots, schemas, manifest lists, manifests, table
 * metadata), GET requests and bytes of each, and HEAD-like calls (status, exists, length) and
 * LISTs.
 *
 * <p>A GET is a run of contiguous reads of one open file: opening a stream, or reading it after a
 * seek elsewhere, starts a new one, as an object-store input stream issues a new ranged GET there;
 * a positioned read ({@code pread}) is one GET. Paimon and Iceberg instantiate their file IO by
 * class name ({@link CountingPaimonFileIO.Loader}, {@link CountingIcebergFileIO}), so the counters
 * are per format and global to the JVM.
 */
final class LakeReads {
  private static final Map<LakeFormatName, LakeReads> BY_FORMAT =
      new EnumMap<>(LakeFormatName.class);

  static {
    for (LakeFormatName format : LakeFormatName.values()) {
      BY_FORMAT.put(format, new LakeReads());
    }
  }

  private final LongAdder dataReads = new LongAdder();
  private final LongAdder dataBytes = new LongAdder();
  private final LongAdder metadataReads = new LongAdder();
  private final LongAdder metadataBytes = new LongAdder();
  private final LongAdder heads = new LongAdder();
  private final LongAdder lists = new LongAdder();

  private LakeReads() {}

  static LakeReads of(LakeFormatName format) {
    return BY_FORMAT.get(format);
  }

  /** Requests and bytes counted so far; subtract two of them to get what happened in between. */
  record Counts(
      long dataReads,
      long dataBytes,
      long metadataReads,
      long metadataBytes,
      long heads,
      long lists) {
    Counts minus(Counts before) {
      return new Counts(
          dataReads - before.dataReads,
          dataBytes - before.dataBytes,
          metadataReads - before.metadataReads,
          metadataBytes - before.metadataBytes,
          heads - before.heads,
          lists - before.lists);
    }

    long bytes() {
      return dataBytes + metadataBytes;
    }

    /** Every request: GETs, HEADs and LISTs. */
    long requests() {
      return dataReads + metadataReads + heads + lists;
    }
  }

  Counts counts() {
    return new Counts(
        dataReads.sum(),
        dataBytes.sum(),
        metadataReads.sum(),
        metadataBytes.sum(),
        heads.sum(),
        lists.sum());
  }

  /** Whether a file is a data file rather than metadata. */
  static boolean isData(String path) {
    return path.endsWith(".parquet") || path.endsWith(".orc");
  }

  /** Counts one GET of {@code path}. */
  void get(String path) {
    (isData(path) ? dataReads : metadataReads).increment();
  }

  /** Counts bytes read from {@code path}. */
  void bytes(String path, long bytes) {
    if (bytes > 0) {
      (isData(path) ? dataBytes : metadataBytes).add(bytes);
    }
  }

  void head() {
    heads.increment();
  }

  void list() {
    lists.increment();
  }

  /**
   * Counts the reads of one open file: a GET when reading starts somewhere other than where the
   * last read ended. Not thread-safe, as the streams it serves are not.
   */
  static final class Stream {
    private final LakeReads reads;
    private final String path;
    private long next = -1;

    Stream(LakeReads reads, String path) {
      this.reads = reads;
      this.path = path;
    }

    /** Counts {@code n} bytes read from {@code position} (nothing for {@code n <= 0}). */
    void read(long position, long n) {
      if (n <= 0) {
        return;
      }
      if (position != next) {
        reads.get(path);
      }
      reads.bytes(path, n);
      next = position + n;
    }

    /** Counts one positioned read of {@code n} bytes: always its own GET. */
    void pread(long n) {
      reads.get(path);
      reads.bytes(path, n);
    }
  }
}
