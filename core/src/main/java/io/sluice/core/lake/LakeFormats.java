package io.sluice.core.lake;

import io.sluice.core.table.LakeFormatName;
import java.util.EnumMap;
import java.util.Map;
import java.util.ServiceLoader;

/** The lake formats on the classpath, opened lazily on one set of {@link LakeSettings}. */
public final class LakeFormats implements AutoCloseable {
  private final LakeSettings settings;
  private final Map<LakeFormatName, LakeFormatFactory> factories =
      new EnumMap<>(LakeFormatName.class);
  private final Map<LakeFormatName, LakeFormat> opened = new EnumMap<>(LakeFormatName.class);

  /** The formats given, already opened (the caller wires them). */
  public static LakeFormats of(LakeFormat... formats) {
    LakeFormats lakes = new LakeFormats(null, Map.of());
    for (LakeFormat format : formats) {
      lakes.opened.put(format.name(), format);
    }
    return lakes;
  }

  private LakeFormats(LakeSettings settings, Map<LakeFormatName, LakeFormatFactory> factories) {
    this.settings = settings;
    this.factories.putAll(factories);
  }

  /**
   * The formats whose adapters are on the classpath, opened on first use under {@code settings}.
   */
  public LakeFormats(LakeSettings settings) {
    this.settings = settings;
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
          return factory.create(settings);
        });
  }

  @Override
  public synchronized void close() {
    opened.values().forEach(LakeFormat::close);
    opened.clear();
  }
}
