package io.sluice.client;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * An error of the Sluice API, or the failure to get an answer from it: the HTTP status (0 when no
 * answer came), the API's error {@code code}, its message, and the row and column it names.
 *
 * <p>Codes are those of API.md ({@code SCHEMA_MISMATCH}, {@code TABLE_NOT_FOUND}, ...), plus two of
 * the client's own when no answer explains the failure: {@code UNREACHABLE} (the request could not
 * be sent or its answer was lost) and {@code UNEXPECTED_ANSWER} (an answer that does not follow the
 * API).
 */
public class SluiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The client's code for a request that got no answer. */
  public static final String UNREACHABLE = "UNREACHABLE";

  /** The client's code for an answer it cannot read. */
  public static final String UNEXPECTED_ANSWER = "UNEXPECTED_ANSWER";

  private final int status;
  private final String code;
  private final Integer row;
  private final String column;

  public SluiceException(int status, String code, String message, Integer row, String column) {
    this(status, code, message, row, column, null);
  }

  public SluiceException(
      int status, String code, String message, Integer row, String column, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
    this.row = row;
    this.column = column;
  }

  /** The HTTP status of the answer, or 0 when there was none. */
  public int status() {
    return status;
  }

  /** The API's error code, such as {@code SCHEMA_MISMATCH}. */
  public String code() {
    return code;
  }

  /** The row (counting from 1 in its request) the error names, if any. */
  public OptionalInt row() {
    return row == null ? OptionalInt.empty() : OptionalInt.of(row);
  }

  /** The column the error names, if any. */
  public Optional<String> column() {
    return Optional.ofNullable(column);
  }

  @Override
  public String toString() {
    return "SluiceException: " + (status == 0 ? "" : status + " ") + code + ": " + getMessage();
  }
}
