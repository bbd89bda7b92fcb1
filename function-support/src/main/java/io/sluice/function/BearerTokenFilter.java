package io.sluice.function;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * When {@code sluice.auth-token} is set, refuses every /v1 call and every call of the Iceberg REST
 * catalog ({@code /iceberg}) without that bearer token.
 */
public class BearerTokenFilter {
  private static final String PREFIX = "Bearer ";

  @Inject SluiceConfig config;

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> authenticate(ContainerRequestContext request) {
    Optional<String> token = config.authToken().filter(t -> !t.isEmpty());
    String path = request.getUriInfo().getPath();
    if (token.isEmpty() || !(path.startsWith("/v1") || path.startsWith("/iceberg"))) {
      return Optional.empty();
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.startsWith(PREFIX)) {
      return Optional.of(
          ErrorMapper.error(
              401, "UNAUTHENTICATED", "Missing Authorization: Bearer <token> header"));
    }
    byte[] given = header.substring(PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(given, token.get().getBytes(StandardCharsets.UTF_8))) {
      return Optional.of(
          ErrorMapper.error(401, "UNAUTHENTICATED", "The bearer token is not valid"));
    }
    return Optional.empty();
  }
}
