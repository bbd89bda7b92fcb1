package io.sluice.core.table;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One entry of {@code partitionBy}: a source column and the transform deriving the value. */
public record PartitionField(String column, PartitionTransform transform) {
  private static final Pattern COLUMN = Pattern.compile("[^\\s(),]+");
  private static final Pattern TRANSFORMED =
      Pattern.compile("\\s*([A-Za-z_]+)\\s*\\(\\s*([^\\s(),]+)\\s*\\)\\s*");

  public PartitionField {
    if (column == null || transform == null) {
      throw new NullPointerException(
          "Cannot define a partition field without column and transform");
    }
  }

  /** The identity of a column: its value is the partition value. */
  public static PartitionField identity(String column) {
    return new PartitionField(column, PartitionTransform.IDENTITY);
  }

  /**
   * The name of this field in partition names: the column for the identity, {@code
   * <column>_<transform>} otherwise, e.g. {@code t_day}.
   */
  public String name() {
    return transform == PartitionTransform.IDENTITY ? column : column + "_" + transform.apiName();
  }

  /** The entry as {@code partitionBy} writes it: {@code day(t)} or {@code region}. */
  public String apiForm() {
    return transform == PartitionTransform.IDENTITY
        ? column
        : transform.apiName() + "(" + column + ")";
  }

  @Override
  public String toString() {
    return apiForm();
  }

  /**
   * Parses a {@code partitionBy} entry: a column name, or {@code year(c)}, {@code month(c)}, {@code
   * day(c)} or {@code hour(c)} (transform names case-insensitively). Whether the column exists and
   * takes the transform is the table definition's check.
   *
   * @throws IllegalArgumentException naming the entry and what is wrong with it
   */
  public static PartitionField parse(String apiForm) {
    Matcher transformed = TRANSFORMED.matcher(apiForm);
    if (transformed.matches()) {
      String name = transformed.group(1).toLowerCase(Locale.ROOT);
      for (PartitionTransform transform : PartitionTransform.values()) {
        if (transform.isTimeTransform() && transform.apiName().equals(name)) {
          return new PartitionField(transformed.group(2), transform);
        }
      }
      throw new IllegalArgumentException(
          "partitionBy entry '"
              + apiForm
              + "' has unknown transform '"
              + transformed.group(1)
              + "' (expected year, month, day or hour, or a column name alone)");
    }
    String trimmed = apiForm.trim();
    if (COLUMN.matcher(trimmed).matches()) {
      return identity(trimmed);
    }
    throw new IllegalArgumentException(
        "partitionBy entry '"
            + apiForm
            + "' is neither a column name nor year(c), month(c), day(c) or hour(c)");
  }
}
