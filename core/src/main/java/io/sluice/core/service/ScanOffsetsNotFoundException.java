package io.sluice.core.service;

/**
 * The offsets a scan's {@code Sluice-Scan-Offsets-Link} named are not (or no longer) kept (HTTP 404
 * SCAN_OFFSETS_NOT_FOUND).
 */
public class ScanOffsetsNotFoundException extends RuntimeException {
  public ScanOffsetsNotFoundException(String message) {
    super(message);
  }
}
