package io.sluice.lake.iceberg;

import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.merge.ChangeType;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.tiering.CrashPoints;
import io.sluice.lake.changes.ChangeBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Logger;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.DeleteFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.BaseTaskWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.PartitionedFanoutWriter;
import org.apache.iceberg.io.UnpartitionedWriter;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.PropertyUtil;

/**
 * One tiering run's write into an Iceberg table: rows become Parquet data files through Iceberg's
 * own partitioned writer (log bucket b lands in partition {@code bucket = b} when Iceberg places
 * the rows; otherwise Iceberg regroups them), a primary-key table's changes data rows and equality
 * deletes, then one commit (an append, or a row delta with the deletes) on top of the run's base
 * snapshot, fenced by {@link FencedTableOperations} and the catalog's compare-and-set, with the
 * offsets, table id and lease epoch in the snapshot summary.
 */
final class IcebergLakeWrite implements LakeWrite {
  private static final Logger LOG = Logger.getLogger(IcebergLakeWrite.class.getName());

  private final Table table;
  private final OffsetsFiles offsetsFiles;
  private final String tableId;
  private final TableDefinition definition;
  private final Long baseSnapshotId;
  private final long epoch;
  private final boolean aligned;
  private final Schema schema;
  private final List<Types.NestedField> keyFields;
  private final Schema keySchema;
  private final Set<PartitionBucket> changedBuckets = new HashSet<>();
  private final Map<PartitionKey, EqualityDeleteWriter<Record>> deleteWriters =
      new LinkedHashMap<>();
  private OutputFileFactory outputs;
  private BaseTaskWriter<Record> writer;
  private List<DataFile> files;
  private List<DeleteFile> deletes = List.of();
  private final List<String> dropped = new ArrayList<>();
  private int bucket;
  private boolean commitAttempted;
  private boolean mayBeCommitted;
  private LakeSnapshot committed;

  IcebergLakeWrite(
      Table table,
      String tableId,
      TableDefinition definition,
      Optional<LakeSnapshot> base,
      long epoch,
      OffsetsFiles offsetsFiles) {
    this.table = table;
    this.offsetsFiles = offsetsFiles;
    this.tableId = tableId;
    this.definition = definition;
    this.baseSnapshotId = base.map(LakeSnapshot::snapshotId).orElse(null);
    this.epoch = epoch;
    this.schema = table.schema();
    this.keyFields = definition.primaryKey().stream().map(name -> schema.findField(name)).toList();
    this.keySchema = new Schema(keyFields);
    this.aligned = IcebergSchemas.isAligned(definition);
    base.ifPresent(
        b -> {
          if (b.format() != LakeFormatName.ICEBERG) {
            throw new IllegalArgumentException(
                "Cannot write to Iceberg table "
                    + table.name()
                    + " on top of a "
                    + b.format()
                    + " snapshot");
          }
        });
  }

