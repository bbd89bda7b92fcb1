package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeFormatFactory;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.table.LakeFormatName;
import java.time.Clock;

/** Apache Paimon, found through {@link java.util.ServiceLoader}. */
public final class PaimonLakeFormatFactory implements LakeFormatFactory {

  @Override
  public LakeFormatName name() {
    return LakeFormatName.PAIMON;
  }

  @Override
  public LakeFormat create(LakeSettings settings) {
    return new PaimonLakeFormat(settings, Clock.systemUTC());
  }
}
