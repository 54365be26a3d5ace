package io.sweetasync;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What waits for a task's outcome besides its waiters: the actions of the tasks waiting for it ({@code after},
 * {@code chain}), the futures of {@code toCompletableFuture()}, a single runtime's own wake, and, for a task that itself
 * waits, the upstreams to take it back from as it ends; and how they are told once the outcome is complete
 * ({@link #tell}).
 *
 * <p>Invariants: one object per outcome at most, made by the first of them ({@link TaskOutcome#followers}: most tasks
 * have none, one field on every task instead of several; made only while the outcome is not done). Guarded by its
 * outcome's lock, as is that field: every method but {@link #tell} is called holding it, while the object is still its
 * outcome's. Detached from its outcome (the field set to null) under that lock once the outcome is complete, then told
 * once, by that one thread, outside the lock: from then on nothing writes to it (every writer reaches it through the
 * field, under the lock). Where and when it is told (on the completing thread, or in a completion of its own) is the
 * outcome's handshake ({@link TaskOutcome#firstFollowerAdded}); {@link #placed} is what it keeps of it. Each list is
 * null until its first entry (or again once emptied: {@link #forgetFuture}); the futures are in {@link #future} while
 * there is no list, until a second one comes, then all in {@link #futures}.
 */
final class TaskFollowers<T> {

    /**
     * What tasks waiting for this one ({@code after}, {@code chain}) do when it ends, each until that task ends first
     * ({@link TaskOutcome#removeDependent}): a completion of the future itself could not be taken back, and would keep
     * every such task that gave up (and its tree) for as long as this one runs. Each action maps to its waiting task,
     * for the walks that find what cannot end before this one ({@link TaskNode#endsOnlyAfter}).
     */
    private Map<Runnable, TaskNode<?>> dependents;
    /**
     * The futures of {@code toCompletableFuture()} made before the outcome completed, settled only after the
     * dependents' actions ran ({@link #tell}): a callback on such a future runs on the completing thread, and may wait
     * for a task that starts only after this one; settled first (a completion runs its callbacks newest first), it
     * waited for a start that came only after it returned.
     */
    private List<TaskFuture<T>> futures;
    /**
     * The one future of {@link #futures} while there is only one (its slot 0; {@code futures} is null then): most
     * tasks asked for a future are asked once, and a list would cost them an {@code ArrayList} and its array. Moved
     * into {@code futures} when a second one comes; null when there is none, or while {@code futures} holds them
     * (even one: {@link #forgetFuture} drops the list only once it emptied every slot).
     */
    private TaskFuture<T> future;
    /** Slots of {@link #futures} emptied by {@link #forgetFuture} since it was last compacted. */
    private int forgotten;
    /**
     * How a single runtime's own thread waits for this outcome ({@link OwnWake}): made by the first such wait,
     * registered as a dependent of its own; kept here so that later waits (one interrupted, then again) use it.
     */
    OwnWake wake;
    /**
     * The tasks this one waits for ({@code after}, {@code chain}) that had not ended as it was made, each with its
     * action among their {@link #dependents}: taken back from them as this task ends ({@link TaskOutcome#waitsFor}),
     * in case it ends first. Not a follower: it does not decide where the followers run ({@link #placed}).
     */
    private Upstream upstreams;
    /**
     * Whether the first dependent, future or own wake came ({@link TaskOutcome#firstFollowerAdded} called or to be
     * called by it): the object may have been made before, for {@link #upstreams} alone.
     */
    boolean placed;

    /** One entry of {@link #upstreams}: a task waited for, and this task's action among its dependents. */
    private static final class Upstream { // not a record: its toString, equals and hashCode would recurse down next

        final TaskOutcome<?> outcome;
        final Runnable action;
        final Upstream next;

        Upstream(TaskOutcome<?> outcome, Runnable action, Upstream next) {
            this.outcome = outcome;
            this.action = action;
            this.next = next;
        }
    }

    /** Adds a waiting task's action (see {@link #dependents}). */
    void addDependent(Runnable action, TaskNode<?> dependent) {
        if (dependents == null) {
            dependents = new LinkedHashMap<>();
        }
        dependents.put(action, dependent);
    }

    /** Forgets a dependent's action, if it is there. */
    void removeDependent(Runnable action) {
        if (dependents != null) {
            dependents.remove(action);
        }
    }

    /** Whether a task that has not ended waits for the outcome. */
    boolean hasDependents() {
        return dependents != null && !dependents.isEmpty();
    }

    /** The tasks that wait for the outcome and have not ended. */
    List<TaskNode<?>> dependentTasks() {
        return dependents == null ? List.of() : List.copyOf(dependents.values());
    }

    /** Adds an upstream this task waits for, with its action among that upstream's dependents (see {@link #upstreams}). */
    void addUpstream(TaskOutcome<?> upstream, Runnable action) {
        upstreams = new Upstream(upstream, action, upstreams);
    }

    /** Lets go of the upstreams: every one has ended and let go of this task (see {@link TaskOutcome#upstreamsEnded}). */
    void upstreamsEnded() {
        upstreams = null;
    }

    /** Adds a future of {@code toCompletableFuture()}, in the slot it is given (see {@link #futures}). */
    void addFuture(TaskFuture<T> added) {
        if (futures != null) {
            added.slot = futures.size();
            futures.add(added);
        }
        else if (future == null) {
            future = added;
            added.slot = 0;
        }
        else { // the second: both go to the list, the first (in its slot 0) before it
            List<TaskFuture<T>> both = new ArrayList<>(4);
            both.add(future);
            both.add(added);
            added.slot = 1;
            future = null;
            futures = both;
        }
    }

    /**
     * Forgets {@code forgottenFuture}, a future its caller completed before the outcome (see
     * {@link TaskOutcome#forgetFuture}). Its slot is emptied (found by its index, no scan); the list is compacted once
     * more than half its slots are empty, so each future costs O(1) amortized however many are outstanding and in
     * whichever order they complete.
     */
    void forgetFuture(TaskFuture<T> forgottenFuture) {
        if (future == forgottenFuture) {
            future = null; // the only one: tell settles none then
            forgottenFuture.slot = -1;
            return;
        }
        int at = forgottenFuture.slot;
        if (futures == null || at < 0 || at >= futures.size() || futures.get(at) != forgottenFuture) {
            return; // settled already (or being settled), or made after the outcome completed
        }
        futures.set(at, null);
        forgottenFuture.slot = -1;
        if (++forgotten * 2 > futures.size()) {
            int kept = 0;
            for (int i = 0; i < futures.size(); i++) {
                TaskFuture<T> still = futures.get(i);
                if (still != null) {
                    still.slot = kept;
                    futures.set(kept++, still);
                }
            }
            futures.subList(kept, futures.size()).clear();
            forgotten = 0;
            if (kept == 0) {
                futures = null; // tell settles none then
            }
        }
    }

    /**
     * Takes this task back from the dependents of the upstreams that have not ended ({@link TaskOutcome#waitsFor}),
     * runs the dependents' actions, then settles the futures: through {@link Trampoline}, so that on a thread already
     * draining terminal actions (this task ended as its upstream did) the futures are settled after the actions queued
     * before them, never before a dependent was started. The removals run no code of anyone's and end no task: at once.
     * An upstream that has ended is left alone (its own end drops its dependents, if it has not yet): most tasks that
     * waited for another started only once it ended. Called once, outside the lock, after this object was detached from
     * its outcome: nothing writes to it any more.
     */
    void tell(TaskResult<T> result) {
        List<Runnable> actions = dependents == null ? List.of() : List.copyOf(dependents.keySet());
        List<TaskFuture<T>> settled = futures;
        TaskFuture<T> only = future;
        for (Upstream up = upstreams; up != null; up = up.next) {
            if (!up.outcome.isDone()) {
                up.outcome.removeDependent(up.action);
            }
        }
        for (int i = 0; i < actions.size(); i++) { // indexed: forEach on List.of() allocates an iterator per task
            Trampoline.run(actions.get(i));
        }
        if (settled != null || only != null) {
            // Their callbacks run here, before the task leaves its parent: marked as its end's user code is, so
            // that a callback's wait for an ancestor is refused and its shutdown(grace) does not wait for the tree.
            // Guests as listeners are: on a body's thread (a parent that cancelled its queued child) an interrupt
            // they leave or swallow changes nothing of that body's (Carrier.afterGuest), nor do the name, context class
            // loader and priority they change, on any thread (ThreadState.restoreAfterGuest).
            TaskNode<T> task = only == null ? null : only.task;
            for (int i = 0; task == null; i++) { // at least half the slots hold a future (see forgetFuture)
                TaskFuture<T> first = settled.get(i);
                task = first == null ? null : first.task;
            }
            TaskNode<T> ended = task;
            Trampoline.run(() -> ended.runWhileEnding("a completion callback", () -> {
                Thread thread = Thread.currentThread(); // what the code may change of it, given back after it
                String name = thread.getName();
                ClassLoader loader = thread.getContextClassLoader();
                int priority = thread.getPriority();
                long before = Carrier.beforeGuest();
                TaskNode<?> hidden = Carrier.hideTask();
                ArrayDeque<Runnable> drain = Trampoline.leaveDrain();
                try {
                    if (only != null) {
                        only.settle(result);
                    }
                    for (int i = 0; settled != null && i < settled.size(); i++) {
                        TaskFuture<T> each = settled.get(i);
                        if (each != null) { // a slot forgetFuture emptied
                            each.settle(result);
                        }
                    }
                }
                finally {
                    Trampoline.backToDrain(drain);
                    Carrier.showTask(hidden);
                    ThreadState.restoreAfterGuest(thread, name, loader, priority);
                    Carrier.afterGuest(before);
                }
            }));
        }
    }
}
