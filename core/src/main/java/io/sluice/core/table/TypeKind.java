package io.sluice.core.table;

/** The column types of the HTTP API. */
public enum TypeKind {
  BOOLEAN("boolean"),
  TINYINT("tinyint"),
  SMALLINT("smallint"),
  INT("int"),
  BIGINT("bigint"),
  FLOAT("float"),
  DOUBLE("double"),
  DECIMAL("decimal"),
  STRING("string"),
  BINARY("binary"),
  DATE("date"),
  TIMESTAMP("timestamp"),
  TIMESTAMP_LTZ("timestamp_ltz");

  private final String apiName;

  TypeKind(String apiName) {
    this.apiName = apiName;
  }

  public String apiName() {
    return apiName;
  }
}
