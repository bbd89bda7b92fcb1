package io.sluice.core.metadata;

/** The contract against the in-memory store that unit tests use. */
class TestingMetadataStoreTest extends MetadataStoreContract {
  @Override
  protected MetadataStore newStore() {
    return new TestingMetadataStore();
  }
}
