package io.sluice.core.metadata;

import java.util.List;

/**
 * An immutable page of slices moved out of a bucket head: the slices with base offsets in {@code
 * [firstOffset, endOffset)}, in offset order.
 */
public record IndexPage(int bucket, long firstOffset, long endOffset, List<Slice> slices) {
  public IndexPage {
    slices = List.copyOf(slices);
  }
}
