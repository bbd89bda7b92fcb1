package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.segment.BucketBatch;
import io.sluice.core.segment.EncodedSegment;
import io.sluice.core.segment.SegmentFooter;
import io.sluice.core.segment.SegmentFooter.BucketEntry;
import io.sluice.core.segment.SegmentReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A smoke test, not a benchmark: runs every benchmark method once on a small batch and checks that
 * what each writes or reads is the input, so the benchmark cannot measure garbage.
 */
class SegmentCodecBenchmarkTest {
  private static final int BUCKETS = 3;
  private static final int ROWS = 500;

  private final SegmentCodecBenchmark benchmark = new SegmentCodecBenchmark();
  private final BufferAllocator allocator = new RootAllocator();
  private Blackhole blackhole;

  @BeforeEach
  void setUp() {
    benchmark.buckets = BUCKETS;
    benchmark.rowsPerBucket = ROWS;
    benchmark.setup();
    blackhole =
        new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
  }

  @AfterEach
  void tearDown() {
    blackhole.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
    benchmark.tearDown();
    allocator.close();
  }

  @Test
  void theBatchIsRealisticAndSized() {
    List<BucketBatch> batches = benchmark.batches();
    assertThat(batches).hasSize(BUCKETS);
    VectorSchemaRoot first = batches.get(0).root();
    assertThat(first.getRowCount()).isEqualTo(ROWS);
    assertThat(first.getFieldVectors()).hasSize(10);
    assertThat(first.getVector("customer").getNullCount()).isPositive();
    assertThat(benchmark.rows()).isEqualTo((long) BUCKETS * ROWS);
    assertThat(benchmark.uncompressedBytes())
        .isEqualTo(benchmark.columnBytes().values().stream().mapToLong(Long::longValue).sum())
        .isGreaterThan(50L * BUCKETS * ROWS);
    assertThat(benchmark.zstdIpcBytes()).isLessThan(benchmark.plainIpcBytes());
    assertThat(benchmark.segmentBytes()).isGreaterThan(benchmark.zstdIpcBytes());
  }

  @Test
  void sluiceEncodeWritesTheInput() {
    EncodedSegment segment = benchmark.sluiceEncode();

    assertThat(segment.rows()).isEqualTo(benchmark.rows());
    assertThat(segment.bytes()).isEqualTo(benchmark.segment().bytes());
    // Decoded with every checksum of the footer, not only the bucket check.
    SegmentFooter footer = SegmentFooter.parse(segment.bytes());
    List<VectorSchemaRoot> decoded = new ArrayList<>();
    try {
      for (BucketEntry entry : footer.buckets()) {
        int from = Math.toIntExact(entry.offset());
        byte[] bytes =
            Arrays.copyOfRange(segment.bytes(), from, from + Math.toIntExact(entry.length()));
        decoded.add(SegmentReader.readBucket("bench", entry, bytes, allocator));
      }
      assertEqualsInput(decoded);
    } finally {
      decoded.forEach(VectorSchemaRoot::close);
    }
  }

  @Test
  void sluiceDecodeReadsTheInput() {
    benchmark.sluiceDecode(blackhole);
    assertEqualsInput(benchmark::sluiceDecode);
  }

  @Test
  void arrowIpcWriteWritesTheInput() throws IOException {
    assertStreamsHoldTheInput(benchmark.arrowIpcWrite());
  }

  @Test
  void arrowIpcWriteZstdWritesTheInput() throws IOException {
    List<byte[]> streams = benchmark.arrowIpcWriteZstd();
    assertThat(streams.stream().mapToLong(s -> s.length).sum())
        .isEqualTo(benchmark.zstdIpcBytes())
        .isLessThan(benchmark.plainIpcBytes());
    assertStreamsHoldTheInput(streams);
  }

  @Test
  void arrowIpcReadReadsTheInput() {
    benchmark.arrowIpcRead(blackhole);
    assertEqualsInput(benchmark::arrowIpcRead);
  }

  @Test
  void arrowIpcReadZstdReadsTheInput() {
    benchmark.arrowIpcReadZstd(blackhole);
    assertEqualsInput(benchmark::arrowIpcReadZstd);
  }

  /** Runs a decode benchmark's body, comparing each batch it hands over with the input. */
  private void assertEqualsInput(Consumer<Consumer<VectorSchemaRoot>> decode) {
    List<BucketBatch> input = benchmark.batches();
    int[] next = {0};
    decode.accept(
        root -> {
          assertSame(input.get(next[0]).root(), root, "bucket " + next[0]);
          next[0]++;
        });
    assertThat(next[0]).isEqualTo(input.size());
  }

  private void assertEqualsInput(List<VectorSchemaRoot> decoded) {
    List<BucketBatch> input = benchmark.batches();
    assertThat(decoded).hasSize(input.size());
    for (int i = 0; i < decoded.size(); i++) {
      assertSame(input.get(i).root(), decoded.get(i), "bucket " + i);
    }
  }

  private void assertStreamsHoldTheInput(List<byte[]> streams) throws IOException {
    List<BucketBatch> input = benchmark.batches();
    assertThat(streams).hasSize(input.size());
    for (int i = 0; i < streams.size(); i++) {
      try (ArrowStreamReader reader =
          new ArrowStreamReader(
              new ByteArrayInputStream(streams.get(i)),
              allocator,
              CommonsCompressionFactory.INSTANCE)) {
        assertThat(reader.loadNextBatch()).isTrue();
        assertSame(input.get(i).root(), reader.getVectorSchemaRoot(), "stream " + i);
        assertThat(reader.loadNextBatch()).isFalse();
      }
    }
  }

  private static void assertSame(VectorSchemaRoot expected, VectorSchemaRoot actual, String what) {
    assertThat(actual.getSchema()).as(what + " schema").isEqualTo(expected.getSchema());
    assertThat(actual.getRowCount()).as(what + " rows").isEqualTo(expected.getRowCount());
    for (FieldVector vector : expected.getFieldVectors()) {
      FieldVector other = actual.getVector(vector.getName());
      for (int row = 0; row < expected.getRowCount(); row++) {
        Object want = vector.getObject(row);
        Object got = other.getObject(row);
        if (want instanceof byte[] bytes) {
          assertThat((byte[]) got).as("%s %s row %d", what, vector.getName(), row).isEqualTo(bytes);
        } else {
          assertThat(got).as("%s %s row %d", what, vector.getName(), row).isEqualTo(want);
        }
      }
    }
    assertThat(actual.equals(expected)).as(what + " equals the input").isTrue();
  }
}
