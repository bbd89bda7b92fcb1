package io.sluice.core.metadata;

import java.time.Instant;

/**
 * Who may run a table's exclusive work (tiering) and until when; {@code epoch} grows by one on
 * every grant and fences out every earlier holder.
 */
public record Lease(String tableId, String owner, long epoch, Instant expiresAt) {}
