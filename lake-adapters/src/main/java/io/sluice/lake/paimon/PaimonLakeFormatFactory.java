package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeFormatFactory;
import io.sluice.core.lake.LakeLocks;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.table.LakeFormatName;
import java.time.Clock;
import java.util.Optional;

/** Apache Paimon, found through {@link java.util.ServiceLoader}. */
public final class PaimonLakeFormatFactory implements LakeFormatFactory {

  @Override
  public LakeFormatName name() {
    return LakeFormatName.PAIMON;
  }

  /** A format for a local warehouse; one on an object store refuses to open without locks. */
  @Override
  public LakeFormat create(LakeSettings settings) {
    return new PaimonLakeFormat(settings, Clock.systemUTC());
  }

  /** A format that commits under {@code locks} when the warehouse is on an object store. */
  @Override
  public LakeFormat create(LakeSettings settings, LakeLocks locks) {
    return new PaimonLakeFormat(settings, locks, Clock.systemUTC());
  }

  @Override
  public LakeFormat create(
      LakeSettings settings, Optional<LakeLocks> locks, OffsetsFiles offsetsFiles) {
    return new PaimonLakeFormat(settings, locks, offsetsFiles, Clock.systemUTC());
  }
}
