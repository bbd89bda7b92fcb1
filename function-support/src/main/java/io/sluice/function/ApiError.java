package io.sluice.function;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The API's error body: {@code {"error": {"code", "message", "row", "column", ...}}}. */
public record ApiError(Detail error) {

  /** What went wrong; row, column and logStartOffset only where they apply. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Detail(
      String code, String message, Integer row, String column, Long logStartOffset) {}

  public static ApiError of(String code, String message) {
    return new ApiError(new Detail(code, message, null, null, null));
  }
}
