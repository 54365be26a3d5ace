package io.sweetasync;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The orchestrator's way down ({@link TaskOrchestrator#shutdown}, {@link TaskOrchestrator#close}): new
 * roots stop being admitted, the live tasks get a grace to finish, then every live tree is cancelled and
 * its bodies get {@value #AFTER_CANCEL_SECONDS} seconds more to return.
 *
 * <p>Invariants: the state only moves forward, accepting, then shutting down (new roots are rejected;
 * children of running tasks are still admitted, so running work can finish), then cancelling all (the grace
 * passed: a queued body is cancelled instead of started), then closed; each step is a volatile flag read
 * wherever tasks are created or bodies start. Cancelling all is set before the sweep that cancels the live
 * roots, so no body queued anywhere in a live tree starts after the sweep passed it. {@link #drainThenCancel}
 * may run again, and on several threads at once (each waits, then cancels what is left). {@link
 * #beginClose} answers true for exactly one close, however many race (a compare-and-set): the parts are
 * closed once, and {@link #closeEnded} happens-before the return of every {@link #awaitCloseEnded}.
 */
final class Shutdown {

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());
    private static final int AFTER_CANCEL_SECONDS = 5;
    private static final Duration AFTER_CANCEL_WAIT = Duration.ofSeconds(AFTER_CANCEL_SECONDS);

    private final LiveTasks live;
    /** {@link #AFTER_CANCEL_WAIT}'s nanoseconds; shortened by tests only (those whose bodies ignore the cancel). */
    volatile long afterCancelNanos = AFTER_CANCEL_WAIT.toNanos();
    private volatile boolean accepting = true;
    /** Set once shutdown's grace has passed: from then on no queued body starts. */
    private volatile boolean cancellingAll;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Live roots a cancel's wait gave up on (their bodies ignored its interrupt); guarded by itself. */
    private final Set<TaskNode<?>> givenUp = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The thread of the one close call, set as it begins. */
    private volatile Thread closer;
    /** Counted down once the one close call has closed every part. */
    private final CountDownLatch closeEnded = new CountDownLatch(1);

    Shutdown(LiveTasks live) {
        this.live = live;
    }

    /**
     * See {@link TaskOrchestrator#shutdown}: whether everything finished within {@code grace}, uncancelled
     * (called from a body, fallback or listener call of a task of this orchestrator: everything but
     * that task's own tree and the tasks that start only after it, which cannot end while the caller waits).
     */
    boolean drainThenCancel(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("shutdown grace must not be negative, was " + grace);
        }
        accepting = false;
        // Called by user code of a task of this orchestrator (its body, fallback or onFinished listeners): that
        // task's tree, and the trees that start only after it, cannot end while the caller waits here.
        Set<TaskNode<?>> own = live.rootsWaitingForCallerHere();
        if (live.awaitDrained(nanos(grace), own, false)) {
            return true;
        }
        cancelAndWait(own);
        return false;
    }

    /**
     * Cancels every live tree, then waits a few seconds for their bodies but {@code own}'s and those an earlier
     * cancel's wait gave up on (they ignored the interrupt for as long once: a shutdown then a close waited twice
     * for them): whether every body returned (but {@code own}'s).
     */
    private boolean cancelAndWait(Set<TaskNode<?>> own) {
        cancellingAll = true; // before the sweep: a body queued anywhere in a live tree must not start now
        // Oldest first: a predictable order for what the sweep ends (the live roots are a set by identity).
        for (TaskNode<?> root : live.rootsOldestFirst()) {
            root.stop(Stop.shutdown("the orchestrator shut down before it finished"));
        }
        Set<TaskNode<?>> notAgain = Collections.newSetFromMap(new IdentityHashMap<>());
        notAgain.addAll(own);
        synchronized (givenUp) {
            notAgain.addAll(givenUp);
        }
        // Bounded, and not cut short by the sweep's interrupt of a calling body: the others' bodies get
        // their time to return.
        if (!live.awaitDrained(afterCancelNanos, notAgain, true)) {
            List<TaskNode<?>> stuck = live.rootsOldestFirst();
            stuck.removeAll(own);
            synchronized (givenUp) {
                givenUp.addAll(stuck);
            }
            LOG.log(Level.WARNING, "{0} task(s) still running after shutdown cancelled them (bodies ignoring interrupts?): {1}",
                    live.count(), live.allOldestFirst().stream().limit(10).map(node -> node.info().path()).toList());
            return false;
        }
        synchronized (givenUp) {
            givenUp.removeIf(root -> !live.isLiveRoot(root));
            return givenUp.isEmpty();
        }
    }

    private static long nanos(Duration timeout) {
        return timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
    }

    /**
     * Marks the orchestrator closed; false if it was closed already. The one call that gets true cancels
     * everything ({@link #cancelAllForClose}), closes the parts, then calls {@link #closeEnded}, whatever fails.
     */
    boolean beginClose() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        closer = Thread.currentThread();
        return true;
    }

    /**
     * Cancels everything at once, the calling body's own tree too (close() ends everything), and waits
     * {@value #AFTER_CANCEL_SECONDS} s at most for the bodies to return: whether they all did (but the
     * caller's own, when a task's code closes).
     */
    boolean cancelAllForClose() {
        accepting = false;
        return cancelAndWait(live.rootsWaitingForCallerHere());
    }

    /** Called once the closing call has closed every part: the calls that waited for it return. */
    void closeEnded() {
        closeEnded.countDown();
    }

    /**
     * Waits until the closing call has closed every part (its waits are bounded, so this one is); an interrupt
     * ends the wait and is kept. On the closing call's own thread (code that call runs, calling close() again)
     * it returns at once: it would wait for itself.
     */
    void awaitCloseEnded() {
        if (closer == Thread.currentThread()) {
            return;
        }
        try {
            closeEnded.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the orchestrator has been closed (or is closing). */
    boolean isClosed() {
        return closed.get();
    }

    /** Whether new root tasks are admitted. */
    boolean isAccepting() {
        return accepting;
    }

    /** Whether shutdown's grace has passed: queued bodies are cancelled instead of started. */
    boolean isCancellingAll() {
        return cancellingAll;
    }
}
