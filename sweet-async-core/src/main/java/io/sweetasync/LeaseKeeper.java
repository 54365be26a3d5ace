package io.sweetasync;

import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskClock;
import io.sweetasync.spi.TaskStore;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lease keeper of a {@link StoreSync}: what its thread ({@code sweet-async-store-lease}) does. Every third of the
 * lease it renews the lease (which also marks lost the tasks of dead incarnations), stops the durable tasks other
 * members took over while this member could not renew ({@link #stopTakenOver}), or while it renewed in time by a clock
 * the claimer's disagreed with ({@link #stopTakenOverUnnoticed}), claims orphaned durable invocations
 * (not for a lease after this member was out of the store's reach: {@link #claimsHeldUntil}),
 * and holds the invocations the store says this member owns against those it knows of ({@link OwnedDurables}: an
 * answer lost after its commit strands nothing). After {@link StoreSync#claimSoon()} (a cluster member left) it
 * claims orphans at every interval for one lease, so a dead member's durable invocations are taken over within an
 * interval of its lease lapsing, rather than at the next third of this member's lease.
 *
 * <p>It has a thread apart from the writer's so that a write that takes long (a large batch, a lock wait, a purge of
 * a week of records) never keeps the lease of this live member from being renewed: a lapsed lease would have its
 * durable tasks run a second time elsewhere and its other tasks marked lost. For the same reason what follows a
 * renewal, and a claim between renewals, is made within a bound ({@link #bounded}): the store's calls in it wait a
 * third of the lease at most, together ({@link TaskStore#within}), so a lock another session holds on the durable
 * table (an index built on it, a {@code VACUUM FULL}, an {@code ALTER TABLE}) delays the next renewal by that much
 * at most, never without end. What was given up is done at the next renewal: a failure of its own, counted and
 * said in the log as the store's failures are ({@link StoreSync#storeDown}), the lease having been renewed.
 *
 * <h2>Threads</h2>
 * {@link #lastHeartbeat}, {@link #renewedAt} and {@link #unlooked} are only the lease keeper's thread's after
 * construction;
 * {@link #claimUntil} is written by whoever calls {@link StoreSync#claimSoon()} and read by the lease keeper
 * (volatile). It reads {@link StoreSync}'s {@code tracked} (runs another member took over), and the runs it
 * claims are added to it ({@link StoreSync#track}). {@link #leaseDown} is its half of the store-down warning. It
 * stops before the store's close hands back what is left and releases the lease: no renewal after the release.
 */
final class LeaseKeeper {

    private static final System.Logger LOG = System.getLogger(StoreSync.class.getName()); // the name users configure

    private final StoreSync sync;
    private final TaskOrchestrator orchestrator;
    private final TaskStore store;
    private final StoreSettings settings;
    private final ConcurrentHashMap<TaskNode<?>, String> tracked;
    /** Whether renewing the lease or claiming failed last time; for the warning when it starts and ends. */
    private final AtomicBoolean leaseDown = new AtomicBoolean();
    /** Only the lease keeper touches this. */
    private long lastHeartbeat;
    /**
     * When ({@code System.nanoTime()}) the last renewal of the lease that succeeded began: the lease held at
     * least until a lease after it. Only the lease keeper touches it after construction.
     */
    private long renewedAt;
    /**
     * The longest time out of reach of the store ({@code System.nanoTime()} units), a lease or more, whose look at
     * the runs other members took over meanwhile ({@link #stopTakenOver}) has not gone through yet; 0 if none. Only
     * the lease keeper's thread touches it.
     */
    private long unlooked;
    /**
     * Until when ({@code System.nanoTime()}) orphans are claimed at every interval; see {@link StoreSync#claimSoon()}.
     */
    private volatile long claimUntil = System.nanoTime();
    /**
     * Until when ({@code System.nanoTime()}) this member claims nothing: a lease from its first renewal after it was out
     * of the store's reach for five sixths of a lease or more (a live member renewing every third of the lease has
     * two thirds of it left at any moment: an outage shorter than that lapses none; a renewal failing now and then,
     * one in three, leaves two thirds between the renewals that went through, and does not hold the claims back: it
     * held them for ever). An outage that kept this member from renewing kept the others too, alive as they are:
     * their leases lapsed in the store, and claiming their runs the moment the store came back took the work of live
     * members, which then stopped their copies (two members claimed each other's runs and every one ended lost). Each
     * live member renews within a third of the lease once the store is back; one that does not within a lease is
     * gone. Only the lease keeper's thread touches it.
     */
    private long claimsHeldUntil = System.nanoTime();

    /** {@code renewedAt}: read before the lease was taken, a lower bound of its start. */
    LeaseKeeper(StoreSync sync, long renewedAt) {
        this.sync = sync;
        this.orchestrator = sync.orchestrator;
        this.store = sync.store();
        this.settings = sync.settings;
        this.tracked = sync.tracked;
        this.renewedAt = renewedAt;
        this.lastHeartbeat = System.nanoTime();
    }

    /**
     * The lease keeper's loop: the renewal every third of the lease, claims in between after
     * {@link StoreSync#claimSoon()}. Each step on its own, and on a thread apart from the writes: a write that is slow
     * or fails unexpectedly (an Error from the store) must not keep the lease from being renewed, or this live member
     * would be declared dead and its work run twice.
     */
    void loop() {
        while (sync.awaitInterval()) {
            long now = System.nanoTime();
            if (now - lastHeartbeat >= settings.lease().toNanos() / 3) {
                lastHeartbeat = now;
                StoreSync.step(this::heartbeat);
            }
            else if (now - claimUntil < 0) {
                StoreSync.step(this::claimOrphans);
            }
        }
    }

    private void heartbeat() {
        long started = System.nanoTime();
        AtomicBoolean hung = new AtomicBoolean(); // set by the warning or by the return, whichever comes first
        TaskClock.Scheduled watch = watchRenewal(started, hung);
        int lost;
        try {
            lost = store.heartbeat(incarnation(), settings.lease());
        }
        catch (Exception ex) {
            sync.storeDown(leaseDown, "renewing the lease of member " + member(), ex);
            return;
        }
        finally {
            renewalReturned(watch, hung, started);
        }
        long outOfReach = System.nanoTime() - renewedAt;
        renewedAt = started;
        if (outOfReach >= settings.lease().toNanos() / 6 * 5) {
            claimsHeldUntil = System.nanoTime() + settings.lease().toNanos();
        }
        if (lost > 0) {
            LOG.log(Level.WARNING, "{0} task(s) of stopped processes were marked lost (TaskLostException)", lost);
        }
        if (outOfReach >= settings.lease().toNanos()) {
            unlooked = Math.max(unlooked, outOfReach);
        }
        bounded("the durable tasks' work that follows a renewal of the lease of member " + member() + " (the lease "
                + "was renewed)", this::afterRenewal);
    }

    /**
     * Watches the renewal begun at {@code started}: if it has not returned once it has taken a third of the lease and
     * the lease has lapsed by this member's clock (a call waiting on a connection that died without a word: no socket
     * timeout), a warning says so, once, from the orchestrator's own clock (not with a clock of the user's): other
     * members may claim this member's durable invocations and run them too, and nothing here can tell until the call
     * returns (then the runs they took over are stopped, {@link #stopTakenOver}). A renewal that fails at once is said
     * by {@link StoreSync#storeDown} instead.
     */
    private TaskClock.Scheduled watchRenewal(long started, AtomicBoolean hung) {
        long lease = settings.lease().toNanos();
        long delay = Math.max(lease / 3, renewedAt + lease - started);
        try {
            // In real time (a user's manual clock would fire it when a test moves it, or never), on the orchestrator's
            // own clock's threads; none with a user's clock, or once it closed: nothing is watched then.
            TaskClock.Scheduled watch = orchestrator.parts().scheduleInRealTime(Duration.ofNanos(delay), () -> {
                if (!hung.compareAndSet(false, true)) {
                    return; // returned meanwhile
                }
                LOG.log(Level.WARNING, "the renewal of member " + member() + "'s lease in the task store has not "
                        + "returned for " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms, and its "
                        + "lease (" + settings.lease() + ") has lapsed by this member's clock: other members may claim "
                        + "its durable tasks and run them too (the runs they took over are stopped here once the "
                        + "renewal returns). A store call without a timeout waits for ever on a connection that died "
                        + "without a word: give the store's connections a socket timeout well under the lease "
                        + "(PostgreSQL: socketTimeout on the JDBC URL, in seconds)");
            });
            return watch != null ? watch : () -> { };
        }
        catch (RuntimeException ex) {
            return () -> { }; // the clock is closing with the orchestrator: nothing to watch for
        }
    }

    private void renewalReturned(TaskClock.Scheduled watch, AtomicBoolean hung, long started) {
        watch.cancel();
        if (!hung.compareAndSet(false, true)) { // the warning was said
            LOG.log(Level.INFO, "the renewal of member {0}''s lease returned after {1} ms", member(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
        }
    }

    /** What follows a renewal: the looks at runs taken over, the claims, the look at what this member owns. */
    private void afterRenewal() {
        if (unlooked > 0) {
            // Kept until a look went through: a store that fails again on the read (it flaps as it comes back)
            // would otherwise leave the duplicate runs of the outage running, the next renewal being in time.
            stopTakenOver(Duration.ofNanos(unlooked));
            unlooked = 0;
        }
        else {
            stopTakenOverUnnoticed();
        }
        if (claimsAllowed()) {
            orchestrator.parts().durables().claimOrphans();
        }
        orchestrator.parts().durables().reconcile();
        orchestrator.parts().durables().endUnresolved();
    }

    /**
     * Runs {@code step} with the store's calls in it waiting a third of the lease at most, together
     * ({@link TaskStore#within}): the next renewal comes that much later at most (JDBC rounds the bound up to whole
     * seconds), whatever locks the store's tables wait for. A store failure in it, a call given up at the bound among
     * them, is counted and said in the log as {@code what} ({@link StoreSync#storeDown}); the step is made again at
     * the next renewal.
     */
    private void bounded(String what, Runnable step) {
        try {
            store.within(settings.lease().dividedBy(3), step);
            sync.storeUp(leaseDown);
        }
        catch (Exception ex) {
            sync.storeDown(leaseDown, what + "; its store calls wait " + settings.lease().dividedBy(3) + " at most "
                    + "together, then are tried again at the next renewal", ex);
        }
    }

    /**
     * This member's lease may have lapsed before this renewal ({@code outOfReach} passed since the last one
     * began, a lease or more): other members may have claimed its durable invocations meanwhile and be
     * running them. A durable task still live here whose stored invocation another incarnation owns now, or
     * that has ended, is the duplicate run: it is stopped, ending {@code FAILED} with {@link TaskLostException}
     * (its end is not written: the store refuses an end from an owner it no longer has). An invocation nobody
     * claimed is still this member's, and its run goes on.
     */
    private void stopTakenOver(Duration outOfReach) {
        for (TaskNode<?> node : tracked.keySet()) {
            if (node.isDurable() && !node.isFinished()) {
                stopIfTakenOver(node, "member " + member() + " could not renew its lease in the task store for "
                        + outOfReach.toMillis() + " ms (lease " + settings.lease() + ")");
            }
        }
    }

    /**
     * The durable runs live here that the store no longer lists as this incarnation's, though every renewal was in
     * time by this member's clock: its lease had lapsed all the same by the clock of a member that claimed them (a
     * wall clock stepped back at a renewal, or the members' clocks apart by more than the lease). Each such run is
     * stopped as {@link #stopTakenOver} stops one. The runs are read before the store's list: each was this
     * incarnation's when it was read, so one missing from the list has been claimed by another member or ended there
     * (read again before it is stopped). One list of ids per renewal, only while a durable run is live here.
     */
    private void stopTakenOverUnnoticed() {
        List<TaskNode<?>> running = new ArrayList<>();
        for (TaskNode<?> node : tracked.keySet()) {
            if (node.isDurable() && !node.isFinished()) {
                running.add(node);
            }
        }
        if (running.isEmpty()) {
            return;
        }
        Set<TaskId> listed = new HashSet<>(OwnedDurables.listed(sync));
        for (TaskNode<?> node : running) {
            if (!listed.contains(node.id()) && !node.isFinished()) {
                stopIfTakenOver(node, "member " + member() + " renewed its lease in time by its own clock, but the "
                        + "lease had lapsed by the clock of another member (clocks apart by more than the lease "
                        + settings.lease() + ")");
            }
        }
    }

    /** Stops {@code node} if the store says another incarnation runs its invocation now, or that it ended there. */
    private void stopIfTakenOver(TaskNode<?> node, String cause) {
        DurableRecord stored = store.durable(node.id()).orElse(null);
        if (stored != null && (stored.owner() != incarnation() || !stored.status().equals("PENDING"))) {
            String now = stored.status().equals("PENDING") ? "incarnation " + stored.owner() + " runs it now"
                    : "it ended " + stored.status() + " there";
            String why = cause + ", and another member claimed it: " + now + "; read its result with storedResult("
                    + node.id() + ", type)";
            LOG.log(Level.WARNING, "durable task {0} stopped here: {1}", node.label(), why);
            node.stop(StopKind.LOST, why);
        }
    }

    /**
     * Another member may have died: for the next lease (and an interval), claim orphaned durable invocations
     * at every interval. Only invocations whose owner's lease has lapsed are claimed, so this never takes a
     * task from a member that is still alive and renewing; it only stops waiting for the next periodic look.
     */
    void claimSoon() {
        claimUntil = System.nanoTime() + settings.lease().plus(settings.flushInterval()).toNanos();
    }

    private void claimOrphans() {
        if (claimsAllowed()) {
            bounded("claiming the durable tasks of a member that left", orchestrator.parts().durables()::claimOrphans);
        }
    }

    /** Whether this member claims orphans now: not for a lease after it was out of the store's reach. */
    private boolean claimsAllowed() {
        return System.nanoTime() - claimsHeldUntil >= 0;
    }

    private long incarnation() {
        return sync.incarnation();
    }

    private String member() {
        return sync.member();
    }
}
