package io.sluice.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on the terminal's error stream, redrawn at most five times a second:
 * rows, MB/s and the time left, estimated from how much of the input is done.
 */
final class Progress {
  private static final long REDRAW_NANOS = 200_000_000L;
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final String label;
  private final long total;
  private final long started = System.nanoTime();
  private long lastDrawn;

  /** A bar for {@code total} units of work (bytes or rows); a null writer draws nothing. */
  Progress(PrintWriter err, String label, long total) {
    this.err = err;
    this.label = label;
    this.total = Math.max(1, total);
  }

  /** Redraws if it is time: {@code done} units of the total, {@code rows} rows, {@code bytes}. */
  void update(long done, long rows, long bytes) {
    long now = System.nanoTime();
    if (err == null || now - lastDrawn < REDRAW_NANOS) {
      return;
    }
    draw(now, done, rows, bytes);
  }

  /** Draws the final state and ends the bar's line. */
  void finish(long done, long rows, long bytes) {
    if (err == null) {
      return;
    }
    draw(System.nanoTime(), done, rows, bytes);
    err.println();
    err.flush();
  }

  private void draw(long now, long done, long rows, long bytes) {
    lastDrawn = now;
    double seconds = Math.max(1e-3, (now - started) / 1e9);
    double fraction = Math.min(1.0, (double) done / total);
    int filled = (int) (fraction * WIDTH);
    String eta =
        fraction <= 0 ? "--" : Describe.ageSeconds((long) (seconds / fraction - seconds)) + " left";
    err.printf(
        Locale.ROOT,
        "\r%s [%s%s] %3.0f%%  %,d rows  %.1f MB/s  %s   ",
        label,
        "#".repeat(filled),
        " ".repeat(WIDTH - filled),
        fraction * 100,
        rows,
        bytes / 1e6 / seconds,
        eta);
    err.flush();
  }
}
