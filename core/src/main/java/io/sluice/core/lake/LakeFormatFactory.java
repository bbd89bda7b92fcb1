package io.sluice.core.lake;

import io.sluice.core.table.LakeFormatName;
import java.util.Optional;

/** Makes a {@link LakeFormat}; found through {@link java.util.ServiceLoader}. */
public interface LakeFormatFactory {

  /** The format this factory makes. */
  LakeFormatName name();

  /**
   * Opens the format's catalog under the settings' warehouse; touches no network until used. A
   * format that needs {@link LakeLocks} on an object store refuses such a warehouse when it opens
   * its catalog.
   */
  LakeFormat create(LakeSettings settings);

  /**
   * Opens the format's catalog with {@code locks} for the commits its storage cannot make atomic; a
   * format that needs none ignores them.
   */
  default LakeFormat create(LakeSettings settings, LakeLocks locks) {
    return create(settings);
  }

  /**
   * Opens the format's catalog with {@code locks} (if any, as above) and {@code offsetsFiles} for
   * tiered offsets too many to record in a snapshot property.
   */
  LakeFormat create(LakeSettings settings, Optional<LakeLocks> locks, OffsetsFiles offsetsFiles);
}
