package io.sluice.core.service;

/** A write request's body and the format its content type names. */
public record RowBody(RowFormat format, byte[] bytes) {}
