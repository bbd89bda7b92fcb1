package io.sluice.function.write;

import io.sluice.core.service.AppendService;
import io.sluice.core.service.RequestTooLargeException;
import io.sluice.core.write.WriteBudget;
import io.sluice.function.SluiceConfig;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Admits a rows request before its body is read: 413 when its {@code Content-Length} passes the
 * body limit, 429 when the write budget has no room for it (nothing read, nothing written).
 */
public class WriteAdmission {
  private static final String RESERVATION = "sluice.write-reservation";

  @Inject AppendService appends;
  @Inject SluiceConfig config;

  /**
   * Reserves the body's room in the write budget, held until the answer is sent or the connection
   * closes. Filters run before the body is read, so a refused request is never read.
   */
  @ServerRequestFilter
  public void admit(SimpleResourceInfo resource, RoutingContext routing) {
    if (resource.getResourceClass() != RowsResource.class) {
      return;
    }
    long limit = config.maxBodyBytes();
    String header = routing.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    long length = header == null ? limit : Long.parseLong(header.strip());
    if (length > limit) {
      throw tooLarge(limit);
    }
    WriteBudget.Reservation reservation = appends.admit(length);
    routing.put(RESERVATION, reservation);
    routing.addEndHandler(ended -> reservation.close());
  }

  /** The reservation {@link #admit} made for this request. */
  static WriteBudget.Reservation reservation(RoutingContext routing) {
    return routing.get(RESERVATION);
  }

  static RequestTooLargeException tooLarge(long limit) {
    return new RequestTooLargeException("The body is larger than the limit of " + limit + " bytes");
  }
}
