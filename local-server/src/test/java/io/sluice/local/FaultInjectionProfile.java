package io.sluice.local;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The AWS shape on its stand-ins with a {@link FaultProxy} in front of each: every S3 and DynamoDB
 * call of the server, its lake writers included, crosses a network that the test makes faulty.
 */
public class FaultInjectionProfile implements QuarkusTestProfile {
  /** Where the proxies' random faults start: {@code -Dfaults.seed} picks another sequence. */
  static final long SEED = Long.getLong("faults.seed", 16);

  @Override
  public Map<String, String> getConfigOverrides() {
    return EmbeddedProfile.withCommon(
        Map.of("sluice.data-dir", EmbeddedProfile.dataDir("faults").toString()));
  }

  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(new TestResourceEntry(FaultyStandIns.class));
  }

  /** Marks the test's {@link Proxies} field. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.FIELD)
  @interface InjectProxies {}

  /** The proxy in front of s3proxy and the one in front of dynalite. */
  record Proxies(FaultProxy s3, FaultProxy dynamo) {
    /** Injects these faults into both services' requests from now on. */
    void inject(FaultProxy.Faults faults) {
      s3.inject(faults);
      dynamo.inject(faults);
    }
  }

  /** The stand-ins, each behind a proxy that injects nothing until the test says so. */
  public static class FaultyStandIns extends AwsStandInsProfile.StandIns {
    private FaultProxy s3;
    private FaultProxy dynamo;

    @Override
    protected URI s3Endpoint(URI s3proxy) {
      s3 = FaultProxy.start(FaultProxy.Service.S3, s3proxy, SEED);
      return s3.endpoint();
    }

    @Override
    protected URI dynamoEndpoint(URI dynalite) {
      dynamo = FaultProxy.start(FaultProxy.Service.DYNAMODB, dynalite, SEED + 1);
      return dynamo.endpoint();
    }

    @Override
    public void inject(TestInjector injector) {
      injector.injectIntoFields(
          new Proxies(s3, dynamo),
          new TestInjector.AnnotatedAndMatchesType(InjectProxies.class, Proxies.class));
    }

    @Override
    public void stop() {
      try {
        super.stop();
      } finally {
        if (s3 != null) {
          s3.close();
        }
        if (dynamo != null) {
          dynamo.close();
        }
      }
    }
  }
}
