package io.sluice.bench;

import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The synthetic "orders" rows of the benchmarks: a 10-column table ({@link #COLUMNS}) and batches
 * of it filled deterministically from a {@link Random}.
 *
 * <p>Each benchmark defines its own table from {@link #table()} (primary key or bucket key, bucket
 * count, lake formats) and fills batches with {@link #batch}; the same seed and ids give the same
 * rows whatever the table's keys.
 */
public final class OrderRows {
  /** The columns of the orders table. */
  public static final List<Column> COLUMNS =
      List.of(
          new Column("id", DataType.of(TypeKind.BIGINT), false),
          new Column("customer", DataType.of(TypeKind.STRING), true),
          new Column("amount", DataType.decimal(12, 2), true),
          new Column("event_time", DataType.of(TypeKind.TIMESTAMP), true),
          new Column("quantity", DataType.of(TypeKind.INT), true),
          new Column("price", DataType.of(TypeKind.DOUBLE), true),
          new Column("priority", DataType.of(TypeKind.BOOLEAN), true),
          new Column("order_date", DataType.of(TypeKind.DATE), true),
          new Column("payload", DataType.of(TypeKind.BINARY), true),
          new Column("status", DataType.of(TypeKind.STRING), true));

  private static final String[] FIRST_NAMES = {
    "Ann",
    "Bo",
    "Carmen",
    "Dmitri",
    "Eleanor",
    "Fu",
    "Guadalupe",
    "Hiroshi",
    "Ines",
    "Jean-Baptiste"
  };
  private static final String[] LAST_NAMES = {
    "Li",
    "Smith",
    "Okonkwo",
    "Van der Berg",
    "García Márquez",
    "Nakamura",
    "O'Neil",
    "Schmidt",
    "Andersson-Lindqvist",
    "Ng"
  };
  private static final String[] STATUSES = {
    "pending", "paid", "shipped", "delivered", "cancelled", "refunded", "on_hold"
  };
  private static final long EPOCH_2025_MICROS = 1_735_689_600_000_000L;
  private static final int EPOCH_2025_DAYS = 20_089;
  private static final long DAY_MICROS = 86_400_000_000L;

  private OrderRows() {}

  /**
   * A table builder with the orders columns set; the caller adds the keys, bucket count and lake
   * formats of its benchmark and builds it.
   */
  public static TableDefinition.Builder table() {
    return TableDefinition.builder().columns(COLUMNS);
  }

  /**
   * {@code rows} rows of {@code table} (which must have the orders {@link #COLUMNS}), with ids from
   * {@code firstId} on, drawn from {@code random}: names of varied length, a low-cardinality
   * status, random doubles and 16-48 random payload bytes (which do not compress), and a few nulls
   * in the nullable columns. The caller closes the root.
   */
  public static VectorSchemaRoot batch(
      BufferAllocator allocator, TableDefinition table, Random random, long firstId, int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(ArrowSchemas.schema(table), allocator);
    try {
      root.allocateNew();
      fill(root, random, firstId, rows);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
    return root;
  }

  private static void fill(VectorSchemaRoot root, Random random, long firstId, int rows) {
    BigIntVector id = (BigIntVector) root.getVector("id");
    VarCharVector customer = (VarCharVector) root.getVector("customer");
    DecimalVector amount = (DecimalVector) root.getVector("amount");
    TimeStampMicroVector eventTime = (TimeStampMicroVector) root.getVector("event_time");
    IntVector quantity = (IntVector) root.getVector("quantity");
    Float8Vector price = (Float8Vector) root.getVector("price");
    BitVector priority = (BitVector) root.getVector("priority");
    DateDayVector orderDate = (DateDayVector) root.getVector("order_date");
    VarBinaryVector payload = (VarBinaryVector) root.getVector("payload");
    VarCharVector status = (VarCharVector) root.getVector("status");
    long time = EPOCH_2025_MICROS + (firstId * 7_919L) % DAY_MICROS;
    for (int i = 0; i < rows; i++) {
      id.setSafe(i, firstId + i);
      if (random.nextInt(50) == 0) {
        customer.setNull(i);
      } else {
        String name =
            FIRST_NAMES[random.nextInt(FIRST_NAMES.length)]
                + " "
                + LAST_NAMES[random.nextInt(LAST_NAMES.length)]
                + (random.nextBoolean() ? "" : " #" + random.nextInt(100_000));
        customer.setSafe(i, name.getBytes(StandardCharsets.UTF_8));
      }
      amount.setSafe(i, BigDecimal.valueOf(random.nextInt(10_000_000), 2));
      time += random.nextInt(5_000_000);
      eventTime.setSafe(i, time);
      quantity.setSafe(i, 1 + random.nextInt(20));
      if (random.nextInt(100) == 0) {
        price.setNull(i);
      } else {
        price.setSafe(i, random.nextDouble() * 500);
      }
      priority.setSafe(i, random.nextInt(10) == 0 ? 1 : 0);
      orderDate.setSafe(i, EPOCH_2025_DAYS + (int) ((time - EPOCH_2025_MICROS) / DAY_MICROS));
      byte[] bytes = new byte[16 + random.nextInt(33)];
      random.nextBytes(bytes);
      payload.setSafe(i, bytes);
      status.setSafe(i, STATUSES[random.nextInt(STATUSES.length)].getBytes(StandardCharsets.UTF_8));
    }
    for (FieldVector vector : root.getFieldVectors()) {
      vector.setValueCount(rows);
    }
    root.setRowCount(rows);
  }
}
