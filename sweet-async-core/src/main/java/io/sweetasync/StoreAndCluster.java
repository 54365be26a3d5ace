package io.sweetasync;

import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.TaskCluster;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskStore;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;

/**
 * The orchestrator's ties to what outlives it or lies outside it: the task store ({@link StoreSync}, the
 * durable handlers in {@link Durables}) and the cluster ({@link ClusterPlacement}, the {@code ClusterHost}
 * it serves), the incarnation they give every id, and the reads of stored tasks.
 *
 * <p>Invariants: fixed once built. The incarnation is the store's, else the cluster's (checked to lie in
 * {@code 1..}{@link TaskId#MAX_INCARNATION}), else 0. Nothing is started while the orchestrator is built:
 * the store's thread starts and the cluster attaches in {@link #start}, once the orchestrator is wired, so
 * neither calls back into a half-built one. {@link #close} comes after the runtimes stopped: the store's
 * thread writes what is left, then the cluster detaches. A failing store read is logged, never thrown.
 * Thread-safe (its parts are).
 */
final class StoreAndCluster {

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());

    private final Durables durables;
    /** Null without a store. */
    private final StoreSync storeSync;
    /** Null without a cluster. */
    private final TaskCluster cluster;
    private final ClusterPlacement placement;
    private final long incarnation;

    /** Registers {@code handlers} and, with a store, opens this member's incarnation in it. */
    StoreAndCluster(TaskOrchestrator orchestrator, StoreSettings settings, TaskStore store, DurableCodec codec,
            DurableStartGate gate, List<Durables.Registration<?>> handlers, TaskCluster cluster) {
        this.durables = new Durables(orchestrator, codec, gate, settings.maxResultSize());
        handlers.forEach(this::register);
        this.storeSync = store == null ? null : new StoreSync(orchestrator, store, settings, cluster);
        this.cluster = cluster;
        this.placement = new ClusterPlacement(orchestrator, cluster);
        this.incarnation = storeSync != null ? storeSync.incarnation() : cluster != null ? clusterIncarnation(cluster) : 0;
    }

    private <A> void register(Durables.Registration<A> registration) {
        durables.register(registration.name(), registration.type(), registration.handler());
    }

    private static long clusterIncarnation(TaskCluster cluster) {
        long value = cluster.incarnation();
        if (value < 1 || value > TaskId.MAX_INCARNATION) {
            throw new IllegalStateException("the cluster gave incarnation " + value + ", outside 1.."
                    + TaskId.MAX_INCARNATION);
        }
        return value;
    }

    /**
     * Starts the store's thread and joins the cluster; once, after the orchestrator is wired. If the cluster refuses
     * (its member serves another orchestrator already), the store's thread is stopped and the lease released before
     * the refusal goes on: nobody holds this orchestrator to close it. The cluster is left alone: what it is attached
     * to is not this orchestrator's.
     */
    void start() {
        if (storeSync != null) {
            storeSync.start();
        }
        if (cluster != null) {
            try {
                cluster.attach(placement);
            }
            catch (Throwable ex) { // the user's cluster: a checked exception its language does not declare too
                if (storeSync != null) {
                    storeSync.close();
                }
                throw ex;
            }
        }
    }

    /** Stops the store's thread (writing what is left) and leaves the cluster. */
    void close() {
        if (storeSync != null) {
            storeSync.close();
        }
        if (cluster != null) {
            cluster.detach();
        }
    }

    /** The incarnation in every id: 0 without a store or cluster. */
    long incarnation() {
        return incarnation;
    }

    /** Null without a store. */
    StoreSync storeSync() {
        return storeSync;
    }

    Durables durables() {
        return durables;
    }

    ClusterPlacement placement() {
        return placement;
    }

    /** The stored record of a task, if there is a store and it has one. */
    Optional<TaskInfo> find(TaskId id) {
        if (storeSync != null) {
            try {
                return storeSync.store().find(id).map(StoredTasks::info);
            }
            catch (Exception ex) {
                LOG.log(Level.WARNING, "task store failed reading task " + id, ex);
            }
        }
        return Optional.empty();
    }

    /** Stored records matching {@code query}, newest first; empty without a store. */
    List<TaskInfo> stored(TaskQuery query) {
        return storeSync == null ? List.of() : storeSync.store().query(query).stream().map(StoredTasks::info).toList();
    }

    /** How the store keeps up; empty without one. */
    Optional<StoreStatistics> statistics() {
        StoreSync sync = storeSync;
        return sync == null ? Optional.empty() : Optional.of(new StoreStatistics(sync.member(), sync.incarnation(),
                sync.pending(), sync.written(), sync.failedWrites(), sync.dropped()));
    }

    /** Writes the pending records now and waits; false if the store failed. True without a store. */
    boolean flush() {
        return storeSync == null || storeSync.flushNow();
    }
}
