package io.sweetasync;

import io.sweetasync.limit.RejectionReason;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link TaskRuntime.Kind#EXECUTOR}: attempts run on a user's executor, which the user owns and shuts down.
 *
 * <p>An {@link ExecutorService} the user shuts down may drop an attempt it accepted without a word: a
 * {@code ThreadPoolExecutor} already shut down hands it to its rejection policy, and {@code CallerRunsPolicy},
 * {@code DiscardPolicy} and {@code DiscardOldestPolicy} then discard it; {@code shutdownNow()} returns what was
 * queued to its caller, and {@code ForkJoinPool.shutdownNow()} cancels it. Such a task would stay
 * {@code QUEUED} for ever. So, on a service, every attempt handed over is kept in {@link #handedOver} until it
 * begins, and exactly one of beginning and being dropped wins ({@link Attempt#claim}): an attempt that the
 * service was shut down before accepting, or that a service which has terminated has not begun, never will, and
 * its task ends rejected with {@link RejectionReason#SHUTDOWN}; the first time the service is seen shut down (at
 * a submission, or at the end of an attempt on it), a virtual thread waits for it to terminate and rejects what it
 * dropped (while a body on it ignores its interrupt, the service does not terminate and the dropped tasks wait).
 */
final class ExecutorRuntime extends TaskRuntime {

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());
    /** How often a service whose {@code awaitTermination} failed is asked whether it has terminated. */
    private static final long POLL_MILLIS = 100;

    private final Executor executor;
    /** The executor, if it is a service that can be shut down; else null. */
    private final ExecutorService service;
    /** Attempts running on the executor now. */
    private final AtomicInteger inProgress = new AtomicInteger();
    /** Attempts a service accepted and has not begun (always empty for a plain executor). */
    private final Set<Attempt> handedOver = ConcurrentHashMap.newKeySet();
    /** Set once a thread waits for the service's termination (it is shut down: that happens once). */
    private final AtomicBoolean watching = new AtomicBoolean();

    ExecutorRuntime(String name, Executor executor) {
        super(name);
        this.executor = executor;
        this.service = executor instanceof ExecutorService given ? given : null;
    }

    @Override
    public Kind kind() {
        return Kind.EXECUTOR;
    }

    @Override
    public int parallelism() {
        return Integer.MAX_VALUE;
    }

    @Override
    public RuntimeSnapshot snapshot() {
        int now = inProgress.get();
        return new RuntimeSnapshot(name(), Kind.EXECUTOR, Integer.MAX_VALUE, now, now, 0, 0, 0, 0, 0);
    }

    @Override
    void execute(TaskNode<?> node) {
        Attempt attempt = new Attempt(node);
        if (service == null) {
            executor.execute(attempt);
            return;
        }
        boolean shutBefore = service.isShutdown();
        handedOver.add(attempt);
        try {
            executor.execute(attempt);
        }
        catch (Throwable ex) { // a checked exception too: the user's executor may be in a language without them
            handedOver.remove(attempt);
            throw ex;
        }
        // A service shut down accepts nothing, and one that terminated runs nothing more: not begun, it never will.
        if ((shutBefore || service.isTerminated()) && attempt.claim()) {
            throw new RejectedExecutionException("it was shut down and dropped the task (its rejection policy "
                    + "discards: CallerRunsPolicy and the Discard policies do once it is shut down)");
        }
        if (service.isShutdown()) {
            watchTermination();
        }
    }

    /** Once the service is shut down: when it has terminated, the attempts it has not begun end rejected. */
    private void watchTermination() {
        if (!watching.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("sweet-async-" + name() + "-termination").start(() -> {
            if (!terminated()) {
                return;
            }
            for (Attempt attempt : handedOver) {
                if (attempt.claim()) {
                    attempt.node.reject(RejectionReason.SHUTDOWN, "runtime '" + name()
                            + "' (an executor of yours) was shut down before it ran the task");
                }
            }
        });
    }

    /**
     * Waits until the service has terminated: whether it has (false if this thread was interrupted, which only a JVM
     * going down does, or the service cannot say). The service is the user's: one whose {@code awaitTermination}
     * throws (one that does not support it, or a checked exception undeclared) is asked {@code isTerminated()} every
     * {@link #POLL_MILLIS} instead; one whose {@code isTerminated()} throws too is given up on, said (the attempts it
     * dropped then stay queued, as they would on a service that never terminates).
     */
    private boolean terminated() {
        try {
            if (!awaitedTermination()) {
                while (!service.isTerminated()) {
                    Thread.sleep(POLL_MILLIS);
                }
            }
            return true;
        }
        catch (InterruptedException ex) {
            return false;
        }
        catch (Exception | LinkageError ex) {
            LOG.log(System.Logger.Level.WARNING, "runtime '" + name() + "': cannot tell when your executor has "
                    + "terminated; the tasks it was given and has not begun will not be ended", ex);
            return false;
        }
    }

    /** Waits in the service's {@code awaitTermination} until it has terminated: false if that threw (said). */
    private boolean awaitedTermination() throws InterruptedException {
        try {
            while (!service.awaitTermination(1, TimeUnit.DAYS)) {
                // a body on it that ignores its interrupt keeps it from terminating
            }
            return true;
        }
        catch (InterruptedException ex) {
            throw ex;
        }
        catch (Exception | LinkageError ex) {
            LOG.log(System.Logger.Level.DEBUG, "runtime '" + name() + "': your executor's awaitTermination "
                    + "failed; asking isTerminated() instead", ex);
            return false;
        }
    }

    /**
     * Why the executor refused a task: {@code SHUTDOWN} if it is an {@link ExecutorService} that was shut down,
     * else {@code QUEUE_FULL} (a saturated pool, the common reason, which callers answer with "try later").
     */
    RejectionReason refusalReason() {
        return service != null && service.isShutdown() ? RejectionReason.SHUTDOWN : RejectionReason.QUEUE_FULL;
    }

    @Override
    boolean close(long timeoutMillis) {
        return true;
    }

    /** One attempt handed to the executor: begins at most once, and not once it was found dropped. */
    private final class Attempt implements Runnable {

        final TaskNode<?> node;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Attempt(TaskNode<?> node) {
            this.node = node;
        }

        /** Whether this call is the first to take the attempt (to begin it, or to end its task as dropped). */
        boolean claim() {
            if (!claimed.compareAndSet(false, true)) {
                return false;
            }
            handedOver.remove(this);
            return true;
        }

        @Override
        public void run() {
            if (!claim()) {
                return; // found dropped and its task rejected already
            }
            inProgress.incrementAndGet();
            // Run by a caller-runs executor as a dependent is started (a terminal action), the body is user code
            // outside that drain: what it causes is not put off until it returns.
            ArrayDeque<Runnable> drain = Trampoline.leaveDrain();
            try {
                node.runAttempt();
            }
            finally {
                Trampoline.backToDrain(drain);
                inProgress.decrementAndGet();
                if (service != null && service.isShutdown()) {
                    watchTermination();
                }
            }
        }
    }
}
