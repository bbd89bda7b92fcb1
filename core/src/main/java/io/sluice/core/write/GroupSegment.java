package io.sluice.core.write;

import io.sluice.core.arrow.ArrowConcat;
import io.sluice.core.log.CommitGroup;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.PlanMember;
import io.sluice.core.segment.BucketBatch;
import io.sluice.core.segment.BucketRange;
import io.sluice.core.segment.EncodedSegment;
import io.sluice.core.segment.SegmentWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Encodes a group of writes into one segment: per bucket (of a partition), the members' rows in
 * member order, as one batch (a bucket only one member writes to is encoded from that member's rows
 * as they are; several are appended buffer by buffer), and each member's place within every
 * bucket's part.
 */
final class GroupSegment {
  private GroupSegment() {}

  /** The group ready to commit, and each member's rows within its parts, in member order. */
  record Encoded(CommitGroup group, List<List<PlanMember.Range>> ranges) {}

  private record Source(int member, VectorSchemaRoot rows) {}

  static Encoded encode(List<PendingWrite> members, String planKey, BufferAllocator allocator) {
    PendingWrite first = members.get(0);
    Map<PartitionBucket, List<Source>> byBucket = new TreeMap<>();
    for (int m = 0; m < members.size(); m++) {
      for (Map.Entry<PartitionBucket, VectorSchemaRoot> part : members.get(m).parts().entrySet()) {
        byBucket
            .computeIfAbsent(part.getKey(), b -> new ArrayList<>())
            .add(new Source(m, part.getValue()));
      }
    }
    List<List<PlanMember.Range>> ranges = new ArrayList<>();
    members.forEach(m -> ranges.add(new ArrayList<>()));
    List<BucketBatch> batches = new ArrayList<>();
    List<VectorSchemaRoot> appended = new ArrayList<>();
    // A segment names its parts by number: the bucket, unless partitions make buckets repeat.
    boolean byBucketNumber = byBucket.keySet().stream().allMatch(b -> b.partition().isEmpty());
    Map<Integer, PartitionBucket> numbered = new TreeMap<>();
    try {
      for (Map.Entry<PartitionBucket, List<Source>> bucket : byBucket.entrySet()) {
        PartitionBucket key = bucket.getKey();
        List<Source> sources = bucket.getValue();
        long start = 0;
        for (Source source : sources) {
          long count = source.rows().getRowCount();
          ranges
              .get(source.member())
              .add(new PlanMember.Range(key.partition(), key.bucket(), start, count));
          start += count;
        }
        int number = byBucketNumber ? key.bucket() : numbered.size();
        numbered.put(number, key);
        VectorSchemaRoot rows;
        if (sources.size() == 1) {
          rows = sources.get(0).rows();
        } else {
          rows = ArrowConcat.concat(sources.stream().map(Source::rows).toList(), allocator);
          appended.add(rows);
        }
        batches.add(new BucketBatch(number, first.schemaId(), rows));
      }
      EncodedSegment segment = SegmentWriter.encode(batches);
      List<CommitGroup.Part> parts = new ArrayList<>();
      for (BucketRange range : segment.buckets()) {
        PartitionBucket key = numbered.get(range.bucket());
        parts.add(
            new CommitGroup.Part(
                key.partition(), key.bucket(), range.offset(), range.length(), range.rows()));
      }
      List<CommitGroup.Member> committed = new ArrayList<>();
      for (int m = 0; m < members.size(); m++) {
        committed.add(
            new CommitGroup.Member(
                members.get(m).claimKey(), members.get(m).bodyHash(), ranges.get(m)));
      }
      return new Encoded(
          new CommitGroup(
              first.tableId(), first.schemaId(), planKey, segment.bytes(), parts, committed),
          ranges);
    } finally {
      appended.forEach(VectorSchemaRoot::close);
    }
  }
}
