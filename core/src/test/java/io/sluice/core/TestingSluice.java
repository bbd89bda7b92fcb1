package io.sluice.core;

import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.bucket.BucketFunction;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.CommitResult;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TestingMetadataStore;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.LogReadService;
import io.sluice.core.service.LogWaiter;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.service.TableService;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import io.sluice.core.tiering.TieringService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Sluice's table, append and log-read services on in-memory stores and a test clock, for tests of
 * what sits on top of them. Closing it fails when Arrow memory leaked.
 */
public final class TestingSluice implements AutoCloseable {
  private final TestingClock clock = new TestingClock(Instant.parse("2026-11-25T08:00:00Z"));
  private final RootAllocator allocator = new RootAllocator();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final TestingMetadataStore metadata = new TestingMetadataStore();
  private final TestingObjectStore objects = new TestingObjectStore();
  private final LogWaiter waiter = new LogWaiter();
  private final TableService tables = new TableService(metadata, clock);
  private final AppendCommitter committer = new AppendCommitter(objects, metadata, executor, clock);
  private final AppendService appends =
      new AppendService(
          tables,
          committer,
          executor,
          allocator,
          waiter,
          AppendService.Settings.DEFAULT,
          TestingSluice::bucketFunction);

  /**
   * The lake's bucket function where its adapter is on the classpath; otherwise, as core's own
   * tests have no adapters, a hash of the bucket key's values.
   */
  public static BucketFunction bucketFunction(TableDefinition definition) {
    try {
      return BucketFunctions.of(definition);
    } catch (IllegalStateException e) {
      return batch -> {
        int[] buckets = new int[batch.getRowCount()];
        for (int row = 0; row < buckets.length; row++) {
          List<Object> key = new ArrayList<>();
          for (String column : definition.bucketKey()) {
            key.add(ArrowValues.get(batch.getVector(column), row));
          }
          buckets[row] = Math.floorMod(key.hashCode(), definition.buckets());
        }
        return buckets;
      };
    }
  }

  public TestingClock clock() {
    return clock;
  }

  public BufferAllocator allocator() {
    return allocator;
  }

  public TestingMetadataStore metadata() {
    return metadata;
  }

  public TestingObjectStore objects() {
    return objects;
  }

  public TableService tables() {
    return tables;
  }

  /** Creates a table from its API definition. */
  public TableEntry create(TableName name, String definitionJson) {
    return tables.create(name, TableDefinitionJson.parse("create", definitionJson)).table();
  }

  /** Appends a JSON array of rows as one write. */
  public CommitResult append(TableName name, String jsonRows) {
    return appends.append(
        name,
        new RowBody(RowFormat.JSON, jsonRows.getBytes(StandardCharsets.UTF_8)),
        Optional.empty());
  }

  /** Log reads through {@code objects} (such as a wrapper of {@link #objects()}). */
  public LogReadService reads(ObjectStore objects) {
    return new LogReadService(tables, metadata, objects, waiter, allocator);
  }

  /** Log reads through {@code metadata} and {@code objects} (such as wrappers of this one's). */
  public LogReadService reads(MetadataStore metadata, ObjectStore objects) {
    return new LogReadService(tables, metadata, objects, waiter, allocator);
  }

  /** Tiering into {@code lakes}, with no limit a test reaches. */
  public TieringService tiering(LakeFormats lakes) {
    return new TieringService(
        metadata,
        objects,
        lakes,
        allocator,
        clock,
        new TieringService.Limits(1_000_000, Duration.ofMinutes(5)));
  }

  @Override
  public void close() {
    executor.shutdownNow();
    allocator.close();
  }
}
