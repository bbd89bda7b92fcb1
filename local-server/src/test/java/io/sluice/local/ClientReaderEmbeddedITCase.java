package io.sluice.local;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The Java client's reader against the embedded stores: a local directory and SQLite. */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class ClientReaderEmbeddedITCase extends ClientReaderScenarios {}
