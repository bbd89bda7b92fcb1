package io.sluice.function;

import io.sluice.core.lake.LakeFormatFactory;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.tiering.LeaseLocks;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Wires the lake formats from configuration, for every function that is packaged with lake adapters
 * (read and tiering) and, once, for the local server that holds all three. A function packaged
 * without them (write) still gets a {@link LakeFormats}, but {@link #ifAdapters} hands the services
 * none, so it never opens a lake and never needs the lake's permissions.
 */
@Singleton
public class LakeWiring {

  /**
   * The lake formats on the configured warehouse. Their locks (Paimon's commit lock on an object
   * store) are leases in the metadata store, the one store every process shares.
   */
  @Produces
  @Singleton
  LakeFormats lakeFormats(
      SluiceConfig config, MetadataStore metadata, OffsetsFiles offsetsFiles, Clock clock) {
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
        Optional.of(new LeaseLocks(metadata, clock, LeaseLocks.Limits.DEFAULT)),
        offsetsFiles);
  }

  void closeLakeFormats(@Disposes LakeFormats lakes) {
    lakes.close();
  }

  /** The lake formats, when at least one lake adapter is on the classpath; otherwise none. */
  static Optional<LakeFormats> ifAdapters(LakeFormats lakes) {
    return ServiceLoader.load(LakeFormatFactory.class).findFirst().isPresent()
        ? Optional.of(lakes)
        : Optional.empty();
  }
}
