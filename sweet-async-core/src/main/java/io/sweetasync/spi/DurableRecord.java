package io.sweetasync.spi;

/**
 * A stored durable invocation: the handler to run, its encoded argument, and how far it got.
 *
 * @param id          the task's id ({@code TaskId.value()}); the same on every attempt
 * @param handler     the registered handler's name
 * @param argument    the argument, encoded by the {@link DurableCodec}
 * @param status      {@code PENDING} until it ends, then a terminal {@code TaskStatus} name
 * @param attempts    runs started so far, counting those lost with a process
 * @param owner       the incarnation running it, 0 if none
 * @param result      the encoded result once completed (null if none or larger than the store keeps)
 * @param failure     why it did not complete, null otherwise
 * @param createdAt   when it was submitted, epoch ms
 */
public record DurableRecord(long id, String handler, String argument, String status, int attempts, long owner,
        String result, String failure, long createdAt) {
}
