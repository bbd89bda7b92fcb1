package io.sluice.local;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The Java client's reader against the AWS APIs: S3 (s3proxy) and DynamoDB (dynalite). */
@QuarkusTest
@TestProfile(AwsStandInsProfile.class)
class ClientReaderAwsStandInsITCase extends ClientReaderScenarios {}
