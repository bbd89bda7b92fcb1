package io.sluice.core.log;

import io.sluice.core.segment.BucketRange;
import java.util.List;

/**
 * A write request ready to commit: the table incarnation, the plan key it commits under, a request
 * id unique to this attempt, the hash of the request body, the schema the rows were encoded with,
 * and the encoded segment with its per-bucket parts.
 */
public record CommitRequest(
    String tableId,
    String planKey,
    String requestId,
    String bodyHash,
    int schemaId,
    byte[] segment,
    List<BucketRange> parts) {
  public CommitRequest {
    parts = List.copyOf(parts);
  }
}
