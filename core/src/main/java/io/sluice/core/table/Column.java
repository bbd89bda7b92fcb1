package io.sluice.core.table;

/** A named, typed column; nullable unless declared otherwise. */
public record Column(String name, DataType type, boolean nullable) {}
