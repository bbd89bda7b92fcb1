package io.sluice.function;

import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.RecoveryService;
import io.sluice.core.merge.ChangelogService;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.scan.ScanService;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.LogReadService;
import io.sluice.core.service.LogWaiter;
import io.sluice.core.service.TableService;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.table.Durations;
import io.sluice.core.tiering.RetentionService;
import io.sluice.core.write.GroupCommitter;
import io.sluice.metadata.dynamodb.DynamoDbMetadataStores;
import io.sluice.metadata.dynamodb.DynamoDbSettings;
import io.sluice.metadata.sqlite.SqliteMetadataStore;
import io.sluice.objectstore.ObjectStores;
import io.sluice.objectstore.S3Settings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/** Wires the stores and core services from {@link SluiceConfig}; the one place that does. */
@Singleton
public class SluiceServices {
  /** Threads that apply the buckets of one write in parallel (blocking store calls). */
  private final ExecutorService commitExecutor =
      Executors.newCachedThreadPool(
          r -> {
            Thread thread = new Thread(r, "sluice-commit");
            thread.setDaemon(true);
            return thread;
          });

  @Produces
  @Singleton
  ObjectStore objectStore(SluiceConfig config) {
    SluiceConfig.ObjectStoreConfig store = config.objectStore();
    String uri =
        store
            .uri()
            .orElse(Path.of(config.dataDir(), "objects").toAbsolutePath().toUri().toString());
    S3Settings.Builder s3 = S3Settings.builder();
    store.endpoint().map(URI::create).ifPresent(s3::endpoint);
    store.region().ifPresent(s3::region);
    if (store.pathStyle()) {
      s3.pathStyleAccess();
    }
    if (store.accessKey().isPresent() && store.secretKey().isPresent()) {
      s3.credentials(store.accessKey().get(), store.secretKey().get());
    }
    return ObjectStores.open(uri, s3.build());
  }

  void closeObjectStore(@Disposes ObjectStore store) {
    store.close();
  }

  @Produces
  @Singleton
  MetadataStore metadataStore(SluiceConfig config) {
    SluiceConfig.MetadataConfig metadata = config.metadata();
    String uri =
        metadata
            .uri()
            .orElse("sqlite:" + Path.of(config.dataDir(), "metadata.db").toAbsolutePath());
    if (uri.startsWith("sqlite:")) {
      return SqliteMetadataStore.open(Path.of(uri.substring("sqlite:".length())));
    }
    if (uri.startsWith("dynamodb:")) {
      DynamoDbSettings.Builder settings =
          DynamoDbSettings.builder(uri.substring("dynamodb:".length())).region(metadata.region());
      metadata.endpoint().map(URI::create).ifPresent(settings::endpoint);
      if (metadata.accessKey().isPresent() && metadata.secretKey().isPresent()) {
        settings.credentials(metadata.accessKey().get(), metadata.secretKey().get());
      }
      if (metadata.createTable()) {
        settings.createTableIfMissing();
      }
      return DynamoDbMetadataStores.open(settings.build());
    }
    throw new IllegalArgumentException(
        "Cannot open metadata store " + uri + ": use sqlite:<file> or dynamodb:<table>");
  }

  void closeMetadataStore(@Disposes MetadataStore store) {
    store.close();
  }

  @Produces
  @Singleton
  BufferAllocator allocator() {
    return new RootAllocator();
  }

  void closeAllocator(@Disposes BufferAllocator allocator) {
    allocator.close();
  }

  @Produces
  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }

  @PreDestroy
  void closeExecutor() {
    commitExecutor.shutdownNow();
  }

  @Produces
  @Singleton
  LogWaiter logWaiter() {
    return new LogWaiter();
  }

  @Produces
  @Singleton
  TableService tableService(
      MetadataStore metadata,
      Clock clock,
      LakeFormats lakes,
      RetentionService retention,
      OffsetsFiles offsetsFiles) {
    return new TableService(
        metadata, clock, LakeWiring.ifAdapters(lakes), retention::purgeLog, offsetsFiles);
  }

  /** Where tiering keeps offsets too many for a lake snapshot property, and readers find them. */
  @Produces
  @Singleton
  OffsetsFiles offsetsFiles(ObjectStore objects, Clock clock) {
    return new OffsetsFiles(objects, clock);
  }

  @Produces
  @Singleton
  RetentionService retentionService(MetadataStore metadata, ObjectStore objects, Clock clock) {
    return new RetentionService(metadata, objects, clock, RetentionService.Settings.DEFAULT);
  }

  @Produces
  @Singleton
  AppendService appendService(
      SluiceConfig config,
      TableService tables,
      ObjectStore objects,
      MetadataStore metadata,
      Clock clock,
      BufferAllocator allocator,
      LogWaiter waiter,
      SluiceMetrics metrics) {
    AppendCommitter committer =
        new AppendCommitter(
            objects, metadata, commitExecutor, clock, bucket -> metrics.commitConflict());
    SluiceConfig.WriteConfig write = config.write();
    AppendService.Settings settings =
        new AppendService.Settings(
            new GroupCommitter.Settings(
                Durations.parse(write.linger()), write.maxGroupBytes(), write.maxGroupRequests()),
            write.maxQueuedBytes(),
            Durations.parse(write.catalogStaleness()));
    return new AppendService(tables, committer, commitExecutor, allocator, waiter, settings);
  }

  @Produces
  @Singleton
  LogReadService logReadService(
      TableService tables,
      MetadataStore metadata,
      ObjectStore objects,
      LogWaiter waiter,
      BufferAllocator allocator) {
    return new LogReadService(tables, metadata, objects, waiter, allocator);
  }

  @Produces
  @Singleton
  ScanService scanService(
      TableService tables,
      MetadataStore metadata,
      LogReadService reads,
      LakeFormats lakes,
      BufferAllocator allocator) {
    return new ScanService(tables, metadata, reads, LakeWiring.ifAdapters(lakes), allocator);
  }

  @Produces
  @Singleton
  ChangelogService changelogService(
      TableService tables, LogReadService reads, LakeFormats lakes, BufferAllocator allocator) {
    return new ChangelogService(tables, reads, LakeWiring.ifAdapters(lakes), allocator);
  }

  @Produces
  @Singleton
  RecoveryService recoveryService(MetadataStore metadata, Clock clock) {
    return new RecoveryService(metadata, commitExecutor, clock);
  }
}
