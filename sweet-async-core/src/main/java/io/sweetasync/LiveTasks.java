package io.sweetasync;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The orchestrator's live tasks: the registry of live roots, the count of every live task, lookups and
 * walks over the live trees, and waiting for them all to end (shutdown).
 *
 * <p>Invariants: the registry holds roots only, and a root leaves it once terminal, which it is only after
 * its whole subtree: so every live task is reachable from a registered root (but a root rejected as it is made,
 * the orchestrator shutting down, which is never registered and never runs), and spawning a child touches
 * no shared map (children are found by walking their root's tree). A task is counted before it can finish
 * and uncounted when it finishes, exactly once each. Walks use explicit stacks (no recursion, however deep
 * the tree). {@link #awaitDrained} is woken once the end of a root that left the registry is fully recorded (history,
 * listeners).
 */
final class LiveTasks {

    /**
     * The live roots, by identity, spread by their id's number (a table that allocates nothing per root and
     * hashes no object). A lookup by id walks them, as one for a child already did.
     */
    private final StripedTable<TaskNode<?>> roots = new StripedTable<>(StripedTable.stripesFor(Runtime.getRuntime().availableProcessors()),
            TaskNode::idValue);
    private final StripedCounter count = new StripedCounter();
    /**
     * Of {@link #count}, the tasks that only follow work ({@code anywhere()} handles, durable mirrors: no load of this
     * member, {@link ClusterPlacement#liveTasks}): counted after {@link #count}, uncounted before it, so that the
     * difference never reads less than the other live tasks.
     */
    private final StripedCounter following = new StripedCounter();
    /**
     * The threads waiting in {@link #awaitDrained}, each unparked when a root leaves the registry: no lock on the
     * finishing side. (A lock and condition signalled at every end made a convoy: the ends of a backlog of admitted
     * roots, each a virtual thread that had to be mounted again to take the lock, queued on it by the thousand, and
     * the drain's own wait, signalled, queued behind them all, past its grace.) Added before the waiter looks,
     * read after a root left: one side sees the other (a park after its unpark returns at once).
     */
    private final Set<Thread> drainWaiters = ConcurrentHashMap.newKeySet();
    /**
     * How many threads are in {@link #drainWaiters} or about to be: counted up before a waiter is added, down after
     * it is removed, so that a root's end finds none without iterating the set (an iterator per root ended, 56 bytes
     * whenever the JIT does not scalar-replace it: profiled on submit and join). An exact count, unlike the set's
     * own size (its counter cells are read one after the other): read after the root left, it misses a waiter only
     * if that waiter counted itself afterwards, whose look then comes after the root left too.
     */
    private final AtomicInteger drainWaiting = new AtomicInteger();
    /**
     * Roots that left the registry and whose end is not yet fully recorded (their {@code onFinished} listeners
     * still to be called or running): counted up before a root leaves, down once its end is recorded
     * ({@link #recorded}). {@link #awaitDrained} waits for these too: it read the registry alone, and a look made
     * while a root's listeners were still to hear of its end (its first look, or one woken by another root's end)
     * returned, so a caller told of its trees by a listener missed that one (the starter's shutdown warning left
     * a cancelled tree out).
     */
    private final AtomicInteger leaving = new AtomicInteger();

    /**
     * Counts a new task (a root is registered too, if {@code register}: not one that is rejected as made, the
     * orchestrator shutting down); call before it can finish.
     */
    void added(TaskNode<?> node, boolean register, boolean followsWork) {
        count.increment();
        if (followsWork) {
            following.increment();
        }
        if (node.parentNode() == null) {
            if (register) {
                roots.add(node);
            }
            else {
                node.occasional().neverRegistered = true;
            }
        }
    }

    /** Undoes {@link #added} for a child whose registration with its parent failed. */
    void addFailed(boolean followsWork) {
        if (followsWork) {
            following.decrement();
        }
        count.decrement();
    }

    /**
     * Uncounts a finished task (a root leaves the registry, if it was in it): whether a root left it, when
     * {@link #wakeDrainWaiters} follows. Only that can end {@link #awaitDrained}: a child's end, or that of a root
     * rejected as it was made (never registered), wakes nobody. Callers still submitting while shutdown drains (a
     * loop retrying on the rejection, 32 threads) made one rejected root after another, each taking the drain's
     * lock to signal it: hundreds of threads queued on that lock, the ends of admitted roots (virtual threads) among
     * them, and the drain's own wait behind them all, until its grace passed.
     */
    boolean finished(TaskNode<?> node) {
        Occasional rare = node.occasionalOrNull();
        if (rare != null && rare.followsWork) {
            following.decrement();
        }
        count.decrement();
        // A root never registered takes no stripe's monitor either: the rejected roots of 32 callers still
        // submitting met the ends of admitted ones (virtual threads, mounted again to take it) on those monitors.
        if (!registeredRoot(node, rare)) {
            return false;
        }
        leaving.incrementAndGet(); // before it leaves: a drain that finds it gone finds it counted here
        if (roots.remove(node)) {
            return true;
        }
        leaving.decrementAndGet();
        return false;
    }

    /**
     * A root that left the registry ({@link #finished} answered true) has its end fully recorded (history,
     * listeners): no longer counted as leaving, and {@link #awaitDrained} woken.
     */
    void recorded() {
        leaving.decrementAndGet(); // before the waiters are read (see drainWaiting)
        wakeDrainWaiters();
    }

    /** Wakes {@link #awaitDrained} if it waits: called once a finished root's bookkeeping is all done. */
    private void wakeDrainWaiters() {
        if (drainWaiting.get() == 0) {
            return;
        }
        for (Thread waiter : drainWaiters) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Live tasks now: exact once the tasks being created or finishing at that moment have settled, and never
     * negative. A task is counted on its creator's stripe and uncounted on its finisher's, and {@link
     * StripedCounter#sum} reads the stripes one after the other: a reader held up between two stripes (descheduled)
     * sees the ends of tasks whose counting it had already passed, fewer than none while short tasks churn (the
     * {@code sweet.async.tasks.active} gauge read -1).
     */
    int count() {
        return (int) Math.max(0, count.sum());
    }

    /** Live tasks now that are no load of this member: those that only follow work ({@link #following}). */
    int loadCount() {
        return (int) Math.max(0, count.sum() - following.sum());
    }

    /** Whether {@code node} is a live root (registered, not finished). */
    boolean isLiveRoot(TaskNode<?> node) {
        return roots.contains(node);
    }

    /** Live roots, oldest first. */
    List<TaskNode<?>> rootsOldestFirst() {
        List<TaskNode<?>> live = roots.toList();
        live.sort(Comparator.comparingLong(TaskNode::idValue));
        return live;
    }

    /**
     * The node with this id in a live root's tree (finished children of live roots included): a walk of the
     * live roots, then of the trees of those with smaller ids (descendants have greater ids than their
     * ancestors, so only matching branches are walked).
     */
    TaskNode<?> find(TaskId id) {
        long wanted = id.value();
        ArrayDeque<TaskNode<?>> pending = new ArrayDeque<>();
        for (TaskNode<?> candidate : roots.toList()) {
            long value = candidate.idValue();
            if (value == wanted) {
                return candidate;
            }
            if (value < wanted) {
                pending.push(candidate);
            }
        }
        while (!pending.isEmpty()) {
            for (TaskNode<?> child : pending.pop().childNodes()) {
                long value = child.idValue();
                if (value == wanted) {
                    return child;
                }
                if (value < wanted) {
                    pending.push(child);
                }
            }
        }
        return null;
    }

    /** Every live (not terminal) task, roots and children; a terminal node's subtree is all terminal. */
    void forEach(Consumer<TaskNode<?>> action) {
        ArrayDeque<TaskNode<?>> pending = new ArrayDeque<>(roots.toList());
        while (!pending.isEmpty()) {
            TaskNode<?> node = pending.pop();
            if (!node.isTerminal()) {
                action.accept(node);
                pending.addAll(node.childNodes());
            }
        }
    }

    /**
     * Live tasks waiting for a runtime slot or a permit ({@code QUEUED}); walks the live trees. Not an
     * {@code anywhere()} handle whose status says QUEUED while its work waits: its body runs, and the work is
     * counted where it waits (here, as the handle's child).
     */
    int queuedCount() {
        int[] queued = new int[1];
        forEach(node -> {
            if (node.statusHere() == TaskStatus.QUEUED) {
                queued[0]++;
            }
        });
        return queued[0];
    }

    /** Every live task, oldest first. */
    List<TaskNode<?>> allOldestFirst() {
        List<TaskNode<?>> nodes = new ArrayList<>();
        forEach(nodes::add);
        nodes.sort(Comparator.comparing(TaskNode::id));
        return nodes;
    }

    /**
     * Waits up to {@code nanos} ({@code Long.MAX_VALUE}: without limit) for no root to be live but those
     * of {@code own} (the trees that cannot end while the caller waits, when a task's code shuts its own
     * orchestrator down: {@link #rootsWaitingForCallerHere}; empty for none); woken by
     * {@link #wakeDrainWaiters} as roots leave the registry. An interrupt ends the wait, unless {@code uninterruptibly}: then it is kept for
     * the caller and the wait goes on. On a {@code PLATFORM}/{@code SINGLE} runtime's thread the wait is a
     * managed block, as waiting for a task is: the calling body's slot is handed over meanwhile.
     */
    boolean awaitDrained(long nanos, Set<TaskNode<?>> own, boolean uninterruptibly) {
        Drain wait = new Drain(nanos, own);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    // A managed block: a body on a pooled runtime hands its slot over while it waits, so the
                    // tasks queued behind it there can start and end (SPEC 1.7).
                    TaskRuntime.managedBlock(wait);
                    // Drained once is drained: a root made since is one rejected (no longer accepting), which
                    // sits in the registry until its rejection ends it; looking again would count it.
                    return wait.seenDrained || drainedBut(own, wait.ownLeaving);
                }
                catch (InterruptedException ex) {
                    if (!uninterruptibly) {
                        Thread.currentThread().interrupt();
                        return wait.seenDrained || drainedBut(own, wait.ownLeaving);
                    }
                    interrupted = true;
                }
            }
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The wait of {@link #awaitDrained}: until no root but those of {@code own} is live, or the time is up. */
    private final class Drain implements ForkJoinPool.ManagedBlocker {
        private final boolean endless;
        private final long deadline;
        private final Set<TaskNode<?>> own;
        /** Of {@code own}, the roots that left the registry, still {@link #leaving}: the caller runs in their end. */
        private final int ownLeaving;
        /** Set once a look found no root live but {@code own}'s: drained then, whatever is rejected after. */
        volatile boolean seenDrained;

        Drain(long nanos, Set<TaskNode<?>> own) {
            this.endless = nanos == Long.MAX_VALUE;
            this.deadline = System.nanoTime() + nanos; // compared by difference: an overflow is harmless
            this.own = own;
            int left = 0;
            for (TaskNode<?> node : own) {
                if (!roots.contains(node)) {
                    left++;
                }
            }
            this.ownLeaving = left;
        }

        @Override
        public boolean isReleasable() {
            if (seenDrained || drainedBut(own, ownLeaving)) {
                seenDrained = true;
                return true;
            }
            return !endless && deadline - System.nanoTime() <= 0;
        }

        @Override
        public boolean block() throws InterruptedException {
            Thread waiter = Thread.currentThread();
            drainWaiting.incrementAndGet(); // before the add, so before the look (see drainWaiting)
            try {
                drainWaiters.add(waiter); // before the look: a root that leaves after it unparks this thread
                while (!isReleasable()) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                    if (endless) {
                        LockSupport.park(this);
                    }
                    else {
                        LockSupport.parkNanos(this, deadline - System.nanoTime());
                    }
                }
            }
            finally {
                drainWaiters.remove(waiter);
                drainWaiting.decrementAndGet();
            }
            return true;
        }
    }

    /**
     * Whether no root but those of {@code own} is live, nor leaving but {@code ownLeaving} of them; costs nothing
     * more than a size check while more are. The registry is read first: a root found gone is found counted in
     * {@link #leaving} (counted before it left), until its end is recorded.
     */
    private boolean drainedBut(Set<TaskNode<?>> own, int ownLeaving) {
        return (roots.isEmpty() || roots.size() <= own.size() && own.containsAll(roots.toList()))
                && leaving.get() <= ownLeaving;
    }

    /**
     * The live roots whose trees cannot end while the user code running on the current thread waits: that of
     * the task whose body runs here (and of those it runs nested in: a caller-runs executor ran it on their thread),
     * and of the task whose fallback or listeners (but {@code onStarted}, which runs as its body) run here
     * ({@link Carrier#ending()}), and of every task that starts only after one of theirs
     * ({@link TaskNode#endingOnlyAfter}). Empty off a task's code, or for tasks of another orchestrator. Taken
     * once, when the wait starts: a task made meanwhile that starts only after these is waited for.
     */
    Set<TaskNode<?>> rootsWaitingForCallerHere() {
        Carrier here = Carrier.currentOrNull();
        if (here == null) {
            return Set.of();
        }
        Set<TaskNode<?>> own = Collections.newSetFromMap(new IdentityHashMap<>());
        List<TaskNode<?>> waiting = new ArrayList<>(here.enclosingBodies()); // bodies the caller runs nested in wait too
        waiting.add(here.top());
        waiting.add(here.ending());
        for (TaskNode<?> task : waiting) {
            if (task != null) {
                for (TaskNode<?> node : TaskNode.endingOnlyAfter(task)) {
                    if (node.parentNode() == null && roots.contains(node)) {
                        own.add(node);
                    }
                }
            }
        }
        // A root whose onFinished listeners run here (announced on this thread: TaskOutcome.announce): it left the
        // registry, and its end is recorded (it stops counting as leaving) only once the caller returns
        TaskNode<?> ending = here.ending();
        if (ending != null && ending.outcome.now() == null && ending.outcome.decided() != null
                && registeredRoot(ending, ending.occasionalOrNull()) && !roots.contains(ending)) {
            own.add(ending);
        }
        return own;
    }

    /** Whether {@code node} is a root that was registered ({@code rare}: its {@link Occasional}, if any). */
    private static boolean registeredRoot(TaskNode<?> node, Occasional rare) {
        return node.parentNode() == null && (rare == null || !rare.neverRegistered);
    }

}
