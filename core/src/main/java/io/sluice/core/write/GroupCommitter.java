package io.sluice.core.write;

import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.CommitResult;
import io.sluice.core.log.PlanKeys;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Group commit: the writes of one table (and schema) that arrive while a commit is in flight queue
 * up, and the next commit takes all of them (after an optional linger) into one segment object and
 * one metadata commit. Each write is answered with its own offsets once the group is committed; a
 * write that fails validation never gets here, so it cannot hold up or poison a group.
 */
public final class GroupCommitter {
  /**
   * The most (partition, bucket) parts a group commits: its plan lists them all, and one plan must
   * stay well inside a DynamoDB item (400 KB). A request with more is refused before it queues.
   */
  public static final int MAX_GROUP_PARTS = 1024;

  /** How groups are formed. */
  public record Settings(Duration linger, long maxGroupBytes, int maxGroupMembers) {
    /** No linger; at most 64 MiB of rows and 256 requests in one group. */
    public static final Settings DEFAULT = new Settings(Duration.ZERO, 64L << 20, 256);
  }

  private final AppendCommitter committer;
  private final Executor executor;
  private final BufferAllocator allocator;
  private final Settings settings;
  private final Map<String, TableQueue> queues = new ConcurrentHashMap<>();

  public GroupCommitter(
      AppendCommitter committer, Executor executor, BufferAllocator allocator, Settings settings) {
    this.committer = committer;
    this.executor = executor;
    this.allocator = allocator;
    this.settings = settings;
  }

  /**
   * Queues a write for the next group of its table; its {@link PendingWrite#answer()} completes
   * once the group is committed. The write's rows are closed by the group commit.
   */
  public void submit(PendingWrite write) {
    TableQueue queue =
        queues.computeIfAbsent(write.tableId() + "#" + write.schemaId(), k -> new TableQueue());
    if (queue.add(write)) {
      executor.execute(() -> drain(queue));
    }
  }

  /** How many writes wait for a group commit now, over all tables. */
  public int queued() {
    return queues.values().stream().mapToInt(TableQueue::size).sum();
  }

  /** Commits groups from the queue until it is empty. */
  private void drain(TableQueue queue) {
    for (List<PendingWrite> group = queue.take(settings);
        !group.isEmpty();
        group = queue.take(settings)) {
      commit(group);
    }
  }

  private void commit(List<PendingWrite> taken) {
    String planKey = PlanKeys.newPlanKey(committer.clock().instant());
    List<PendingWrite> group = plannableBefore(taken, planKey);
    if (group.isEmpty()) {
      return;
    }
    try {
      GroupSegment.Encoded encoded;
      try {
        encoded = GroupSegment.encode(group, planKey, allocator);
      } finally {
        group.forEach(PendingWrite::close);
      }
      Plan plan = committer.commit(encoded.group());
      for (int m = 0; m < group.size(); m++) {
        if (plan.status() == PlanStatus.DONE) {
          group.get(m).answer().complete(CommitResult.of(plan, encoded.ranges().get(m)));
        } else {
          group
              .get(m)
              .answer()
              .completeExceptionally(
                  new GroupAbortedException(
                      "Group "
                          + plan.planKey()
                          + " was aborted: another plan holds an idempotency key of it"));
        }
      }
    } catch (RuntimeException | Error e) {
      group.forEach(write -> write.answer().completeExceptionally(e));
    }
  }

  /**
   * The writes of a group whose partitions are all still live when its plan key is made; the others
   * fail, to be tried again (and refused as expired). So every plan with a part in a partition has
   * a key older than the partition's expiry, and once recovery has passed that key, partition
   * retention knows that no plan still to come or still live writes to it (commit-protocol.md,
   * section 11).
   */
  private static List<PendingWrite> plannableBefore(List<PendingWrite> taken, String planKey) {
    Instant planned = PlanKeys.createdAt(planKey);
    List<PendingWrite> group = new ArrayList<>(taken.size());
    for (PendingWrite write : taken) {
      Optional<Instant> expiry = write.expiresAt().map(e -> e.truncatedTo(ChronoUnit.MILLIS));
      if (expiry.isPresent() && !planned.isBefore(expiry.get())) {
        write.close();
        write
            .answer()
            .completeExceptionally(
                new GroupAbortedException(
                    "A partition of the write expired at "
                        + expiry.get()
                        + " while it waited for its group commit"));
      } else {
        group.add(write);
      }
    }
    return group;
  }

  /** The writes of one table waiting for the next group, and whether a commit is draining them. */
  private static final class TableQueue {
    private final Deque<PendingWrite> writes = new ArrayDeque<>();
    private boolean draining;

    /** Adds a write; true when no commit drains the queue yet and the caller must start one. */
    synchronized boolean add(PendingWrite write) {
      writes.add(write);
      notifyAll();
      if (draining) {
        return false;
      }
      draining = true;
      return true;
    }

    /** The next group, waiting up to the linger for more; empty (and not draining) when idle. */
    synchronized List<PendingWrite> take(Settings settings) {
      if (writes.isEmpty()) {
        draining = false;
        return List.of();
      }
      if (!settings.linger().isZero()) {
        long deadline = System.nanoTime() + settings.linger().toNanos();
        for (long left = settings.linger().toNanos();
            left > 0 && bytes() < settings.maxGroupBytes();
            left = deadline - System.nanoTime()) {
          try {
            wait(left / 1_000_000, (int) (left % 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      List<PendingWrite> group = new ArrayList<>();
      long bytes = 0;
      Set<PartitionBucket> parts = new HashSet<>();
      while (!writes.isEmpty()
          && group.size() < settings.maxGroupMembers()
          && (group.isEmpty()
              || (bytes + writes.peek().bytes() <= settings.maxGroupBytes()
                  && fits(parts, writes.peek())))) {
        PendingWrite write = writes.poll();
        bytes += write.bytes();
        parts.addAll(write.buckets());
        group.add(write);
      }
      return group;
    }

    private static boolean fits(Set<PartitionBucket> parts, PendingWrite write) {
      long added = write.buckets().stream().filter(b -> !parts.contains(b)).count();
      return parts.size() + added <= MAX_GROUP_PARTS;
    }

    private long bytes() {
      return writes.stream().mapToLong(PendingWrite::bytes).sum();
    }

    synchronized int size() {
      return writes.size();
    }
  }
}
