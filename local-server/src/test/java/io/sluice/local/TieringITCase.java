package io.sluice.local;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The tiering scenarios on the one-machine shape: the lake in a local directory. */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class TieringITCase extends TieringScenarios {}