  /**
   * @throws IllegalArgumentException when the rows do not fit the table, or (when Iceberg places
   *     the rows) a row's bucket key puts it in another Iceberg bucket than {@code bucket}
   * @throws IllegalStateException for a table with a primary key, whose changes go to {@link
   *     #writeChanges}
   */
  @Override
  public void write(String partition, int bucket, VectorSchemaRoot rows) {
    if (definition.hasPrimaryKey()) {
      throw new IllegalStateException(
          "Cannot write rows to Iceberg table "
              + table.name()
              + ": it has a primary key; write its changes with writeChanges");
    }
    checkWritable(bucket);
    IcebergRecords records = new IcebergRecords(table.name(), schema, definition, rows);
    this.bucket = bucket;
    try {
      BaseTaskWriter<Record> out = writer();
      for (int row = 0; row < rows.getRowCount(); row++) {
        out.write(records.record(row));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write rows of bucket " + bucket + " to Iceberg table " + table.name(), e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Per key, in offset order: when its first record is a retraction ({@code update_before} or
   * {@code delete}), the table holds the key, and an equality delete on the primary key removes it;
   * when its last record is an {@code insert} or {@code update_after}, that row is added as a data
   * row. The commit puts both in one snapshot, where the delete applies only to data files of
   * earlier snapshots (lower data sequence numbers), never to the rows added with it.
   *
   * @throws IllegalArgumentException as {@link #write} does, or when the batch has no valid {@value
   *     io.sluice.core.merge.Changelogs#CHANGE_TYPE} column
   * @throws IllegalStateException when the table has no primary key, or this write already took the
   *     changes of {@code bucket}
   */
  @Override
  public void writeChanges(String partition, int bucket, VectorSchemaRoot changes) {
    if (!definition.hasPrimaryKey()) {
      throw new IllegalStateException(
          "Cannot write changes to Iceberg table "
              + table.name()
              + ": it has no primary key; write its rows with write");
    }
    checkWritable(bucket);
    if (!changedBuckets.add(new PartitionBucket(partition, bucket))) {
      throw new IllegalStateException(
          "Cannot write changes to Iceberg table %s: this write already took those of %s"
              .formatted(table.name(), new PartitionBucket(partition, bucket)));
    }
    ChangeBatch batch = ChangeBatch.of(changes, "Iceberg table " + table.name());
    IcebergRecords records = new IcebergRecords(table.name(), schema, definition, batch.rows());
    this.bucket = bucket;
    Map<List<Object>, KeyChanges> byKey = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      GenericRecord record = records.record(i);
      ChangeType type = batch.type(i);
      byKey
          .computeIfAbsent(keyOf(record), k -> new KeyChanges(type.isRetraction(), record))
          .last(type, record);
    }
    try {
      for (KeyChanges key : byKey.values()) {
        if (key.held) {
          delete(key.first);
        }
        if (!key.lastType.isRetraction()) {
          writer().write(key.last);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write changes of bucket " + bucket + " to Iceberg table " + table.name(), e);
    }
  }

  /** What one key's records in a batch come to: whether the table held it, and its last row. */
  private static final class KeyChanges {
    final boolean held;
    final GenericRecord first;
    ChangeType lastType;
    GenericRecord last;

    KeyChanges(boolean held, GenericRecord first) {
      this.held = held;
      this.first = first;
    }

    KeyChanges last(ChangeType type, GenericRecord record) {
      lastType = type;
      last = record;
      return this;
    }
  }

  private List<Object> keyOf(GenericRecord record) {
    List<Object> key = new ArrayList<>(keyFields.size());
    keyFields.forEach(field -> key.add(record.getField(field.name())));
    return key;
  }

  /** Adds an equality delete of the record's key, in the record's partition. */
  private void delete(GenericRecord record) {
    PartitionSpec spec = table.spec();
    PartitionKey partition = new PartitionKey(spec, schema);
    partition.partition(new InternalRecordWrapper(schema.asStruct()).wrap(record));
    checkAligned(partition);
    EqualityDeleteWriter<Record> out =
        deleteWriters.computeIfAbsent(
            partition.copy(),
            key ->
                deleteAppenders()
                    .newEqDeleteWriter(
                        outputs().newOutputFile(spec, key), FileFormat.PARQUET, key));
    GenericRecord keyRecord = GenericRecord.create(keySchema);
    keyFields.forEach(field -> keyRecord.setField(field.name(), record.getField(field.name())));
    out.write(keyRecord);
  }

  private GenericAppenderFactory deleteAppenders() {
    int[] ids = keyFields.stream().mapToInt(Types.NestedField::fieldId).toArray();
    return new GenericAppenderFactory(schema, table.spec(), ids, keySchema, null)
        .setAll(table.properties());
  }

  /**
   * {@inheritDoc}
   *
   * <p>The commit is then a delete by row filter on each partition's source columns (a time range
   * per time field, equality per identity field), which drops whole data and delete files of the
   * partitions, with the snapshot summary tiering sets.
   */
  @Override
  public void dropPartitions(Collection<String> partitions) {
    if (!definition.isPartitioned()) {
      throw new IllegalStateException(
          "Cannot drop partitions of Iceberg table " + table.name() + ": it is not partitioned");
    }
    if (writer != null || !deleteWriters.isEmpty() || files != null) {
      throw new IllegalStateException(
          "Cannot drop partitions in a write to Iceberg table "
              + table.name()
              + " that holds rows");
    }
    dropped.addAll(partitions);
  }

  private void checkWritable(int bucket) {
    if (!dropped.isEmpty()) {
      throw new IllegalStateException(
          "Cannot write to Iceberg table " + table.name() + ": this write drops partitions");
    }
    if (files != null) {
      throw new IllegalStateException(
          "Cannot write to Iceberg table " + table.name() + ": this write was already committed");
    }
    if (bucket < 0 || bucket >= definition.buckets()) {
      throw new IllegalArgumentException(
          "Cannot write to Iceberg table %s: bucket %d is not in 0..%d"
              .formatted(table.name(), bucket, definition.buckets() - 1));
    }
  }

  @Override
  public LakeSnapshot commit(Map<PartitionBucket, Long> offsets) {
    if (committed != null) {
      if (!committed.offsets().equals(offsets)) {
        throw new IllegalStateException(
            "Cannot commit to Iceberg table %s: this write already committed offsets %s, not %s"
                .formatted(table.name(), committed.offsets(), offsets));
      }
      return committed;
    }
    List<DataFile> written = complete();
    CrashPoints.reach(CrashPoints.LAKE_FILES_WRITTEN);
    TableOperations ops = ((HasTableOperations) table).operations();
    TableMetadata current;
    try {
      current = ops.refresh();
    } catch (RuntimeException e) {
      throw new CommitStateUnknownException(
          "Cannot commit to Iceberg table " + table.name() + ": cannot read its current state", e);
    }
    Optional<Snapshot> tiered = IcebergSnapshots.latestTiered(current, tableId);
    Long tieredId = tiered.map(Snapshot::snapshotId).orElse(null);
    if (!Objects.equals(tieredId, baseSnapshotId)) {
      if (tiered.isPresent() && isThisRun(tiered.get(), offsets)) {
        // An earlier attempt of this epoch committed and its answer was lost: that is the result.
        committed = IcebergSnapshots.of(tiered.get(), offsetsFiles);
        if (!commitAttempted) {
          deleteFiles(written);
          deleteFiles(deletes);
        }
        return committed;
      }
      throw new CommitConflictException(
          "Cannot commit to Iceberg table %s: its newest tiered snapshot is %s, not the base %s this run started from"
              .formatted(table.name(), tieredId, baseSnapshotId));
    }
    FencedTableOperations fenced = new FencedTableOperations(ops, tableId, baseSnapshotId);
    BaseTable fencedTable = new BaseTable(fenced, table.name());
    SnapshotUpdate<?> append;
    if (!dropped.isEmpty()) {
      DeleteFiles delete = fencedTable.newDelete();
      Expression rows = Expressions.alwaysFalse();
      for (String partition : dropped) {
        rows = Expressions.or(rows, IcebergSchemas.partitionRows(definition, partition));
      }
      delete.deleteFromRowFilter(rows);
      append = delete;
    } else if (deletes.isEmpty()) {
      AppendFiles files = fencedTable.newAppend();
      written.forEach(files::appendFile);
      append = files;
    } else {
      // One snapshot: the deletes get its data sequence number, so they spare the rows added here.
      RowDelta delta = fencedTable.newRowDelta();
      written.forEach(delta::addRows);
      deletes.forEach(delta::addDeletes);
      append = delta;
    }
    offsetsFiles.properties(tableId, LakeFormatName.ICEBERG, offsets).forEach(append::set);
    append.set(LakeSnapshot.TABLE_ID_PROPERTY, tableId);
    append.set(IcebergSnapshots.EPOCH_PROPERTY, Long.toString(epoch));
    commitAttempted = true;
    try {
      append.commit();
    } catch (CommitFailedException e) {
      throw new CommitConflictException(
          "Cannot commit to Iceberg table " + table.name() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // Iceberg's CommitStateUnknownException, an SQL or IO failure: the update may have landed.
      mayBeCommitted = true;
      throw new CommitStateUnknownException(
          "Cannot tell whether the commit to Iceberg table " + table.name() + " succeeded", e);
    }
    committed = IcebergSnapshots.of(fenced.committed().currentSnapshot(), offsetsFiles);
    return committed;
  }

  /** Whether this run's epoch committed the snapshot with these offsets (a lost answer). */
  private boolean isThisRun(Snapshot snapshot, Map<PartitionBucket, Long> offsets) {
    return IcebergSnapshots.epoch(snapshot).filter(e -> e == epoch).isPresent()
        && IcebergSnapshots.of(snapshot, offsetsFiles).offsets().equals(offsets);
  }

  /** Deletes the data files written, unless a commit may have made them part of the table. */
  @Override
  public void abort() {
    if (mayBeCommitted || committed != null) {
      LOG.warning(
          "Not deleting the files of a write to Iceberg table "
              + table.name()
              + ": its commit may have succeeded");
      return;
    }
    discard();
  }

  /** Closes the writer; deletes its files only when no commit was ever attempted with them. */
  @Override
  public void close() {
    if (!commitAttempted && committed == null) {
      discard();
    }
  }

  private void discard() {
    try {
      if (files == null) {
        if (writer != null) {
          writer.abort();
        }
        for (EqualityDeleteWriter<Record> deleteWriter : deleteWriters.values()) {
          deleteWriter.close();
          deleteFiles(List.of(deleteWriter.toDeleteFile()));
        }
      } else {
        deleteFiles(files);
        deleteFiles(deletes);
      }
      files = List.of();
      deletes = List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot delete the files of a write to Iceberg table " + table.name(), e);
    }
  }

  private void deleteFiles(List<? extends ContentFile<?>> written) {
    written.forEach(file -> table.io().deleteFile(file.location()));
  }

  /** Finishes the data files (answered) and the delete files ({@link #deletes}). */
  private List<DataFile> complete() {
    if (files == null) {
      try {
        files = writer == null ? List.of() : Arrays.asList(writer.complete().dataFiles());
        List<DeleteFile> finished = new ArrayList<>();
        for (EqualityDeleteWriter<Record> deleteWriter : deleteWriters.values()) {
          deleteWriter.close();
          finished.add(deleteWriter.toDeleteFile());
        }
        deletes = finished;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot finish the data files of a write to Iceberg table " + table.name(), e);
      }
    }
    return files;
  }

  private OutputFileFactory outputs() {
    if (outputs == null) {
      outputs =
          OutputFileFactory.builderFor(table, 0, 0)
              .format(FileFormat.PARQUET)
              .operationId("sluice-e" + epoch + "-" + UUID.randomUUID())
              .build();
    }
    return outputs;
  }

  private BaseTaskWriter<Record> writer() {
    if (writer != null) {
      return writer;
    }
    PartitionSpec spec = table.spec();
    GenericAppenderFactory appenders =
        new GenericAppenderFactory(schema, spec).setAll(table.properties());
    OutputFileFactory outputs = outputs();
    long targetSize =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    if (spec.isUnpartitioned()) {
      writer =
          new UnpartitionedWriter<>(
              spec, FileFormat.PARQUET, appenders, outputs, table.io(), targetSize);
    } else {
      PartitionKey key = new PartitionKey(spec, schema);
      InternalRecordWrapper wrapper = new InternalRecordWrapper(schema.asStruct());
      writer =
          new PartitionedFanoutWriter<>(
              spec, FileFormat.PARQUET, appenders, outputs, table.io(), targetSize) {
            @Override
            protected PartitionKey partition(Record record) {
              key.partition(wrapper.wrap(record));
              checkAligned(key);
              return key;
            }
          };
    }
    return writer;
  }

  private void checkAligned(PartitionKey key) {
    if (aligned) {
      Integer partition = key.get(IcebergSchemas.bucketPosition(definition), Integer.class);
      if (partition == null || partition != bucket) {
        throw new IllegalArgumentException(
            "Cannot write a row of log bucket %d to Iceberg table %s: Iceberg's partition spec %s puts it in bucket %s"
                .formatted(bucket, table.name(), table.spec(), partition));
      }
    }
  }
}
