package io.sluice.client;

/**
 * A {@link TableWriter#write} that waited {@link WriterOptions#maxBlock} for room in the writer's
 * buffer and found none: the server takes rows more slowly than they come, or not at all.
 */
public class BufferFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BufferFullException(String message) {
    super(message);
  }
}
