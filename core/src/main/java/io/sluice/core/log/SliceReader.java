package io.sluice.core.log;

import io.sluice.core.metadata.Slice;
import io.sluice.core.segment.SegmentReader;
import io.sluice.core.store.ObjectStore;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Reads a slice's rows: one ranged read of its bucket in its segment, checksum-verified. */
public final class SliceReader {
  private final ObjectStore objects;
  private final BufferAllocator allocator;

  public SliceReader(ObjectStore objects, BufferAllocator allocator) {
    this.objects = objects;
    this.allocator = allocator;
  }

  /** Every column of the slice's rows, in the schema it was written with; the caller closes it. */
  public VectorSchemaRoot read(Slice slice) {
    byte[] bytes =
        objects.readRange(
            slice.segmentKey(), slice.byteOffset(), Math.toIntExact(slice.byteLength()));
    return SegmentReader.readBucket(bytes, allocator);
  }
}
