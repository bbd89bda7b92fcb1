package io.sluice.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.segment.SegmentFooter;
import io.sluice.core.segment.SegmentFooter.BucketEntry;
import io.sluice.core.segment.SegmentReader;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowBodyDecoder;
import io.sluice.core.service.RowFormat;
import io.sluice.core.table.TableDefinitionJson;
import java.util.Arrays;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * The ingest benchmark's bodies say the same thing: JSON, Arrow and the segment hold equal rows.
 */
class IngestPayloadTest {

  @Test
  void jsonArrowAndSegmentHoldTheSameRows() {
    IngestPayload payload = IngestPayload.build(300, 42);
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot json =
            RowBodyDecoder.decode(
                new RowBody(RowFormat.JSON, payload.json()), IngestPayload.TABLE, allocator);
        VectorSchemaRoot arrow =
            RowBodyDecoder.decode(
                new RowBody(RowFormat.ARROW, payload.arrow()), IngestPayload.TABLE, allocator);
        VectorSchemaRoot segment = segmentRows(payload.segment(), allocator)) {
      assertThat(json.getRowCount()).isEqualTo(300);
      assertSameRows(json, arrow);
      assertSameRows(arrow, segment);
      long nulls = arrow.getFieldVectors().stream().mapToLong(FieldVector::getNullCount).sum();
      assertThat(nulls).as("the payload has some nulls").isPositive();
    }
  }

  @Test
  void theSameSeedBuildsTheSameBytes() {
    IngestPayload a = IngestPayload.build(50, 7);
    IngestPayload b = IngestPayload.build(50, 7);
    assertThat(a.json()).isEqualTo(b.json());
    assertThat(a.arrow()).isEqualTo(b.arrow());
    assertThat(a.segment()).isEqualTo(b.segment());
  }

  @Test
  void aThousandRowsAreAFewHundredKilobytes() {
    IngestPayload payload = IngestPayload.build(1000, 42);
    assertThat(payload.json().length).isBetween(100_000, 400_000);
    assertThat(payload.arrow().length).isBetween(60_000, 250_000);
    assertThat(payload.segment().length).isLessThan(payload.arrow().length);
  }

  @Test
  void theTableDefinitionRoundTripsThroughTheApiJson() {
    assertThat(TableDefinitionJson.parse("bench", IngestPayload.tableJson()))
        .isEqualTo(IngestPayload.TABLE);
    assertThat(IngestPayload.TABLE.bucketKey()).isEmpty();
    assertThat(IngestPayload.TABLE.hasPrimaryKey()).isFalse();
  }

  private static VectorSchemaRoot segmentRows(byte[] segment, BufferAllocator allocator) {
    SegmentFooter footer = SegmentFooter.parse(segment);
    assertThat(footer.buckets()).hasSize(1);
    BucketEntry entry = footer.buckets().get(0);
    byte[] range =
        Arrays.copyOfRange(
            segment,
            Math.toIntExact(entry.offset()),
            Math.toIntExact(entry.offset() + entry.length()));
    return SegmentReader.readBucket("bench", entry, range, allocator);
  }

  private static void assertSameRows(VectorSchemaRoot expected, VectorSchemaRoot actual) {
    assertThat(actual.getRowCount()).isEqualTo(expected.getRowCount());
    for (FieldVector vector : expected.getFieldVectors()) {
      FieldVector other = actual.getVector(vector.getName());
      assertThat(other).as(vector.getName()).isNotNull();
      for (int row = 0; row < expected.getRowCount(); row++) {
        Object want = vector.getObject(row);
        Object got = other.getObject(row);
        assertThat(Objects.deepEquals(want, got))
            .as("column %s row %d: %s vs %s", vector.getName(), row, want, got)
            .isTrue();
      }
    }
  }
}
