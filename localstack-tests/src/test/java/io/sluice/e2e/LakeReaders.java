package io.sluice.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.options.Options;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.source.ReadBuilder;

/**
 * Reads the lake tables with Paimon's and Iceberg's own readers, as an engine would, on the
 * warehouse and S3 endpoint of the functions' configuration ({@code SLUICE_*} variables).
 */
final class LakeReaders {
  private LakeReaders() {}

  static long paimonRows(Map<String, String> env, String database, String table) throws Exception {
    Options options = new Options();
    options.set("warehouse", env.get("SLUICE_LAKE_WAREHOUSE") + "/paimon");
    options.set("s3.endpoint", env.get("SLUICE_OBJECT_STORE_ENDPOINT"));
    options.set("s3.endpoint.region", env.get("SLUICE_OBJECT_STORE_REGION"));
    options.set("s3.access-key", env.get("SLUICE_OBJECT_STORE_ACCESS_KEY"));
    options.set("s3.secret-key", env.get("SLUICE_OBJECT_STORE_SECRET_KEY"));
    options.set("s3.path.style.access", "true");
    try (Catalog catalog = CatalogFactory.createCatalog(CatalogContext.create(options))) {
      Table lake = catalog.getTable(Identifier.create(database, table));
      ReadBuilder read = lake.newReadBuilder();
      long rows = 0;
      try (RecordReader<InternalRow> reader =
          read.newRead().createReader(read.newScan().plan().splits())) {
        RecordReader.RecordIterator<InternalRow> batch;
        while ((batch = reader.readBatch()) != null) {
          while (batch.next() != null) {
            rows++;
          }
          batch.releaseBatch();
        }
      }
      return rows;
    }
  }

  static long icebergRows(Map<String, String> env, String database, String table)
      throws IOException {
    try (JdbcCatalog catalog = new JdbcCatalog()) {
      catalog.setConf(new Configuration());
      catalog.initialize(
          "sluice",
          Map.of(
              CatalogProperties.URI,
              env.get("SLUICE_LAKE_ICEBERG_URI"),
              CatalogProperties.WAREHOUSE_LOCATION,
              env.get("SLUICE_LAKE_WAREHOUSE") + "/iceberg",
              JdbcCatalog.PROPERTY_PREFIX + "init-catalog-tables",
              "false",
              CatalogProperties.FILE_IO_IMPL,
              "org.apache.iceberg.aws.s3.S3FileIO",
              "s3.endpoint",
              env.get("SLUICE_OBJECT_STORE_ENDPOINT"),
              "s3.path-style-access",
              "true",
              "s3.access-key-id",
              env.get("SLUICE_OBJECT_STORE_ACCESS_KEY"),
              "s3.secret-access-key",
              env.get("SLUICE_OBJECT_STORE_SECRET_KEY"),
              "client.region",
              env.get("SLUICE_OBJECT_STORE_REGION")));
      var lake = catalog.loadTable(TableIdentifier.of(Namespace.of(database), table));
      long rows = 0;
      try (CloseableIterable<Record> records = IcebergGenerics.read(lake).build()) {
        for (Record ignored : records) {
          rows++;
        }
      }
      return rows;
    }
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(path)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }
}
