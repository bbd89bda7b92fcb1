package io.sluice.bench;

import io.sluice.core.segment.BucketBatch;
import io.sluice.core.segment.EncodedSegment;
import io.sluice.core.segment.SegmentCompression;
import io.sluice.core.segment.SegmentReader;
import io.sluice.core.segment.SegmentWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
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
 * Encode and decode throughput of a segment under each {@link SegmentCompression}, on a group as
 * the write path makes it under load: 16 ingest requests of 1000 {@link OrderRows} rows spread over
 * 4 buckets, 4000 rows per bucket.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class SegmentCompressionBenchmark {
  /** The compressions compared, as {@link SegmentCompression#parse} reads them. */
  static final String[] COMPRESSIONS = {"zstd:3", "zstd:1", "zstd:-1", "zstd:-5", "lz4", "none"};

  @Param({"zstd:3", "zstd:1", "zstd:-1", "zstd:-5", "lz4", "none"})
  public String compression = "zstd:3";

  /** Rows per bucket; the initial value is for callers outside JMH. */
  @Param("4000")
  public int rowsPerBucket = 4000;

  private static final int BUCKETS = 4;

  private BufferAllocator allocator;
  private List<BucketBatch> batches;
  private SegmentCompression codec;
  private List<byte[]> encodedBuckets;

  @Setup(Level.Trial)
  public void setup() {
    allocator = new RootAllocator();
    codec = SegmentCompression.parse(compression);
    Random random = new Random(42);
    batches = new ArrayList<>(BUCKETS);
    for (int b = 0; b < BUCKETS; b++) {
      batches.add(
          new BucketBatch(
              b,
              1,
              SegmentCodecBenchmark.batch(
                  allocator, random, b * (long) rowsPerBucket, rowsPerBucket)));
    }
    encodedBuckets = SegmentCodecBenchmark.bucketsOf(encode());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    batches.forEach(b -> b.root().close());
    allocator.close();
  }

  @Benchmark
  public EncodedSegment encode() {
    return SegmentWriter.encode(batches, codec);
  }

  @Benchmark
  public void decode(Blackhole blackhole) {
    for (byte[] bucket : encodedBuckets) {
      try (VectorSchemaRoot root = SegmentReader.readBucket(bucket, allocator)) {
        SegmentCodecBenchmark.touch(root, blackhole);
      }
    }
  }

  /** Bytes of uncompressed Arrow data in one operation (validity, offsets and data buffers). */
  long uncompressedBytes() {
    long bytes = 0;
    for (BucketBatch batch : batches) {
      for (FieldVector vector : batch.root().getFieldVectors()) {
        bytes += vector.getBufferSize();
      }
    }
    return bytes;
  }

  /** Bytes of the segment one operation encodes. */
  long segmentBytes() {
    return encode().bytes().length;
  }
}
