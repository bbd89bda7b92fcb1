package io.sluice.function.tiering;

import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.log.RecoveryService;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.tiering.LeaseLocks;
import io.sluice.core.tiering.RetentionService;
import io.sluice.core.tiering.ScheduledRun;
import io.sluice.core.tiering.TieringService;
import io.sluice.function.SluiceConfig;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;

/** Wires the lake formats and the tiering, retention and scheduled services from configuration. */
@Singleton
public class LakeServices {
  /** Who this process is when it takes a table's lease. */
  private final String owner = "sluice-" + UUID.randomUUID();

  /**
   * The lake formats on the configured warehouse. Their locks (Paimon's commit lock on an object
   * store) are leases in the metadata store, the one store every process shares.
   */
  @Produces
  @Singleton
  LakeFormats lakeFormats(SluiceConfig config, MetadataStore metadata, Clock clock) {
    SluiceConfig.LakeConfig lake = config.lake();
    String warehouse =
        lake.warehouse()
            .orElse(Path.of(config.dataDir(), "lake").toAbsolutePath().toUri().toString());
    Map<String, String> options = new HashMap<>();
    SluiceConfig.ObjectStoreConfig s3 = config.objectStore();
    s3.endpoint().ifPresent(v -> options.put("s3.endpoint", v));
    s3.region().ifPresent(v -> options.put("s3.region", v));
    s3.accessKey().ifPresent(v -> options.put("s3.access-key", v));
    s3.secretKey().ifPresent(v -> options.put("s3.secret-key", v));
    options.put("s3.path-style", Boolean.toString(s3.pathStyle()));
    options.put("iceberg.catalog", lake.icebergCatalog());
    lake.icebergUri().ifPresent(v -> options.put("iceberg.uri", v));
    return new LakeFormats(
        new LakeSettings(warehouse, options),
        new LeaseLocks(metadata, clock, LeaseLocks.Limits.DEFAULT));
  }

  void closeLakeFormats(@Disposes LakeFormats lakes) {
    lakes.close();
  }

  @Produces
  @Singleton
  TieringService tieringService(
      MetadataStore metadata,
      ObjectStore objects,
      LakeFormats lakes,
      BufferAllocator allocator,
      Clock clock) {
    return new TieringService(
        metadata, objects, lakes, allocator, clock, TieringService.Limits.DEFAULT);
  }

  @Produces
  @Singleton
  ScheduledRun scheduledRun(
      MetadataStore metadata,
      RecoveryService recovery,
      TieringService tiering,
      RetentionService retention,
      Clock clock) {
    return new ScheduledRun(
        metadata, recovery, tiering, retention, clock, owner, ScheduledRun.Intervals.DEFAULT);
  }

  @Produces
  @TieringOwner
  String owner() {
    return owner;
  }
}
