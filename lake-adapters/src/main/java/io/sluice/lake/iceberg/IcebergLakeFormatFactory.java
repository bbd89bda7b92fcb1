package io.sluice.lake.iceberg;

import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeFormatFactory;
import io.sluice.core.lake.LakeLocks;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.table.LakeFormatName;
import java.time.Clock;
import java.util.Optional;

/** Apache Iceberg, found through {@link java.util.ServiceLoader}. */
public final class IcebergLakeFormatFactory implements LakeFormatFactory {

  @Override
  public LakeFormatName name() {
    return LakeFormatName.ICEBERG;
  }

  @Override
  public LakeFormat create(LakeSettings settings) {
    return new IcebergLakeFormat(settings, Clock.systemUTC());
  }

  /** Iceberg takes no locks: its catalogs commit atomically. */
  @Override
  public LakeFormat create(
      LakeSettings settings, Optional<LakeLocks> locks, OffsetsFiles offsetsFiles) {
    return new IcebergLakeFormat(settings, offsetsFiles, Clock.systemUTC());
  }
}
