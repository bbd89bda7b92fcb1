package io.sluice.local;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The tiering scenarios on the AWS APIs: segments and both lakes on S3 (s3proxy), metadata and
 * Paimon's commit lock in DynamoDB (dynalite), the Iceberg JDBC catalog on SQLite beside them.
 */
@QuarkusTest
@TestProfile(AwsStandInsProfile.class)
class AwsStandInsTieringITCase extends TieringScenarios {}
