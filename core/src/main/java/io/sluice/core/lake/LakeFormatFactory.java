package io.sluice.core.lake;

import io.sluice.core.table.LakeFormatName;

/** Makes a {@link LakeFormat}; found through {@link java.util.ServiceLoader}. */
public interface LakeFormatFactory {

  /** The format this factory makes. */
  LakeFormatName name();

  /** Opens the format's catalog under the settings' warehouse; touches no network until used. */
  LakeFormat create(LakeSettings settings);
}
