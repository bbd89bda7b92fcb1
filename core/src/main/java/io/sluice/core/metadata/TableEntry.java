package io.sluice.core.metadata;

import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.time.Instant;

/**
 * A table in the catalog: its name, the id of this incarnation, its current definition and schema
 * id (1 for the definition it was created with, then one more per evolution).
 */
public record TableEntry(
    TableName name, String tableId, TableDefinition definition, int schemaId, Instant createdAt) {}
