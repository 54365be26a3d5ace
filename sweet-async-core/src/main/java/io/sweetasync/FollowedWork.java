package io.sweetasync;

import io.sweetasync.spi.PlacedTask;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Whether the work an {@code anywhere()} handle follows has begun, wherever it was placed: until then the
 * handle's status says {@code QUEUED} (the work waits for a slot or a group's permit where it runs), though its
 * own body runs (it placed the work and waits for it); see {@link TaskEnding#status()}.
 *
 * <p>Invariants: made and set on the handle before it is submitted, so its status never reads {@code RUNNING}
 * before the work began (transitions only move forward); {@link #started()} turns true once and stays true
 * ({@link #STARTED}, written once a read saw the work begun, whatever was placed since: a re-placement made by the
 * handle's retry after that read is not followed, as the read already answered); only the handle's body thread
 * calls {@link #placed}.
 *
 * <pre>{@code
 * FollowedWork work = new FollowedWork();   // installed before the handle is submitted
 * work.placed(placedTask);                  // the body placed it on a member
 * boolean begun = work.started();           // its body began there
 * }</pre>
 */
final class FollowedWork {

    private static final VarHandle WHERE = TaskFacts.fieldHandle(MethodHandles.lookup(), "where", Object.class);
    /** The work began: {@link #where} says so for good. */
    private static final Object STARTED = new Object();

    /** Null until placed; a {@link PlacedTask}, a child {@link TaskNode} run here, or {@link #STARTED}. */
    private volatile Object where;

    /** The work was placed on a member ({@code PlacedTask}) or started here as a child ({@code TaskNode}). */
    void placed(Object work) {
        Object now = where;
        if (now != STARTED) {
            WHERE.compareAndSet(this, now, work);
        }
    }

    /** Whether the work began (its body started where it runs); true once, true for good. */
    boolean started() {
        Object now = where;
        if (now == STARTED) {
            return true;
        }
        boolean begun = now instanceof PlacedTask placed ? placed.started()
                : now instanceof TaskNode<?> child && child.startedNanos != TaskFigures.UNSET;
        if (begun) {
            // Unconditionally, not a compare-and-set over the placement read: a re-placement (the handle's retry)
            // made since must not turn an answer already given (RUNNING) back to QUEUED.
            where = STARTED;
        }
        return begun;
    }
}
