package io.sluice.client;

/** A column of a table: its name, its API type (such as {@code decimal(12,2)}) and nullability. */
public record Column(String name, String type, boolean nullable) {}
