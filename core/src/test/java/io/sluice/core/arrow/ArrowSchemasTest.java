package io.sluice.core.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class ArrowSchemasTest {
  private static final TableDefinition TABLE = JsonRowDecoderTest.TABLE;

  @Test
  void mapsEveryType() {
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.BOOLEAN)))
        .isEqualTo(ArrowType.Bool.INSTANCE);
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.TINYINT)))
        .isEqualTo(new ArrowType.Int(8, true));
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.SMALLINT)))
        .isEqualTo(new ArrowType.Int(16, true));
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.INT)))
        .isEqualTo(new ArrowType.Int(32, true));
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.BIGINT)))
        .isEqualTo(new ArrowType.Int(64, true));
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.FLOAT)))
        .isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.DOUBLE)))
        .isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
    assertThat(ArrowSchemas.arrowType(DataType.decimal(12, 2)))
        .isEqualTo(new ArrowType.Decimal(12, 2, 128));
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.STRING)))
        .isEqualTo(ArrowType.Utf8.INSTANCE);
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.BINARY)))
        .isEqualTo(ArrowType.Binary.INSTANCE);
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.DATE)))
        .isEqualTo(new ArrowType.Date(DateUnit.DAY));
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.TIMESTAMP)))
        .isEqualTo(new ArrowType.Timestamp(TimeUnit.MICROSECOND, null));
    assertThat(ArrowSchemas.arrowType(DataType.of(TypeKind.TIMESTAMP_LTZ)))
        .isEqualTo(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"));
  }

  @Test
  void buildsTheSchemaInColumnOrderWithNullability() {
    Schema schema = ArrowSchemas.schema(TABLE);
    assertThat(schema.getFields())
        .extracting(Field::getName)
        .containsExactlyElementsOf(TABLE.columns().stream().map(Column::name).toList());
    assertThat(schema.findField("id").isNullable()).isFalse();
    assertThat(schema.findField("name").isNullable()).isTrue();
    assertThat(schema.findField("amount").getType()).isEqualTo(new ArrowType.Decimal(12, 2, 128));
  }

  @Test
  void acceptsTheTablesOwnSchemaInAnyOrderAndWithFewerNullableFields() {
    ArrowSchemas.checkCompatible(ArrowSchemas.schema(TABLE), TABLE);
    List<Field> reversed = new ArrayList<>(ArrowSchemas.schema(TABLE).getFields());
    java.util.Collections.reverse(reversed);
    ArrowSchemas.checkCompatible(new Schema(reversed), TABLE);
    ArrowSchemas.checkCompatible(
        new Schema(List.of(field("id", new ArrowType.Int(64, true), true))), TABLE);
  }

  @Test
  void refusesAWrongType() {
    Schema given =
        new Schema(
            List.of(
                field("id", new ArrowType.Int(64, true), false),
                field("amount", new ArrowType.Decimal(12, 3, 128), true)));
    assertThatThrownBy(() -> ArrowSchemas.checkCompatible(given, TABLE))
        .isInstanceOfSatisfying(
            SchemaMismatchException.class,
            e -> {
              assertThat(e.column()).isEqualTo("amount");
              assertThat(e.row()).isZero();
            })
        .hasMessage(
            "column amount: expected decimal(12,2) (Arrow Decimal(12, 2, 128)), got Decimal(12, 3, 128)");
    Schema millis =
        new Schema(
            List.of(
                field("id", new ArrowType.Int(64, true), false),
                field("at", new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC"), true)));
    assertThatThrownBy(() -> ArrowSchemas.checkCompatible(millis, TABLE))
        .hasMessage(
            "column at: expected timestamp_ltz (Arrow Timestamp(MICROSECOND, UTC)), got Timestamp(MILLISECOND, UTC)");
  }

  @Test
  void refusesAnUnknownFieldUnlessReserved() {
    Schema given =
        new Schema(
            List.of(
                field("id", new ArrowType.Int(64, true), false),
                field("_op", ArrowType.Utf8.INSTANCE, false)));
    assertThatThrownBy(() -> ArrowSchemas.checkCompatible(given, TABLE))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessage("column _op: not a column of the table");
    ArrowSchemas.checkCompatible(given, TABLE, Set.of("_op"));
  }

  @Test
  void refusesAMissingNonNullColumn() {
    Schema given = new Schema(List.of(field("name", ArrowType.Utf8.INSTANCE, true)));
    assertThatThrownBy(() -> ArrowSchemas.checkCompatible(given, TABLE))
        .isInstanceOfSatisfying(
            SchemaMismatchException.class, e -> assertThat(e.column()).isEqualTo("id"))
        .hasMessage("column id: expected bigint (not nullable), got no field");
  }

  @Test
  void findsNullsInNonNullColumns() {
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot root =
            VectorSchemaRoot.create(
                new Schema(List.of(field("id", new ArrowType.Int(64, true), true))), allocator)) {
      BigIntVector id = (BigIntVector) root.getVector("id");
      id.allocateNew(3);
      id.set(0, 1);
      id.setNull(1);
      id.set(2, 3);
      root.setRowCount(3);
      assertThatThrownBy(() -> ArrowSchemas.checkNoNulls(root, TABLE))
          .isInstanceOfSatisfying(
              SchemaMismatchException.class, e -> assertThat(e.row()).isEqualTo(2))
          .hasMessage("row 2: column id: expected bigint, got null (the column is not nullable)");
    }
  }

  private static Field field(String name, ArrowType type, boolean nullable) {
    return new Field(name, new FieldType(nullable, type, null), List.of());
  }
}
