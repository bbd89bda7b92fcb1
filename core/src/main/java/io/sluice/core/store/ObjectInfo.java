package io.sluice.core.store;

import java.time.Instant;

/** One listed object: its key, size in bytes and last modification time. */
public record ObjectInfo(String key, long size, Instant lastModified) {}
