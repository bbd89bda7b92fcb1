package io.sluice.core.bucket;

import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Chooses a table's bucket function: its first lake format's, or an even spread. */
public final class BucketFunctions {
  private static final Map<LakeFormatName, BucketFunctionFactory> FACTORIES = load();

  private BucketFunctions() {}

  private static Map<LakeFormatName, BucketFunctionFactory> load() {
    Map<LakeFormatName, BucketFunctionFactory> factories = new EnumMap<>(LakeFormatName.class);
    for (BucketFunctionFactory factory : ServiceLoader.load(BucketFunctionFactory.class)) {
      factories.put(factory.format(), factory);
    }
    return factories;
  }

  /**
   * The bucket function of a table: rows of a table without a bucket key are spread evenly;
   * otherwise the bucketing format's own function places them.
   *
   * @throws IllegalStateException when that format's adapter is not on the classpath
   */
  public static BucketFunction of(TableDefinition definition) {
    if (definition.bucketKey().isEmpty()) {
      return evenSpread(definition.buckets());
    }
    BucketFunctionFactory factory = FACTORIES.get(definition.bucketingFormat());
    if (factory == null) {
      throw new IllegalStateException(
          "Cannot bucket rows for "
              + definition.bucketingFormat().apiName()
              + ": its lake adapter (sluice-lake-adapters) is not on the classpath");
    }
    return factory.create(definition);
  }

  /**
   * Spreads rows evenly over time: each batch goes whole to one bucket (one slice, one head update
   * per write), the next batch to the next bucket, starting at a random one.
   */
  static BucketFunction evenSpread(int buckets) {
    AtomicInteger next = new AtomicInteger(ThreadLocalRandom.current().nextInt(buckets));
    return batch -> {
      int[] result = new int[batch.getRowCount()];
      Arrays.fill(result, Math.floorMod(next.getAndIncrement(), buckets));
      return result;
    };
  }
}
