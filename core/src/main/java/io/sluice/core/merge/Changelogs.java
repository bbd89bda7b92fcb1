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

  /** The Arrow schema of changes to rows of these columns. */
  public static Schema schema(List<Column> columns) {
    List<Field> fields = new ArrayList<>();
    fields.add(ArrowSchemas.field(new Column(CHANGE_TYPE, DataType.of(TypeKind.STRING), false)));
    columns.stream().map(ArrowSchemas::field).forEach(fields::add);
    return new Schema(fields);
  }
}
