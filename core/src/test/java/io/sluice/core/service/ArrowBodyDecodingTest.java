package io.sluice.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Arrow IPC bodies as a careless or hostile client sends them: every answer is the rows, or a
 * caller error naming the problem; never an allocation the body's size does not allow.
 */
class ArrowBodyDecodingTest {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", DataType.of(TypeKind.BIGINT), false),
          new Column("name", DataType.of(TypeKind.STRING), true),
          new Column("amount", DataType.decimal(12, 2), true),
          new Column("ok", DataType.of(TypeKind.BOOLEAN), true),
          new Column("raw", DataType.of(TypeKind.BINARY), true),
          new Column("t", DataType.of(TypeKind.TIMESTAMP), true));
  private static final TableDefinition TABLE =
      TableDefinition.builder().columns(COLUMNS).buckets(2).build("Cannot create table t");

  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
    allocator.close();
  }

  @Test
  void decodesAPlainAndAZstdCompressedBody() {
    for (CompressionUtil.CodecType codec :
        List.of(CompressionUtil.CodecType.NO_COMPRESSION, CompressionUtil.CodecType.ZSTD)) {
      try (VectorSchemaRoot rows = decode(body(rows(50), codec))) {
        assertThat(rows.getRowCount()).isEqualTo(50);
        assertThat(rows.getVector("name").getObject(7).toString()).isEqualTo("name 7");
      }
    }
  }

  @Test
  void decodesABodyOfSeveralRecordBatchesInOrder() {
    List<Object[]> rows = rows(30);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (VectorSchemaRoot first = ArrowTestBatches.of(allocator, COLUMNS, rows.subList(0, 10));
        VectorSchemaRoot second = ArrowTestBatches.of(allocator, COLUMNS, rows.subList(10, 30));
        VectorSchemaRoot sent = VectorSchemaRoot.create(first.getSchema(), allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(sent, null, Channels.newChannel(out))) {
      writer.start();
      for (VectorSchemaRoot batch : List.of(first, second)) {
        try (var recordBatch = new org.apache.arrow.vector.VectorUnloader(batch).getRecordBatch()) {
          new org.apache.arrow.vector.VectorLoader(sent).load(recordBatch);
        }
        writer.writeBatch();
      }
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    try (VectorSchemaRoot decoded = decode(out.toByteArray())) {
      assertThat(decoded.getRowCount()).isEqualTo(30);
      for (int i = 0; i < 30; i++) {
        assertThat(decoded.getVector("id").getObject(i)).isEqualTo((long) i);
        assertThat(
                decoded.getVector("name").getObject(i) == null
                    ? null
                    : decoded.getVector("name").getObject(i).toString())
            .isEqualTo(rows.get(i)[1]);
      }
    }
  }

  @Test
  void everySingleBitFlipIsReadOrRefusedAsACallerError() {
    byte[] body = body(rows(3), CompressionUtil.CodecType.NO_COMPRESSION);
    int decoded = 0;
    for (int bit = 0; bit < body.length * 8; bit++) {
      byte[] flipped = body.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      decoded += decodedOrRefused(flipped, "bit " + bit);
    }
    assertThat(decoded).as("flips in values still decode").isPositive();
  }

  @Test
  void randomLengthsWrittenAnywhereAreRefusedAsCallerErrors() {
    Random random = new Random(42);
    for (CompressionUtil.CodecType codec :
        List.of(CompressionUtil.CodecType.NO_COMPRESSION, CompressionUtil.CodecType.ZSTD)) {
      byte[] body = body(rows(20), codec);
      for (int attempt = 0; attempt < 3000; attempt++) {
        byte[] mutated = body.clone();
        int at = random.nextInt(body.length - 8) & ~3;
        ByteBuffer view = ByteBuffer.wrap(mutated).order(ByteOrder.LITTLE_ENDIAN);
        switch (random.nextInt(4)) {
          case 0 -> view.putInt(at, random.nextInt());
          case 1 -> view.putInt(at, Integer.MAX_VALUE - random.nextInt(16));
          case 2 -> view.putLong(at, random.nextLong() >>> random.nextInt(40));
          default -> view.putInt(at, -1 - random.nextInt(4));
        }
        decodedOrRefused(mutated, codec + " attempt " + attempt + " at " + at);
      }
    }
  }

  @Test
  void aCompressedBufferClaimingPetabytesIsRefusedBeforeAnythingIsAllocated() {
    byte[] body = body(rows(20), CompressionUtil.CodecType.ZSTD);
    // The first buffer of the first record batch starts the batch's body; its first 8 bytes are
    // the length it claims to decompress to.
    int bodyStart = recordBatchBodyStart(body);
    ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).putLong(bodyStart, 3_377_742_686_978_048L);

    assertThatThrownBy(() -> decode(body))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageContaining("claims 3377742686978048 bytes");
  }

  @Test
  void aMetadataLengthPastTheEndIsRefused() {
    byte[] body = body(rows(2), CompressionUtil.CodecType.NO_COMPRESSION);
    ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0x7ffffff0);

    assertThatThrownBy(() -> decode(body))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageContaining("message 1 declares 2147483632 bytes of metadata");
  }

  /** 1 if the body decoded, 0 if it was refused as a caller error; anything else fails. */
  private int decodedOrRefused(byte[] body, String what) {
    try (VectorSchemaRoot rows = decode(body)) {
      assertThat(rows.getRowCount()).as(what).isLessThan(1 << 16);
      return 1;
    } catch (MalformedBodyException | SchemaMismatchException e) {
      assertThat(e.getMessage()).as(what).isNotBlank();
      return 0;
    } catch (RuntimeException | Error e) {
      throw new AssertionError(what + ": not a caller error: " + e, e);
    } finally {
      assertThat(allocator.getAllocatedMemory()).as(what + ": nothing leaks").isZero();
    }
  }

  private VectorSchemaRoot decode(byte[] body) {
    return RowBodyDecoder.decode(new RowBody(RowFormat.ARROW, body), TABLE, allocator);
  }

  private static List<Object[]> rows(int count) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(
          new Object[] {
            (long) i,
            i % 5 == 4 ? null : "name " + i,
            BigDecimal.valueOf(i * 125L, 2),
            i % 2 == 0,
            new byte[] {(byte) i, 1, 2},
            Instant.parse("2026-11-25T08:00:00Z").plusSeconds(i)
          });
    }
    return rows;
  }

  private byte[] body(List<Object[]> rows, CompressionUtil.CodecType codec) {
    try (VectorSchemaRoot root = ArrowTestBatches.of(allocator, COLUMNS, rows)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArrowStreamWriter writer =
          new ArrowStreamWriter(
              root,
              new DictionaryProvider.MapDictionaryProvider(),
              Channels.newChannel(out),
              IpcOption.DEFAULT,
              codec == CompressionUtil.CodecType.NO_COMPRESSION
                  ? NoCompressionCodec.Factory.INSTANCE
                  : CommonsCompressionFactory.INSTANCE,
              codec)) {
        writer.start();
        writer.writeBatch();
        writer.end();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }
  }

  /** Where the first record batch's body starts: after the schema and the batch's metadata. */
  private static int recordBatchBodyStart(byte[] body) {
    ByteBuffer view = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
    int position = 0;
    for (int message = 0; message < 2; message++) {
      position += 4; // continuation marker
      int length = view.getInt(position);
      position += 4 + length;
    }
    return position;
  }
}
