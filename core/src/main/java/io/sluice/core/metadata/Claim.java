package io.sluice.core.metadata;

import java.time.Instant;

/**
 * An idempotency key's claim, keyed by {@code (tableId, claimKey)}: the plan that carries the
 * request sent with that key. A put-if-absent of the claim decides which of two requests with one
 * key writes; a claim whose plan was aborted or is gone is free to be taken over.
 */
public record Claim(String tableId, String claimKey, String planKey, Instant createdAt) {}
