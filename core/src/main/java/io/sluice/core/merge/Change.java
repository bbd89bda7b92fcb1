package io.sluice.core.merge;

import java.time.Instant;

/** One changelog record: the change, the whole row it carries, and the log row that caused it. */
public record Change(ChangeType type, Object[] row, long offset, Instant timestamp) {}
