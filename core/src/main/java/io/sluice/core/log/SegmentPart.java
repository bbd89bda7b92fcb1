package io.sluice.core.log;

/** One bucket's rows in an encoded segment: how many, and at which bytes of the object. */
public record SegmentPart(int bucket, long rows, long byteOffset, long byteLength) {}
