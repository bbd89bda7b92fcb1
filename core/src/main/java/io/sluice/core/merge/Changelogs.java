package io.sluice.core.merge;

import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TypeKind;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The shape of a primary-key table's changes: a {@code _change_type} string column ({@link
 * ChangeType#apiName()}) followed by the table's columns, each record a whole row.
 */
public final class Changelogs {
  /** The column naming each record's {@link ChangeType}. */
  public static final String CHANGE_TYPE = "_change_type";

  private Changelogs() {}

  /** The column of each changelog record's offset. */
  public static final String OFFSET = "_offset";

  /** The column of each changelog record's commit time. */
  public static final String TIMESTAMP = "_timestamp";

  /**
   * The Arrow schema of changelog records as the API returns them: {@code _change_type}, {@code
   * _offset}, {@code _timestamp}, then the columns.
   */
  public static Schema recordSchema(List<Column> columns) {
    List<Field> fields = new ArrayList<>(schema(List.of()).getFields());
    fields.add(ArrowSchemas.field(new Column(OFFSET, DataType.of(TypeKind.BIGINT), false)));
    fields.add(
        ArrowSchemas.field(new Column(TIMESTAMP, DataType.of(TypeKind.TIMESTAMP_LTZ), false)));
    columns.stream().map(ArrowSchemas::field).forEach(fields::add);
    return new Schema(fields);
  }

  /** The Arrow schema of changes to rows of these columns. */
  public static Schema schema(List<Column> columns) {
    List<Field> fields = new ArrayList<>();
    fields.add(ArrowSchemas.field(new Column(CHANGE_TYPE, DataType.of(TypeKind.STRING), false)));
    columns.stream().map(ArrowSchemas::field).forEach(fields::add);
    return new Schema(fields);
  }
}
