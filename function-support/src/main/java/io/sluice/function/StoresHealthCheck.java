package io.sluice.function;

import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.table.TableName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while both stores answer a read. */
@Readiness
@ApplicationScoped
public class StoresHealthCheck implements HealthCheck {
  private static final TableName PROBE = TableName.parse("health_probe");

  @Inject MetadataStore metadata;
  @Inject ObjectStore objects;

  @Override
  public HealthCheckResponse call() {
    var response = HealthCheckResponse.named("stores");
    try {
      metadata.table(PROBE);
      response.withData("metadata", "up");
    } catch (RuntimeException e) {
      return response.down().withData("metadata", e.getMessage()).build();
    }
    try {
      objects.list("health/").findFirst();
      response.withData("objects", "up");
    } catch (RuntimeException e) {
      return response.down().withData("objects", e.getMessage()).build();
    }
    return response.up().build();
  }
}
