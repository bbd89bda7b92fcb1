package io.sluice.core.lake;

import io.sluice.core.table.LakeFormatName;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** The lake formats on the classpath, opened lazily on one set of {@link LakeSettings}. */
public final class LakeFormats implements AutoCloseable {
  private final LakeSettings settings;
  private final Optional<LakeLocks> locks;
  private final OffsetsFiles offsetsFiles;
  private final Map<LakeFormatName, LakeFormatFactory> factories =
      new EnumMap<>(LakeFormatName.class);
  private final Map<LakeFormatName, LakeFormat> opened = new EnumMap<>(LakeFormatName.class);

  /** The formats given, already opened (the caller wires them). */
  public static LakeFormats of(LakeFormat... formats) {
    LakeFormats lakes = new LakeFormats(null, Optional.empty(), OffsetsFiles.INLINE, Map.of());
    for (LakeFormat format : formats) {
      lakes.opened.put(format.name(), format);
    }
    return lakes;
  }

  private LakeFormats(
      LakeSettings settings,
      Optional<LakeLocks> locks,
      OffsetsFiles offsetsFiles,
      Map<LakeFormatName, LakeFormatFactory> factories) {
    this.settings = settings;
    this.locks = locks;
    this.offsetsFiles = offsetsFiles;
    this.factories.putAll(factories);
  }

  /**
   * The formats whose adapters are on the classpath, opened on first use under {@code settings},
   * without locks: enough for a local warehouse, refused by a format that needs a lock on an object
   * store.
   */
  public LakeFormats(LakeSettings settings) {
    this(settings, Optional.empty(), OffsetsFiles.INLINE);
  }

  /**
   * The formats whose adapters are on the classpath, opened on first use under {@code settings},
   * taking {@code locks} where their storage needs them (Paimon on an object store).
   */
  public LakeFormats(LakeSettings settings, LakeLocks locks) {
    this(settings, Optional.of(locks), OffsetsFiles.INLINE);
  }

  /**
   * The formats whose adapters are on the classpath, opened on first use under {@code settings},
   * taking {@code locks} where their storage needs them and keeping tiered offsets too many for a
   * snapshot property in {@code offsetsFiles}.
   */
  public LakeFormats(LakeSettings settings, Optional<LakeLocks> locks, OffsetsFiles offsetsFiles) {
    this.settings = settings;
    this.locks = locks;
    this.offsetsFiles = offsetsFiles;
    for (LakeFormatFactory factory : ServiceLoader.load(LakeFormatFactory.class)) {
      factories.put(factory.name(), factory);
    }
  }

  /**
   * The format, opened on first use.
   *
   * @throws IllegalStateException when its adapter is not on the classpath
   */
  public synchronized LakeFormat format(LakeFormatName name) {
    return opened.computeIfAbsent(
        name,
        n -> {
          LakeFormatFactory factory = factories.get(n);
          if (factory == null) {
            throw new IllegalStateException(
                "Cannot open lake format " + n.apiName() + ": its adapter is not on the classpath");
          }
          return factory.create(settings, locks, offsetsFiles);
        });
  }

  @Override
  public synchronized void close() {
    opened.values().forEach(LakeFormat::close);
    opened.clear();
  }
}
