package io.sluice.lake.paimon;

import static io.sluice.lake.paimon.PaimonTestLake.ALL_TYPES;
import static io.sluice.lake.paimon.PaimonTestLake.definition;
import static io.sluice.lake.paimon.PaimonTestLake.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.core.TestingClock;
import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeLocks;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import io.sluice.core.tiering.LeaseLocks;
import io.sluice.core.tiering.LeaseManager;
import io.sluice.lake.TestWarehouse;
import io.sluice.lake.TestWarehouse.Storage;
import io.sluice.lake.paimon.PaimonTestLake.ReadRow;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paimon on an object store (s3proxy) commits under a lock held in the metadata store: the lock is
 * taken around every snapshot commit and schema change, a commit waits for another holder, is
 * refused (and writes nothing) when the lock stays held past the timeout, takes over the lock of a
 * holder that died once it expired, and of two racing commits on the same base exactly one lands.
 */
class PaimonCommitLockTest {
  private static final int BUCKETS = 3;
  private static final String LOCK = "paimon-lock:db.events";
  private static final Duration TTL = Duration.ofMinutes(1);

  @TempDir Path dir;
  private BufferAllocator allocator;
  private final List<TestWarehouse> warehouses = new ArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Random random = new Random(17);
  private long nextId;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    warehouses.forEach(TestWarehouse::close);
    allocator.close();
  }

  private TestWarehouse warehouse(Storage storage) {
    TestWarehouse warehouse = TestWarehouse.create(storage, dir.resolve(storage.name()));
    warehouses.add(warehouse);
    return warehouse;
  }

  /** Locks that record the name of every lock taken. */
  private static final class RecordingLocks implements LakeLocks {
    private final LakeLocks delegate;
    private final List<String> taken = Collections.synchronizedList(new ArrayList<>());

    RecordingLocks(LakeLocks delegate) {
      this.delegate = delegate;
    }

    @Override
    public <T> T callWithLock(String name, Callable<T> action) throws Exception {
      return delegate.callWithLock(
          name,
          () -> {
            taken.add(name);
            return action.call();
          });
    }
  }

  @Test
  void takesTheLockAroundEverySnapshotCommitAndSchemaChangeOnlyOnAnObjectStore() throws Exception {
    Map<Storage, List<String>> taken = new HashMap<>();
    for (Storage storage : Storage.values()) {
      TestWarehouse warehouse = warehouse(storage);
      RecordingLocks locks = new RecordingLocks(warehouse.locks());
      PaimonTestLake lake = new PaimonTestLake(warehouse, Map.of());
      List<Column> columns = List.of(ALL_TYPES.get(0), ALL_TYPES.get(1));
      TableDefinition definition = definition(columns, List.of("k"), BUCKETS);
      try (LakeFormat format = new PaimonLakeFormatFactory().create(lake.settings, locks)) {
        LakeTable table = format.createOrLoad(entry("id-1", definition));
        LakeSnapshot first = tier(table, definition, Optional.empty(), 1, 10);
        TableDefinition evolved =
            definition(
                List.of(
                    columns.get(0),
                    columns.get(1),
                    new Column("note", DataType.of(TypeKind.STRING), true)),
                List.of("k"),
                BUCKETS);
        table.evolve(evolved);
        tier(table, evolved, Optional.of(first), 2, 10);
      }
      taken.put(storage, List.copyOf(locks.taken));
    }

    assertThat(taken.get(Storage.S3))
        .as("create table, two snapshot commits, one schema change")
        .containsExactly(LOCK, LOCK, LOCK, LOCK);
    assertThat(taken.get(Storage.LOCAL)).as("a local rename is atomic: no lock").isEmpty();
  }

  @Test
  void aCommitWaitsForAnotherHolderOfTheLockUntilItReleases() throws Exception {
    TestWarehouse warehouse = warehouse(Storage.S3);
    PaimonTestLake lake = new PaimonTestLake(warehouse, Map.of());
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
    try (LakeFormat format = lake.format()) {
      LakeTable table = format.createOrLoad(entry("id-1", definition));
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch letGo = new CountDownLatch(1);
      Future<Object> holder =
          threads.submit(
              () ->
                  warehouse
                      .locks()
                      .callWithLock(
                          LOCK,
                          () -> {
                            held.countDown();
                            return letGo.await(60, TimeUnit.SECONDS);
                          }));
      assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();

      Future<LakeSnapshot> commit =
          threads.submit(() -> tier(table, definition, Optional.empty(), 1, 30));
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(10))
          .until(() -> !commit.isDone() && lake.paimonTable().latestSnapshot().isEmpty());

      letGo.countDown();

      assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo(true);
      LakeSnapshot committed = commit.get(30, TimeUnit.SECONDS);
      assertThat(committed.rows()).isEqualTo(30);
      assertThat(table.latestTiered()).contains(committed);
      assertThat(PaimonTestLake.readAll(lake.paimonTable())).hasSize(30);
    }
  }

  @Test
  void aCommitIsRefusedWhileTheLockIsHeldPastTheTimeoutAndTakesOverOnceItExpired()
      throws Exception {
    TestWarehouse warehouse = warehouse(Storage.S3);
    TestingClock clock = new TestingClock(Instant.now());
    LeaseLocks impatient =
        warehouse.locks(new LeaseLocks.Limits(TTL, Duration.ofMillis(200)), clock);
    PaimonTestLake lake = new PaimonTestLake(warehouse, Map.of());
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
    try (LakeFormat format = new PaimonLakeFormat(lake.settings, impatient, Clock.systemUTC())) {
      LakeTable table = format.createOrLoad(entry("id-1", definition));
      // Another writer took the lock and died holding it.
      Lease died =
          new LeaseManager(warehouse.metadata(), clock).acquire(LOCK, "died", TTL).orElseThrow();

      LakeWrite refused = table.newWrite(Optional.empty(), 1);
      Map<Integer, Long> offsets = write(refused, definition, rows(20));
      assertThatThrownBy(() -> refused.commit(LogOffsets.ofBuckets(offsets)))
          .isInstanceOf(CommitConflictException.class)
          .hasMessage(
              "Cannot commit epoch 1 to Paimon table db.events on base (none): Cannot acquire"
                  + " lock %s within PT0.2S: it is held by died until %s"
                      .formatted(LOCK, died.expiresAt()));
      refused.abort();
      refused.close();
      assertThat(table.snapshots()).as("nothing committed").isEmpty();
      assertThat(lake.dataFilesOnDisk()).as("the refused write's files are deleted").isEmpty();

      clock.advance(TTL.plusSeconds(1));
      LakeSnapshot committed = tier(table, definition, Optional.empty(), 2, 25);

      assertThat(committed.rows()).isEqualTo(25);
      assertThat(table.snapshots()).containsExactly(committed);
      assertThat(PaimonTestLake.readAll(lake.paimonTable())).hasSize(25);
      assertThat(warehouse.metadata().lease(LOCK).orElseThrow().epoch())
          .as("taken over, then released")
          .isGreaterThan(died.epoch());
    }
  }

  @Test
  void ofTwoRunsCommittingOnTheSameBaseAtOnceExactlyOneLands() throws Exception {
    TestWarehouse warehouse = warehouse(Storage.S3);
    PaimonTestLake lake = new PaimonTestLake(warehouse, Map.of());
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
    // Two processes: each its own catalog, sharing the metadata store's locks.
    try (LakeFormat first = lake.format();
        LakeFormat second = lake.format()) {
      LakeTable one = first.createOrLoad(entry("id-1", definition));
      LakeTable other = second.createOrLoad(entry("id-1", definition));
      LakeSnapshot base = tier(one, definition, Optional.empty(), 1, 10);
      long epoch = 2;
      int expectedRows = 10;
      for (int round = 0; round < 3; round++) {
        LakeWrite a = one.newWrite(Optional.of(base), epoch++);
        LakeWrite b = other.newWrite(Optional.of(base), epoch++);
        Map<Integer, Long> offsetsA = write(a, definition, rows(7), base.bucketOffsets());
        Map<Integer, Long> offsetsB = write(b, definition, rows(9), base.bucketOffsets());
        CyclicBarrier start = new CyclicBarrier(2);
        Future<LakeSnapshot> commitA = threads.submit(() -> commitAfter(start, a, offsetsA));
        Future<LakeSnapshot> commitB = threads.submit(() -> commitAfter(start, b, offsetsB));

        List<LakeSnapshot> landed = new ArrayList<>();
        List<Exception> refused = new ArrayList<>();
        for (Future<LakeSnapshot> commit : List.of(commitA, commitB)) {
          try {
            landed.add(commit.get(60, TimeUnit.SECONDS));
          } catch (java.util.concurrent.ExecutionException e) {
            refused.add((Exception) e.getCause());
          }
        }
        assertThat(landed).as("round %d: one commit lands", round).hasSize(1);
        assertThat(refused).as("round %d: the other is refused", round).hasSize(1);
        assertThat(refused.get(0))
            .isInstanceOf(CommitConflictException.class)
            .hasMessageContaining(
                "to Paimon table db.events on base snapshot " + base.snapshotId() + ": ");
        (landed.get(0).bucketOffsets().equals(offsetsA) ? b : a).abort();
        a.close();
        b.close();

        expectedRows += landed.get(0).bucketOffsets().equals(offsetsA) ? 7 : 9;
        base = landed.get(0);
        assertThat(one.latestTiered()).contains(base);
        assertThat(base.snapshotId()).as("no snapshot besides the winner's").isEqualTo(round + 2);
        List<ReadRow> read = PaimonTestLake.readAll(lake.paimonTable());
        assertThat(read).hasSize(expectedRows);
        assertThat(read.stream().map(r -> r.row().getLong(0)).distinct()).hasSize(expectedRows);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static LakeSnapshot commitAfter(
      CyclicBarrier start, LakeWrite write, Map<Integer, Long> offsets) throws Exception {
    start.await(30, TimeUnit.SECONDS);
    return write.commit(LogOffsets.ofBuckets(offsets));
  }

  private List<Object[]> rows(int count) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(PaimonTestLake.randomRow(nextId++, random));
    }
    return rows;
  }

  private Map<Integer, Long> write(
      LakeWrite write, TableDefinition definition, List<Object[]> rows) {
    return write(write, definition, rows, Map.of());
  }

  /** Writes rows (of the definition's columns) into their log buckets; the end offsets. */
  private Map<Integer, Long> write(
      LakeWrite write, TableDefinition definition, List<Object[]> rows, Map<Integer, Long> from) {
    List<Object[]> values = new ArrayList<>();
    for (Object[] row : rows) {
      values.add(java.util.Arrays.copyOf(row, definition.columns().size()));
    }
    int[] buckets = PaimonTestLake.logBuckets(allocator, definition, values);
    Map<Integer, List<Object[]>> byBucket = new HashMap<>();
    for (int i = 0; i < values.size(); i++) {
      byBucket.computeIfAbsent(buckets[i], b -> new ArrayList<>()).add(values.get(i));
    }
    Map<Integer, Long> offsets = new HashMap<>(from);
    byBucket.forEach(
        (bucket, bucketRows) -> {
          try (VectorSchemaRoot batch =
              ArrowTestBatches.of(allocator, definition.columns(), bucketRows)) {
            write.write(TableBucket.UNPARTITIONED, bucket, batch);
          }
          offsets.merge(bucket, (long) bucketRows.size(), Long::sum);
        });
    return offsets;
  }

  private LakeSnapshot tier(
      LakeTable table,
      TableDefinition definition,
      Optional<LakeSnapshot> base,
      long epoch,
      int count) {
    try (LakeWrite write = table.newWrite(base, epoch)) {
      return write.commit(
          LogOffsets.ofBuckets(
              write(
                  write,
                  definition,
                  rows(count),
                  base.map(LakeSnapshot::bucketOffsets).orElse(Map.of()))));
    }
  }
}
