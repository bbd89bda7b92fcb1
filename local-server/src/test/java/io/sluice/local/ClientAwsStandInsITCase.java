package io.sluice.local;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The Java client against the AWS APIs: S3 (s3proxy) and DynamoDB (dynalite) on loopback. */
@QuarkusTest
@TestProfile(AwsStandInsProfile.class)
class ClientAwsStandInsITCase extends ClientScenarios {}
