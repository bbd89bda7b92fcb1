package io.sluice.function;

import io.sluice.core.access.Caller;
import jakarta.enterprise.context.RequestScoped;

/** The caller of the request being served, as the bearer token filter found it. */
@RequestScoped
public class CallerContext {
  private Caller caller = Caller.ANYONE;

  public Caller caller() {
    return caller;
  }

  void set(Caller caller) {
    this.caller = caller;
  }
}
