package io.sluice.lake.iceberg;

import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.InternalData;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Keeps an Iceberg table small without changing the rows a reader sees, in three steps (Iceberg
 * core has no actions for them; those live in its Spark module):
 *
 * <ol>
 *   <li>compaction: per partition, data files under {@value #SMALL_FILE_BYTES} bytes are read with
 *       Iceberg's generic Parquet reader and rewritten as one file, committed with {@code
 *       newRewrite()} as a snapshot without offsets (tiering walks past it). Files that delete
 *       files apply to (a primary-key table's updated rows) are left as they are, and delete files
 *       are never rewritten: applying them here is not done yet;
 *   <li>expiry: snapshots older than {@code history.expire.max-snapshot-age-ms} (one hour unless
 *       set) go, keeping at least {@code history.expire.min-snapshots-to-keep} and always every
 *       snapshot from the current one back to the newest one tiering committed; Iceberg deletes the
 *       files only they referenced;
 *   <li>orphans: files under the table's data folder that no remaining snapshot references and that
 *       are older than {@link #ORPHAN_MIN_AGE} (files of failed or abandoned writes).
 * </ol>
 *
 * <p>The orphan age is the one safety margin here that rests on a clock: a write still in flight
 * has files that no snapshot references yet. A run under the tiering lease finishes within the
 * lease (minutes); a day is far beyond it.
 */
final class IcebergMaintenance {
  static final long SMALL_FILE_BYTES = 32L * 1024 * 1024;
  static final Duration DEFAULT_SNAPSHOT_AGE = Duration.ofHours(1);
  static final Duration ORPHAN_MIN_AGE = Duration.ofDays(1);
  static final String OPERATION_PROPERTY = "sluice.operation";

  private final Table table;
  private final String tableId;
  private final Clock clock;

  IcebergMaintenance(Table table, String tableId, Clock clock) {
    this.table = table;
    this.tableId = tableId;
    this.clock = clock;
  }

  void run() {
    compact();
    expireSnapshots();
    deleteOrphanFiles();
  }

  /** Rewrites each partition's small data files as one file; answers how many files went. */
  int compact() {
    table.refresh();
    Snapshot start = table.currentSnapshot();
    if (start == null) {
      return 0;
    }
    List<List<DataFile>> groups = smallFileGroups(start);
    if (groups.isEmpty()) {
      return 0;
    }
    List<DataFile> added = new ArrayList<>();
    // The merged files keep the start's data sequence number: an equality delete committed after
    // the start still applies to their rows (and Iceberg refuses the rewrite if one did meanwhile).
    RewriteFiles rewrite =
        table
            .newRewrite()
            .validateFromSnapshot(start.snapshotId())
            .dataSequenceNumber(start.sequenceNumber());
    int removed = 0;
    try {
      for (List<DataFile> group : groups) {
        DataFile merged = merge(group);
        added.add(merged);
        group.forEach(rewrite::deleteFile);
        rewrite.addFile(merged);
        removed += group.size();
      }
    } catch (RuntimeException e) {
      added.forEach(file -> table.io().deleteFile(file.location()));
      throw e;
    }
    rewrite.set(OPERATION_PROPERTY, "compaction");
    try {
      rewrite.commit();
    } catch (CommitFailedException e) {
      added.forEach(file -> table.io().deleteFile(file.location()));
      throw new CommitConflictException(
          "Cannot compact Iceberg table " + table.name() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CommitStateUnknownException(
          "Cannot tell whether compacting Iceberg table " + table.name() + " succeeded", e);
    }
    return removed;
  }

  /** Per partition of the current spec, the small files in chunks of at least two. */
  private List<List<DataFile>> smallFileGroups(Snapshot snapshot) {
    PartitionSpec spec = table.spec();
    long target =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    Map<String, List<DataFile>> byPartition = new LinkedHashMap<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      Set<String> seen = new HashSet<>();
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        if (task.deletes().isEmpty()
            && file.specId() == spec.specId()
            && file.fileSizeInBytes() < SMALL_FILE_BYTES
            && seen.add(file.location())) {
          byPartition
              .computeIfAbsent(spec.partitionToPath(file.partition()), p -> new ArrayList<>())
              .add(file.copy());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan compaction of " + table.name(), e);
    }
    List<List<DataFile>> groups = new ArrayList<>();
    for (List<DataFile> files : byPartition.values()) {
      files.sort(
          Comparator.comparing(DataFile::dataSequenceNumber, Comparator.nullsFirst(Long::compare))
              .thenComparing(DataFile::location));
      List<DataFile> chunk = new ArrayList<>();
      long size = 0;
      for (DataFile file : files) {
        if (!chunk.isEmpty() && size + file.fileSizeInBytes() > target) {
          addIfSeveral(groups, chunk);
          chunk = new ArrayList<>();
          size = 0;
        }
        chunk.add(file);
        size += file.fileSizeInBytes();
      }
      addIfSeveral(groups, chunk);
    }
    return groups;
  }

  private static void addIfSeveral(List<List<DataFile>> groups, List<DataFile> chunk) {
    if (chunk.size() > 1) {
      groups.add(chunk);
    }
  }

  /** Reads the files' rows in order and writes them as one file of the same partition. */
  private DataFile merge(List<DataFile> files) {
    Schema schema = table.schema();
    PartitionSpec spec = table.spec();
    OutputFileFactory outputs =
        OutputFileFactory.builderFor(table, 0, 0)
            .format(FileFormat.PARQUET)
            .operationId("sluice-compact-" + UUID.randomUUID())
            .build();
    GenericAppenderFactory appenders =
        new GenericAppenderFactory(schema, spec).setAll(table.properties());
    var partition = files.get(0).partition();
    DataWriter<Record> writer =
        appenders.newDataWriter(
            outputs.newOutputFile(spec, partition), FileFormat.PARQUET, partition);
    try (writer) {
      for (DataFile file : files) {
        try (CloseableIterable<StructLike> rows =
            InternalData.read(FileFormat.PARQUET, table.io().newInputFile(file.location()))
                .project(schema)
                .build()) {
          rows.forEach(row -> writer.write(IcebergRecords.fromInternal(schema, row)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot compact files of Iceberg table " + table.name(), e);
    }
    return writer.toDataFile();
  }

  /** Expires old snapshots, never the newest tiered one nor any snapshot after it. */
  void expireSnapshots() {
    table.refresh();
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return;
    }
    int keep =
        Math.max(
            PropertyUtil.propertyAsInt(
                table.properties(),
                TableProperties.MIN_SNAPSHOTS_TO_KEEP,
                TableProperties.MIN_SNAPSHOTS_TO_KEEP_DEFAULT),
            snapshotsUpToLatestTiered(current));
    long maxAge =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.MAX_SNAPSHOT_AGE_MS,
            DEFAULT_SNAPSHOT_AGE.toMillis());
    try {
      table
          .expireSnapshots()
          .expireOlderThan(clock.millis() - maxAge)
          .retainLast(keep)
          .cleanExpiredFiles(true)
          .commit();
    } catch (CommitFailedException e) {
      throw new CommitConflictException(
          "Cannot expire snapshots of Iceberg table " + table.name() + ": " + e.getMessage(), e);
    }
  }

  /** How many snapshots there are from the current one back to the newest tiered one, inclusive. */
  private int snapshotsUpToLatestTiered(Snapshot current) {
    Optional<Snapshot> tiered = IcebergLakeTable.latestTiered(table, tableId);
    if (tiered.isEmpty()) {
      return 1;
    }
    int count = 1;
    for (Snapshot snapshot = current;
        snapshot.snapshotId() != tiered.get().snapshotId();
        snapshot = table.snapshot(snapshot.parentId())) {
      count++;
    }
    return count;
  }

  /**
   * Deletes files under the table's data folder that no snapshot references and that are older than
   * {@link #ORPHAN_MIN_AGE}; answers how many. Does nothing when the file system cannot list.
   */
  int deleteOrphanFiles() {
    if (!(table.io() instanceof SupportsPrefixOperations prefixes)) {
      return 0;
    }
    table.refresh();
    Set<String> referenced = referencedFiles(table.io());
    String dataLocation =
        table
            .properties()
            .getOrDefault(TableProperties.WRITE_DATA_LOCATION, table.location() + "/data");
    long olderThan = clock.millis() - ORPHAN_MIN_AGE.toMillis();
    int deleted = 0;
    try {
      for (FileInfo file : prefixes.listPrefix(dataLocation)) {
        if (file.createdAtMillis() < olderThan
            && !referenced.contains(normalize(file.location()))) {
          table.io().deleteFile(file.location());
          deleted++;
        }
      }
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof java.io.FileNotFoundException) {
        return deleted;
      }
      throw e;
    }
    return deleted;
  }

  /** The data and delete files that any snapshot still in the table references. */
  private Set<String> referencedFiles(FileIO io) {
    Set<String> manifests = new HashSet<>();
    Set<String> files = new HashSet<>();
    try {
      for (Snapshot snapshot : table.snapshots()) {
        for (ManifestFile manifest : snapshot.dataManifests(io)) {
          if (manifests.add(manifest.path())) {
            try (ManifestReader<DataFile> reader =
                ManifestFiles.read(manifest, io, table.specs())) {
              reader.forEach(file -> files.add(normalize(file.location())));
            }
          }
        }
        for (ManifestFile manifest : snapshot.deleteManifests(io)) {
          if (manifests.add(manifest.path())) {
            try (ManifestReader<DeleteFile> reader =
                ManifestFiles.readDeleteManifest(manifest, io, table.specs())) {
              reader.forEach(file -> files.add(normalize(file.location())));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read manifests of " + table.name(), e);
    }
    return files;
  }

  /** A location with {@code file:/x} and {@code file:///x} spelled alike. */
  static String normalize(String location) {
    URI uri = new org.apache.hadoop.fs.Path(location).toUri();
    return uri.getScheme()
        + "://"
        + (uri.getAuthority() == null ? "" : uri.getAuthority())
        + uri.getPath();
  }
}
