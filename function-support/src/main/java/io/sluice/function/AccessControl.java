package io.sluice.function;

import io.quarkus.runtime.Startup;
import io.sluice.core.access.AccessTokens;
import io.sluice.core.access.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The tokens this server accepts: {@code sluice.auth-token} (allowed everything) and those of
 * {@code sluice.auth-grants-file}, read at start so that a bad file stops the server with its
 * reason.
 */
@ApplicationScoped
@Startup
public class AccessControl {
  private final Optional<String> adminToken;
  private final Optional<AccessTokens> tokens;

  @Inject
  public AccessControl(SluiceConfig config) {
    this.adminToken = config.authToken().filter(t -> !t.isEmpty());
    this.tokens = config.authGrantsFile().map(file -> AccessTokens.load(Path.of(file)));
  }

  /** Whether calls need a token at all. */
  boolean enabled() {
    return adminToken.isPresent() || tokens.isPresent();
  }

  /** The caller of a bearer token, if it is one this server accepts. */
  Optional<Caller> caller(String token) {
    if (adminToken.isPresent()
        && MessageDigest.isEqual(
            token.getBytes(StandardCharsets.UTF_8),
            adminToken.get().getBytes(StandardCharsets.UTF_8))) {
      return Optional.of(Caller.ANYONE);
    }
    return tokens.flatMap(t -> t.caller(token));
  }
}
