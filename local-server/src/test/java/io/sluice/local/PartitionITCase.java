package io.sluice.local;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The partitioned-table scenarios on the embedded stores: a local directory and SQLite. */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class PartitionITCase extends PartitionScenarios {}
