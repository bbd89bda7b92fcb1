package io.sluice.function;

import io.sluice.core.access.Caller;
import io.sluice.core.access.ForbiddenException;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * When access control is on ({@link AccessControl}), refuses every /v1 call and every call of the
 * Iceberg REST catalog ({@code /iceberg}) without a known bearer token (401), and one whose token
 * lacks the grant its table needs (403); the caller is kept for listings and SQL, which check each
 * table.
 */
public class BearerTokenFilter {
  private static final String PREFIX = "Bearer ";

  @Inject AccessControl access;
  @Inject CallerContext callers;

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> authenticate(ContainerRequestContext request) {
    // Leading slashes collapsed: a router that takes //v1/... as /v1/... must not skip the check.
    String path = request.getUriInfo().getPath().replaceAll("^/+", "/");
    if (!access.enabled() || !(path.startsWith("/v1") || path.startsWith("/iceberg"))) {
      return Optional.empty();
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.startsWith(PREFIX)) {
      return Optional.of(
          ErrorMapper.error(
              401, "UNAUTHENTICATED", "Missing Authorization: Bearer <token> header"));
    }
    Optional<Caller> caller = access.caller(header.substring(PREFIX.length()).trim());
    if (caller.isEmpty()) {
      return Optional.of(
          ErrorMapper.error(401, "UNAUTHENTICATED", "The bearer token is not valid"));
    }
    callers.set(caller.get());
    Optional<ApiPermissions.Need> need = ApiPermissions.of(request.getMethod(), path);
    try {
      need.ifPresent(n -> caller.get().check(n.permission(), n.table()));
    } catch (ForbiddenException e) {
      return Optional.of(ErrorMapper.error(403, "FORBIDDEN", e.getMessage()));
    }
    return Optional.empty();
  }
}
