package io.sweetasync.spi;

/**
 * A stored durable invocation: the handler to run, its encoded argument, and how far it got.
 *
 * @param id          the task's id ({@code TaskId.value()}); the same on every attempt
 * @param handler     the registered handler's name
 * @param argument    the argument, encoded by the {@link DurableCodec}
 * @param status      {@code PENDING} until it ends, then a terminal {@code TaskStatus} name
 * @param attempts    runs started so far: 1 when submitted, one more per claim (whatever ended the run before)
 * @param owner       the incarnation running it, 0 if none (its last run was handed over by a graceful close:
 *                    {@link TaskStore#releaseDurables})
 * @param result      the encoded result once completed (null if none or larger than the store keeps)
 * @param failure     why it did not complete, null otherwise
 * @param createdAt   when it was submitted, epoch ms
 * @param lostRuns    runs lost with a process that stopped without handing them over (a crash, a kill, a lease
 *                    that lapsed); the orchestrator gives the invocation up after ten
 * @param settings    the timeout and retry policy it was submitted with, as the orchestrator writes them (at most
 *                    4,000 characters; null if it was given neither): a store keeps them as they are, so that a
 *                    re-run, here or on another member, runs under them rather than the defaults of its member
 */
public record DurableRecord(long id, String handler, String argument, String status, int attempts, long owner,
        String result, String failure, long createdAt, int lostRuns, String settings) {

    /** A record submitted without a timeout or retry policy of its own ({@code settings} null). */
    public DurableRecord(long id, String handler, String argument, String status, int attempts, long owner,
            String result, String failure, long createdAt, int lostRuns) {
        this(id, handler, argument, status, attempts, owner, result, failure, createdAt, lostRuns, null);
    }

    /**
     * A record whose runs before the last were all lost ({@code lostRuns = attempts - 1}), as a store that does not
     * tell graceful hand-overs apart counts them.
     */
    public DurableRecord(long id, String handler, String argument, String status, int attempts, long owner,
            String result, String failure, long createdAt) {
        this(id, handler, argument, status, attempts, owner, result, failure, createdAt, Math.max(0, attempts - 1));
    }
}
