package io.sweetasync.emit;

/**
 * Live counts of a running pipeline (also in its task snapshot's {@code progress}).
 *
 * <pre>{@code
 * PipelineProgress p = task.progress();
 * System.out.printf("%d/%d received, %d buffered, %d receivers%n", p.received(), p.emitted(), p.buffered(), p.receivers());
 * }</pre>
 *
 * @param emitted   events emitted so far
 * @param received  events received so far
 * @param errors    errors recorded so far
 * @param buffered  events waiting in the buffer now
 * @param senders   sender workers running now
 * @param receivers receiver workers running now
 */
public record PipelineProgress(long emitted, long received, long errors, int buffered, int senders, int receivers) {
}
