package io.sluice.core.log;

import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keys of plans and claims. A plan key is {@code p}, the plan's creation time in milliseconds as 12
 * hex digits, then 20 random hex digits: keys sort by creation time, so recovery and GC read the
 * plans made since a remembered key instead of every plan. A claim key is {@code k} and the first
 * 32 hex digits of the SHA-256 of an {@code Idempotency-Key}, so no user text reaches a key.
 */
public final class PlanKeys {
  /** What every plan key starts with (a slice written before group commit names no plan key). */
  public static final String PREFIX = "p";

  private static final HexFormat HEX = HexFormat.of();

  private PlanKeys() {}

  /** A fresh plan key for a plan created at {@code now}. */
  public static String newPlanKey(Instant now) {
    byte[] random = new byte[10];
    ThreadLocalRandom.current().nextBytes(random);
    return at(now) + HEX.formatHex(random);
  }

  /**
   * The smallest key a plan created at or after {@code time} can have: every plan created before it
   * sorts below.
   */
  public static String at(Instant time) {
    String hex = Long.toHexString(Math.max(0, time.toEpochMilli()));
    return PREFIX + "0".repeat(Math.max(0, 12 - hex.length())) + hex;
  }

  /**
   * A key between a plan's and the next one: where a pass that read up to that plan goes on (plan
   * keys all have one length, so any suffix sorts below every greater key).
   */
  public static String after(String planKey) {
    return planKey + "~";
  }

  /** When the plan of this key was created (to the millisecond). */
  public static Instant createdAt(String planKey) {
    return Instant.ofEpochMilli(Long.parseLong(planKey.substring(1, 13), 16));
  }

  /** The claim key of an {@code Idempotency-Key}. */
  public static String claimKey(String idempotencyKey) {
    return "k" + SegmentKeys.sha256(idempotencyKey).substring(0, 32);
  }
}
