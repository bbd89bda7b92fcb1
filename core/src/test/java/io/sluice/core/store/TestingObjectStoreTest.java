package io.sluice.core.store;

class TestingObjectStoreTest extends ObjectStoreContract {
  @Override
  protected ObjectStore newStore() {
    return new TestingObjectStore();
  }
}
