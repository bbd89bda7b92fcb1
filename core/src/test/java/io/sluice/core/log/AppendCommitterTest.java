package io.sluice.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.metadata.Claim;
import io.sluice.core.metadata.DelegatingMetadataStore;
import io.sluice.core.metadata.FailingMetadataStore;
import io.sluice.core.metadata.FailingMetadataStore.Operation;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanMember;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TestingMetadataStore;
import io.sluice.core.store.FailingObjectStore;
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.store.TestingObjectStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group commit protocol when a store's answers get lost or a store fails outright. */
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

  /**
   * A group of one member per key, each writing 10 rows to every bucket given: member i's rows come
   * i-th in each part.
   */
  private static CommitGroup group(List<String> keys, int... buckets) {
    List<CommitGroup.Part> parts =
        Arrays.stream(buckets)
            .mapToObj(b -> new CommitGroup.Part("", b, 16 + b * 100L, 100, 10L * keys.size()))
            .toList();
    List<CommitGroup.Member> members = new ArrayList<>();
    for (int m = 0; m < keys.size(); m++) {
      long start = 10L * m;
      members.add(
          new CommitGroup.Member(
              Optional.of(PlanKeys.claimKey(keys.get(m))),
              SegmentKeys.sha256(keys.get(m)),
              Arrays.stream(buckets).mapToObj(b -> new PlanMember.Range(b, start, 10)).toList()));
    }
    return new CommitGroup(
        TABLE, 1, PlanKeys.newPlanKey(Clock.systemUTC().instant()), new byte[512], parts, members);
  }

  private List<Slice> slices(int bucket) {
    return new LogIndex(stored).slices(TableBucket.of(TABLE, bucket), 0).slices();
  }

  private Optional<CommitResult> answer(String key) {
    return committer.existingAnswer(TABLE, PlanKeys.claimKey(key), SegmentKeys.sha256(key));
  }

  @Test
  void lostAnswersOfEveryWriteStillCommitEachBucketOnce() {
    objects.loseNextPutAnswers(1);
    metadata
        .loseNextAnswers(Operation.PUT_PLAN, 1)
        .loseNextAnswers(Operation.PUT_CLAIM, 1)
        .loseNextAnswers(Operation.APPEND_SLICE, 2)
        .loseNextAnswers(Operation.COMPLETE_PLAN, 1);

    Plan done = committer.commit(group(List.of("k1"), 0, 1));

    assertThat(done.status()).isEqualTo(PlanStatus.DONE);
    assertThat(done.parts()).extracting(p -> p.baseOffset()).containsExactly(0L, 0L);
    assertThat(slices(0)).hasSize(1);
    assertThat(slices(1)).hasSize(1);
    assertThat(answer("k1").orElseThrow().buckets())
        .extracting(CommitResult.BucketOffsets::baseOffset)
        .containsExactly(0L, 0L);
  }

  @Test
  void aStoreFailureAfterThePlanLeavesItForRecoveryAndARetryGetsTheSameAnswer() {
    metadata.failNext(
        Operation.APPEND_SLICE, 1, () -> new StoreUnavailableException("dynamo is down", null));
    CommitGroup first = group(List.of("k2"), 2);
    assertThatThrownBy(() -> committer.commit(first))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("dynamo is down");
    assertThat(stored.plan(TABLE, first.planKey()).orElseThrow().status())
        .as("its claim is made, so it can only go forward")
        .isEqualTo(PlanStatus.APPLYING);
    assertThat(slices(2)).isEmpty();

    CommitResult retried = answer("k2").orElseThrow();

    assertThat(retried.buckets()).extracting(CommitResult.BucketOffsets::bucket).containsExactly(2);
    assertThat(slices(2)).extracting(Slice::planKey).containsExactly(first.planKey());
    assertThat(stored.plan(TABLE, first.planKey()).orElseThrow().status())
        .isEqualTo(PlanStatus.DONE);
  }

  @Test
  void anObjectStoreFailureWritesNoPlan() {
    objects.failNext(
        FailingObjectStore.Operation.PUT,
        1,
        () -> new StoreUnavailableException("s3 is down", null));

    assertThatThrownBy(() -> committer.commit(group(List.of("k3"), 0)))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("s3 is down");
    assertThat(stored.plans(TABLE, "", "~", 10)).isEmpty();
    assertThat(slices(0)).isEmpty();
  }

  @Test
  void aGroupWithAKeyAnotherPlanHoldsIsAbortedWholeAndItsOtherKeysAreFreed() {
    Plan first = committer.commit(group(List.of("a"), 0));
    assertThat(first.status()).isEqualTo(PlanStatus.DONE);

    Plan second = committer.commit(group(List.of("b", "a"), 0, 1));

    assertThat(second.status()).isEqualTo(PlanStatus.ABORTED);
    assertThat(stored.plan(TABLE, second.planKey()).orElseThrow().status())
        .isEqualTo(PlanStatus.ABORTED);
    assertThat(slices(0)).extracting(Slice::planKey).containsExactly(first.planKey());
    assertThat(slices(1)).isEmpty();
    assertThat(answer("b")).as("b's claim is free: its plan was aborted").isEmpty();
    assertThat(answer("a").orElseThrow().buckets())
        .extracting(CommitResult.BucketOffsets::baseOffset)
        .containsExactly(0L);

    Plan third = committer.commit(group(List.of("b"), 1));
    assertThat(third.status()).isEqualTo(PlanStatus.DONE);
    assertThat(answer("b").orElseThrow().buckets())
        .extracting(CommitResult.BucketOffsets::bucket)
        .containsExactly(1);
  }

  @Test
  void aKeyReusedWithAnotherBodyIsRefused() {
    committer.commit(group(List.of("c"), 0));

    assertThatThrownBy(() -> committer.existingAnswer(TABLE, PlanKeys.claimKey("c"), "other"))
        .isInstanceOf(IdempotencyKeyReusedException.class)
        .hasMessageContaining("different body");
  }

  @Test
  void aRollerWithAStaleViewOfAClaimCannotAbortAPlanAnotherIsApplying() {
    // "a" was claimed by a plan that was then aborted; a retry's plan took "a" over and started
    // applying, but the store failed at one of its two buckets.
    Plan older = pendingPlan(group(List.of("a"), 5));
    stored.putPlan(older);
    Claim heldByOlder =
        new Claim(TABLE, PlanKeys.claimKey("a"), older.planKey(), older.createdAt());
    stored.putClaim(heldByOlder);
    stored.abortPlan(TABLE, older.planKey());
    Plan retry = pendingPlan(group(List.of("a"), 0, 1));
    stored.putPlan(retry);
    metadata.failNext(
        Operation.APPEND_SLICE, 1, () -> new StoreUnavailableException("dynamo is down", null));
    assertThatThrownBy(() -> new PlanApplier(metadata, Runnable::run).rollForward(retry))
        .isInstanceOf(StoreUnavailableException.class);
    assertThat(slices(0).size() + slices(1).size()).as("one bucket applied").isEqualTo(1);

    // A recovery that read "a"'s claim before the takeover sees the older plan holding it, live.
    MetadataStore staleView =
        new DelegatingMetadataStore(stored) {
          @Override
          public Optional<Claim> claim(String tableId, String claimKey) {
            return Optional.of(heldByOlder);
          }

          @Override
          public Optional<Plan> plan(String tableId, String planKey) {
            return planKey.equals(older.planKey())
                ? Optional.of(older)
                : super.plan(tableId, planKey);
          }
        };
    Plan settled = new PlanApplier(staleView, executor).rollForward(retry);

    assertThat(settled.status()).isEqualTo(PlanStatus.DONE);
    assertThat(stored.plan(TABLE, retry.planKey()).orElseThrow().status())
        .isEqualTo(PlanStatus.DONE);
    assertThat(slices(0)).extracting(Slice::planKey).containsExactly(retry.planKey());
    assertThat(slices(1)).extracting(Slice::planKey).containsExactly(retry.planKey());
  }

  /** The plan a writer puts for {@code group} into empty buckets. */
  private static Plan pendingPlan(CommitGroup group) {
    Instant now = Clock.systemUTC().instant();
    return new Plan(
        TABLE,
        group.planKey(),
        SegmentKeys.segmentKey(TABLE, group.planKey()),
        group.schemaId(),
        now,
        group.parts().stream()
            .map(p -> new PlanPart(p.bucket(), p.rows(), p.offset(), p.length(), 0, -1))
            .toList(),
        group.members().stream()
            .map(m -> new PlanMember(m.claimKey().orElseThrow(), m.bodyHash(), m.ranges()))
            .toList(),
        PlanStatus.PENDING,
        now);
  }
}
