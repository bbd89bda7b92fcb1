package io.sluice.function.tiering;

import io.sluice.core.lake.LakeFormats;
import io.sluice.core.log.RecoveryService;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.tiering.RetentionService;
import io.sluice.core.tiering.ScheduledRun;
import io.sluice.core.tiering.TieringService;
import io.sluice.function.SluiceConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

  @Inject SluiceConfig config;

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
          owner =
              config.scheduler().ownerFile().map(LakeServices::kept).orElseGet(LakeServices::fresh);
        }
        name = owner;
      }
    }
    return name;
  }

  private static String fresh() {
    return "sluice-" + UUID.randomUUID();
  }

  /** The name kept in {@code file}, written there first if there is none yet. */
  private static String kept(String file) {
    Path path = Path.of(file);
    try {
      if (!Files.exists(path)) {
        Files.createDirectories(path.toAbsolutePath().getParent());
        Path written = Files.createTempFile(path.toAbsolutePath().getParent(), "owner", ".tmp");
        Files.writeString(written, fresh());
        Files.move(written, path, StandardCopyOption.ATOMIC_MOVE);
      }
      return Files.readString(path).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot keep the tiering owner's name in " + path, e);
    }
  }
}
