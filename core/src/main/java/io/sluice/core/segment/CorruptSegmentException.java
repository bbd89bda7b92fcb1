package io.sluice.core.segment;

/** A segment object that is not what it must be: truncated, damaged, or of another format. */
public class CorruptSegmentException extends RuntimeException {
  private final String key;

  /**
   * @param key the object key, or null when it is not known
   * @param problem what is wrong, e.g. {@code footer checksum mismatch}
   */
  public CorruptSegmentException(String key, String problem) {
    this(key, problem, null);
  }

  public CorruptSegmentException(String key, String problem, Throwable cause) {
    super(
        (key == null ? "Cannot read segment: " : "Cannot read segment " + key + ": ") + problem,
        cause);
    this.key = key;
  }

  /** The object key, or null when it is not known. */
  public String key() {
    return key;
  }
}
