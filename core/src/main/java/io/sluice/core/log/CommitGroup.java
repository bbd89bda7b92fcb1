package io.sluice.core.log;

import io.sluice.core.metadata.PlanMember;
import java.util.List;
import java.util.Optional;

/**
 * A group of write requests ready to commit as one plan: the table incarnation, the schema the rows
 * were encoded with, the plan key chosen for it, the encoded segment with its per-bucket parts, and
 * each member request's rows within those parts, in request order.
 */
public record CommitGroup(
    String tableId,
    int schemaId,
    String planKey,
    byte[] segment,
    List<Part> parts,
    List<Member> members) {

  public CommitGroup {
    parts = List.copyOf(parts);
    members = List.copyOf(members);
  }

  /** One bucket's rows in the segment: {@code [offset, offset + length)}, holding {@code rows}. */
  public record Part(String partition, int bucket, long offset, long length, long rows) {}

  /**
   * One request of the group: the claim key of its {@code Idempotency-Key} (if it had one), the
   * hash of its body, and where its rows lie within the group's parts.
   */
  public record Member(Optional<String> claimKey, String bodyHash, List<PlanMember.Range> ranges) {
    public Member {
      ranges = List.copyOf(ranges);
    }
  }
}
