package io.sluice.core.tiering;

/**
 * Named steps of the background work where a test setting halts the JVM, as a kill -9 or a lost
 * machine would, so that tests can prove what a crash at each step leaves behind.
 *
 * <p>The system property {@code sluice.crash-at} names one step, optionally with how many times it
 * is passed before the halt ({@code tiering.bucket-written:3}); unset, every step is passed.
 */
public final class CrashPoints {
  /** After one bucket's rows went to the lake write (its files may still be open). */
  public static final String BUCKET_WRITTEN = "tiering.bucket-written";

  /** After a lake write's data files are complete, before its commit is attempted. */
  public static final String LAKE_FILES_WRITTEN = "tiering.lake-files-written";

  /** After the lake commit, before the tiering state is recorded in the metadata store. */
  public static final String LAKE_COMMITTED = "tiering.lake-committed";

  /** After the tiering state is recorded, before the buckets' tiering marks are cleared. */
  public static final String STATE_RECORDED = "tiering.state-recorded";

  private static final String SETTING = System.getProperty("sluice.crash-at", "");
  private static final String NAME = SETTING.replaceAll(":.*", "");
  private static final int AT =
      SETTING.contains(":") ? Integer.parseInt(SETTING.substring(SETTING.indexOf(':') + 1)) : 1;
  private static int passed;

  private CrashPoints() {}

  /** Halts the JVM (exit status 137) when this is the step, and the time, the setting names. */
  public static void reach(String step) {
    if (!NAME.equals(step)) {
      return;
    }
    synchronized (CrashPoints.class) {
      if (++passed >= AT) {
        System.err.println("Crash point " + step + " reached: halting (sluice.crash-at)");
        Runtime.getRuntime().halt(137);
      }
    }
  }
}
