package io.sluice.core.tiering;

import io.sluice.core.table.LakeFormatName;
import java.time.Duration;
import java.util.Optional;

/**
 * How far one lake format of a table is behind its log: rows and bytes (of the slices holding them)
 * not yet tiered, and the lake's freshness, the time since the commit of the newest row it holds
 * (empty while it holds none; measured from the lake commit once retention dropped that row's
 * slice).
 */
public record LakeLag(LakeFormatName format, long rows, long bytes, Optional<Duration> freshness) {}
