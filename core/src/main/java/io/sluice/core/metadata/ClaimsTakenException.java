package io.sluice.core.metadata;

import io.sluice.core.store.CommitConflictException;
import java.util.List;

/** Some claims a commit needed are held by other live plans; nothing was written. */
public class ClaimsTakenException extends CommitConflictException {
  private final List<Claim> taken;

  public ClaimsTakenException(String message, List<Claim> taken) {
    super(message);
    this.taken = List.copyOf(taken);
  }

  /** The claims as stored: each names the plan that holds it. */
  public List<Claim> taken() {
    return taken;
  }
}
