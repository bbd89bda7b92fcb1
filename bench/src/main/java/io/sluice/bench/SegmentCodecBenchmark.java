package io.sluice.bench;

import io.sluice.core.segment.BucketBatch;
import io.sluice.core.segment.BucketRange;
import io.sluice.core.segment.EncodedSegment;
import io.sluice.core.segment.SegmentReader;
import io.sluice.core.segment.SegmentWriter;
import io.sluice.core.table.TableDefinition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encode and decode throughput of the segment format ({@link SegmentWriter}, {@link SegmentReader})
 * against Arrow's own IPC stream writer and reader on the same batches.
 *
 * <p>One operation handles the whole batch: {@link #buckets} buckets of {@link #rowsPerBucket} rows
 * of a 10-column table. Every benchmark works on the same rows, so {@code ops/s} times {@link
 * #uncompressedBytes()} is the throughput in bytes of uncompressed Arrow data; {@link BenchMain}
 * reports it in MB/s and as ratios.
 *
 * <ul>
 *   <li>{@code sluiceEncode}: {@link SegmentWriter#encode}, i.e. ZSTD IPC stream per bucket, layout
 *       parse, CRC32C of the stream and of every column, footer and trailer.
 *   <li>{@code sluiceDecode}: {@link SegmentReader#readBucket(byte[], BufferAllocator)} of every
 *       bucket's range (sliced out of the segment in setup, as a ranged read returns it), touching
 *       every vector, then closing it.
 *   <li>{@code arrowIpcWrite}: a plain, uncompressed {@link ArrowStreamWriter} stream per bucket
 *       into a {@link ByteArrayOutputStream}.
 *   <li>{@code arrowIpcWriteZstd}: the same with Arrow's ZSTD buffer compression, the codec the
 *       segment uses; {@code sluiceEncode} minus this is the cost of the layout and checksums.
 *   <li>{@code arrowIpcRead}: {@link ArrowStreamReader} of every plain stream, touching every
 *       vector.
 *   <li>{@code arrowIpcReadZstd}: the same for the ZSTD streams; {@code sluiceDecode} minus this is
 *       the cost of the verification and the layout parse.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class SegmentCodecBenchmark {
  /** The table whose rows the batch holds. */
  public static final TableDefinition TABLE =
      OrderRows.table()
          .primaryKey(List.of("id"))
          .buckets(4)
          .build("Cannot define the benchmark table");

  /** Buckets in one operation; the initial value is for callers outside JMH. */
  @Param("4")
  public int buckets = 4;

  /** Rows in each bucket; the initial value is for callers outside JMH. */
  @Param("16384")
  public int rowsPerBucket = 16_384;

  private BufferAllocator allocator;
  private List<BucketBatch> batches;
  private List<byte[]> plainStreams;
  private List<byte[]> zstdStreams;
  private List<byte[]> segmentBuckets;
  private EncodedSegment segment;

  @Setup(Level.Trial)
  public void setup() {
    allocator = new RootAllocator();
    batches = new ArrayList<>(buckets);
    Random random = new Random(42);
    for (int b = 0; b < buckets; b++) {
      batches.add(
          new BucketBatch(b, 1, batch(allocator, random, b * (long) rowsPerBucket, rowsPerBucket)));
    }
    plainStreams = arrowIpcWrite();
    zstdStreams = arrowIpcWriteZstd();
    segment = sluiceEncode();
    segmentBuckets = bucketsOf(segment);
  }

  /** Each bucket's bytes sliced out of a segment, as a ranged read returns them. */
  static List<byte[]> bucketsOf(EncodedSegment segment) {
    List<byte[]> slices = new ArrayList<>(segment.buckets().size());
    for (BucketRange range : segment.buckets()) {
      int from = Math.toIntExact(range.offset());
      slices.add(Arrays.copyOfRange(segment.bytes(), from, from + Math.toIntExact(range.length())));
    }
    return slices;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    batches.forEach(b -> b.root().close());
    allocator.close();
  }

  @Benchmark
  public EncodedSegment sluiceEncode() {
    return SegmentWriter.encode(batches);
  }

  @Benchmark
  public void sluiceDecode(Blackhole blackhole) {
    sluiceDecode(root -> touch(root, blackhole));
  }

  @Benchmark
  public List<byte[]> arrowIpcWrite() {
    return write(null, CompressionUtil.CodecType.NO_COMPRESSION);
  }

  @Benchmark
  public List<byte[]> arrowIpcWriteZstd() {
    return write(CommonsCompressionFactory.INSTANCE, CompressionUtil.CodecType.ZSTD);
  }

  @Benchmark
  public void arrowIpcRead(Blackhole blackhole) {
    arrowIpcRead(root -> touch(root, blackhole));
  }

  @Benchmark
  public void arrowIpcReadZstd(Blackhole blackhole) {
    arrowIpcReadZstd(root -> touch(root, blackhole));
  }

  /** Decodes every bucket of the segment and hands each to {@code sink}; closes them after. */
  void sluiceDecode(Consumer<VectorSchemaRoot> sink) {
    for (byte[] bucket : segmentBuckets) {
      try (VectorSchemaRoot root = SegmentReader.readBucket(bucket, allocator)) {
        sink.accept(root);
      }
    }
  }

  /** Reads every plain IPC stream and hands its batch to {@code sink}; closes them after. */
  void arrowIpcRead(Consumer<VectorSchemaRoot> sink) {
    read(plainStreams, NoCompressionCodec.Factory.INSTANCE, sink);
  }

  /** Reads every ZSTD IPC stream and hands its batch to {@code sink}; closes them after. */
  void arrowIpcReadZstd(Consumer<VectorSchemaRoot> sink) {
    read(zstdStreams, CommonsCompressionFactory.INSTANCE, sink);
  }

  private List<byte[]> write(CompressionCodec.Factory factory, CompressionUtil.CodecType codec) {
    List<byte[]> streams = new ArrayList<>(batches.size());
    for (BucketBatch batch : batches) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArrowStreamWriter writer =
          factory == null
              ? new ArrowStreamWriter(
                  batch.root(),
                  new DictionaryProvider.MapDictionaryProvider(),
                  Channels.newChannel(out))
              : new ArrowStreamWriter(
                  batch.root(),
                  new DictionaryProvider.MapDictionaryProvider(),
                  Channels.newChannel(out),
                  IpcOption.DEFAULT,
                  factory,
                  codec)) {
        writer.start();
        writer.writeBatch();
        writer.end();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      streams.add(out.toByteArray());
    }
    return streams;
  }

  private void read(
      List<byte[]> streams, CompressionCodec.Factory factory, Consumer<VectorSchemaRoot> sink) {
    for (byte[] stream : streams) {
      try (ArrowStreamReader reader =
          new ArrowStreamReader(new ByteArrayInputStream(stream), allocator, factory)) {
        if (!reader.loadNextBatch()) {
          throw new IllegalStateException("stream without a record batch");
        }
        sink.accept(reader.getVectorSchemaRoot());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Reads a little of every vector, so that no decode can be skipped or left lazy. */
  static void touch(VectorSchemaRoot root, Blackhole blackhole) {
    int rows = root.getRowCount();
    blackhole.consume(rows);
    for (FieldVector vector : root.getFieldVectors()) {
      blackhole.consume(vector.getValueCount());
      blackhole.consume(vector.getNullCount());
      if (rows > 0) {
        blackhole.consume(vector.hashCode(0));
        blackhole.consume(vector.hashCode(rows / 2));
        blackhole.consume(vector.hashCode(rows - 1));
      }
    }
  }

  /** The input batches, in bucket order. */
  List<BucketBatch> batches() {
    return batches;
  }

  /** The encoded segment, as {@code sluiceEncode} returns it. */
  EncodedSegment segment() {
    return segment;
  }

  /** Rows in one operation. */
  public long rows() {
    return (long) buckets * rowsPerBucket;
  }

  /**
   * Bytes of uncompressed Arrow data in one operation: the sum of every vector's buffer sizes
   * (validity, offsets, data) over all buckets. Every benchmark's MB/s is relative to this.
   */
  public long uncompressedBytes() {
    long bytes = 0;
    for (BucketBatch batch : batches) {
      for (FieldVector vector : batch.root().getFieldVectors()) {
        bytes += vector.getBufferSize();
      }
    }
    return bytes;
  }

  /** {@link #uncompressedBytes()} by column, in column order. */
  public Map<String, Long> columnBytes() {
    Map<String, Long> bytes = new LinkedHashMap<>();
    for (BucketBatch batch : batches) {
      for (FieldVector vector : batch.root().getFieldVectors()) {
        bytes.merge(vector.getName(), (long) vector.getBufferSize(), Long::sum);
      }
    }
    return bytes;
  }

  /** Bytes of the plain (uncompressed) IPC streams of one operation. */
  public long plainIpcBytes() {
    return plainStreams.stream().mapToLong(s -> s.length).sum();
  }

  /** Bytes of the ZSTD IPC streams of one operation. */
  public long zstdIpcBytes() {
    return zstdStreams.stream().mapToLong(s -> s.length).sum();
  }

  /** Bytes of the segment object of one operation. */
  public long segmentBytes() {
    return segment.bytes().length;
  }

  /** One bucket's rows of {@link OrderRows}, seeded so every run builds the same data. */
  static VectorSchemaRoot batch(BufferAllocator allocator, Random random, long firstId, int rows) {
    return OrderRows.batch(allocator, TABLE, random, firstId, rows);
  }
}
