package io.sluice.function.read;

import io.sluice.core.merge.ChangelogService;
import io.sluice.core.scan.ScanOffsetsStore;
import io.sluice.core.scan.ScanService;
import io.sluice.core.service.TableService;
import io.sluice.core.store.ObjectStore;
import io.sluice.function.read.sql.SqlService;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.apache.arrow.memory.BufferAllocator;

/** Wires the read function's own services. */
@Singleton
public class ReadServices {
  @Produces
  @Singleton
  SqlService sqlService(
      TableService tables,
      ScanService scans,
      ChangelogService changelogs,
      BufferAllocator allocator) {
    return new SqlService(tables, scans, changelogs, allocator);
  }

  @Produces
  @Singleton
  ScanOffsetsStore scanOffsetsStore(ObjectStore objects, Clock clock) {
    return new ScanOffsetsStore(objects, clock);
  }
}
