package io.sluice.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.metadata.FailingMetadataStore;
import io.sluice.core.metadata.FailingMetadataStore.Operation;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TestingMetadataStore;
import io.sluice.core.segment.BucketRange;
import io.sluice.core.store.FailingObjectStore;
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.store.TestingObjectStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The commit protocol when a store's answers get lost or a store fails outright. */
class AppendCommitterTest {
  private static final String TABLE = "4b1e2c1a-0000-4000-8000-000000000001";

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final TestingMetadataStore stored = new TestingMetadataStore();
  private final FailingMetadataStore metadata = new FailingMetadataStore(stored);
  private final FailingObjectStore objects = new FailingObjectStore(new TestingObjectStore());
  private final AppendCommitter committer =
      new AppendCommitter(objects, metadata, executor, Clock.systemUTC());

  @AfterEach
  void close() {
    executor.shutdownNow();
  }

  private static CommitRequest request(String key, int... buckets) {
    String requestId = SegmentKeys.newRequestId();
    List<BucketRange> parts =
        java.util.Arrays.stream(buckets)
            .mapToObj(b -> new BucketRange(b, 8 + b * 100L, 100, 10))
            .toList();
    return new CommitRequest(
        TABLE,
        SegmentKeys.planKey(Optional.of(key), requestId),
        requestId,
        SegmentKeys.sha256(key),
        1,
        new byte[512],
        parts);
  }

  private List<Slice> slices(int bucket) {
    return new LogIndex(stored).slices(TABLE, bucket, 0).slices();
  }

  @Test
  void lostAnswersOfEveryWriteStillCommitEachBucketOnce() {
    objects.loseNextPutAnswers(1);
    metadata
        .loseNextAnswers(Operation.PUT_PLAN, 1)
        .loseNextAnswers(Operation.APPEND_SLICE, 2)
        .loseNextAnswers(Operation.COMPLETE_PLAN, 1);

    CommitResult result = committer.commit(request("k1", 0, 1));

    assertThat(result.buckets())
        .extracting(CommitResult.BucketOffsets::baseOffset)
        .containsExactly(0L, 0L);
    assertThat(slices(0)).hasSize(1);
    assertThat(slices(1)).hasSize(1);
    assertThat(stored.plan(TABLE, request("k1").planKey()).orElseThrow().status())
        .isEqualTo(PlanStatus.DONE);
  }

  @Test
  void aStoreFailureAfterThePlanLeavesItForRecoveryAndARetryGetsTheSameAnswer() {
    metadata.failNext(
        Operation.APPEND_SLICE, 1, () -> new StoreUnavailableException("dynamo is down", null));
    CommitRequest first = request("k2", 2);
    assertThatThrownBy(() -> committer.commit(first))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("dynamo is down");
    assertThat(stored.pendingPlans(TABLE)).hasSize(1);
    assertThat(slices(2)).isEmpty();

    CommitResult retried = committer.commit(request("k2", 2));

    assertThat(retried.buckets()).extracting(CommitResult.BucketOffsets::bucket).containsExactly(2);
    assertThat(slices(2)).extracting(Slice::requestId).containsExactly(first.requestId());
    assertThat(stored.pendingPlans(TABLE)).isEmpty();
  }

  @Test
  void anObjectStoreFailureWritesNoPlan() {
    objects.failNext(
        FailingObjectStore.Operation.PUT,
        1,
        () -> new StoreUnavailableException("s3 is down", null));

    assertThatThrownBy(() -> committer.commit(request("k3", 0)))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("s3 is down");
    assertThat(stored.plans(TABLE)).isEmpty();
    assertThat(slices(0)).isEmpty();
  }
}
