package io.sluice.function.tiering;

import io.sluice.core.lake.LakeFormats;
import io.sluice.core.log.RecoveryService;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.tiering.RetentionService;
import io.sluice.core.tiering.ScheduledRun;
import io.sluice.core.tiering.TieringService;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;

/** Wires the tiering and scheduled services; the lake formats come from {@code LakeWiring}. */
@Singleton
public class LakeServices {
  /**
   * Who this process is when it takes a table's lease: chosen on first use, never while the
   * function initialises, so that instances restored from one SnapStart snapshot differ.
   */
  private volatile String owner;

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
        metadata, recovery, tiering, retention, clock, owner(), ScheduledRun.Intervals.DEFAULT);
  }

  @Produces
  @TieringOwner
  String owner() {
    String name = owner;
    if (name == null) {
      synchronized (this) {
        if (owner == null) {
          owner = "sluice-" + UUID.randomUUID();
        }
        name = owner;
      }
    }
    return name;
  }
}
