package io.sluice.core.store;

/** Checks that object keys stay inside their prefix, whatever produced them. */
public final class ObjectKeys {
  private ObjectKeys() {}

  /**
   * Returns the key when it is a safe relative key.
   *
   * @throws IllegalArgumentException naming the key when it is empty, absolute, or has an empty,
   *     {@code .} or {@code ..} segment, a backslash or a control character
   */
  public static String check(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("Cannot use object key: it is empty");
    }
    if (key.startsWith("/") || key.endsWith("/")) {
      throw new IllegalArgumentException(
          "Cannot use object key " + key + ": it starts or ends with /");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        throw new IllegalArgumentException(
            "Cannot use object key " + key + ": it contains a control character or a backslash");
      }
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "Cannot use object key " + key + ": it has an empty, . or .. segment");
      }
    }
    return key;
  }

  /** Like {@link #check} for a listing prefix, which may be empty or end with {@code /}. */
  public static String checkPrefix(String prefix) {
    if (prefix.isEmpty()) {
      return prefix;
    }
    check(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
    return prefix;
  }
}
