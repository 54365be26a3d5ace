package io.sweetasync;

import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.RemoteOutcome;
import io.sweetasync.spi.TaskStore;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Durable tasks of one orchestrator: the registered {@link TaskHandler}s, and the parts that do the rest, each a
 * job of its own: submission ({@link DurableSubmission}: store first, then start through the
 * {@link DurableStartGate}), re-runs of invocations claimed from dead processes or found owned here by the looks
 * ({@link DurableReruns}, their nodes made by {@link DurableStarts}), invocations placed here by other members
 * ({@link DurablesPlacedHere}) and placed on them from here ({@link PlacedDurables}), and their end written back to
 * the store ({@link DurableEnds}).
 *
 * <p>A stored invocation's {@code attempts} counts its runs: 1 when submitted, one more per claim after
 * its owner died or closed, taken back when the claiming member turns that run away before it made an attempt (a
 * queue full: {@code TaskStore.releaseUnrun}). An invocation whose runs were lost {@value #MAX_LOST_RUNS} times (its process
 * stopped without handing the run over) is given up (ended {@code FAILED}), so an invocation that kills its
 * process cannot crash every member forever; a run a graceful close stopped and handed over
 * ({@link #released}) is not lost, so deployments do not use up a long task's lives.
 *
 * <p>At each renewal of the lease, after the claims, what the store says this incarnation owns is held against
 * what this member knows of ({@link #reconcile}, {@link OwnedDurables}): a store's answer lost after its commit
 * leaves an invocation owned here that nobody runs, and no other member claims while this one renews its lease.
 *
 * <h2>Threads</h2>
 * {@link #handlers} is a concurrent map, added to by {@link #register} (at build time, or later through the
 * orchestrator) and read by every part; the parts share it, the codec and one {@link OwnedDurables}, all set before
 * this constructor returns.
 */
final class Durables {

    static final int MAX_LOST_RUNS = 10;

    /**
     * A handler, the type its argument decodes to, and the class loader the classes its tasks' stored settings
     * name are loaded with: the registering thread's context loader (the application's, also under a
     * child-first loader such as Spring Boot devtools' or an application server's, where the handler's own class
     * may come from a parent that loads another class of the same name), else the handler's.
     */
    record Registration<A>(String name, Class<A> type, TaskHandler<A, ?> handler, ClassLoader loader) {

        Registration(String name, Class<A> type, TaskHandler<A, ?> handler) {
            this(name, type, handler, DurableSettings.loaderOf(Thread.currentThread().getContextClassLoader(),
                    handler.getClass(), type));
        }

        Object call(DurableCodec codec, String encoded) throws Exception {
            return handler.handle(encoded == null ? null : codec.decode(encoded, type));
        }
    }

    final Map<String, Registration<?>> handlers = new ConcurrentHashMap<>();
    private final TaskOrchestrator orchestrator;
    private final DurableCodec codec;
    private final PlacedDurables placed;
    private final DurableSubmission submission;
    private final DurablesPlacedHere placedHere;
    private final DurableReruns reruns;
    private final DurableEnds ends;
    private final OwnedDurables owned;

    Durables(TaskOrchestrator orchestrator, DurableCodec codec, DurableStartGate gate, int maxResultSize) {
        this.orchestrator = orchestrator;
        this.codec = codec;
        this.placed = new PlacedDurables(orchestrator);
        OwnedDurables owned = new OwnedDurables();
        this.owned = owned;
        DurableStarts starts = new DurableStarts(orchestrator, this);
        this.placedHere = new DurablesPlacedHere(orchestrator, this, codec, starts);
        this.reruns = new DurableReruns(orchestrator, this, codec, owned, starts, placedHere);
        this.submission = new DurableSubmission(orchestrator, this, gate, owned);
        this.ends = new DurableEnds(orchestrator, this, codec, maxResultSize);
    }

    /** Durable tasks submitted here and placed on other members. */
    PlacedDurables placed() {
        return placed;
    }

    /**
     * A handler name is kept in the store and sent to it in every claim: 1 to 100 characters, not blank, and
     * no control characters (PostgreSQL refuses NUL in text, which would fail every claim of this member). It
     * names the tasks that run it, so it takes no {@code '/'} or {@code '#'} either, as task names do not: those
     * separate a task's path ({@code nightly#41/billing/send-invoice#42} could not be read back).
     */
    static void checkName(String name) {
        Objects.requireNonNull(name, "handler name");
        if (name.isBlank() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl)
                || name.indexOf('/') >= 0 || name.indexOf('#') >= 0) {
            throw new IllegalArgumentException("handler name must be 1 to 100 characters, not blank, without "
                    + "control characters, '/' or '#' (it names its tasks), was '"
                    + name.replaceAll("\\p{Cntrl}", "?") + "'");
        }
    }

    <A> void register(String name, Class<A> type, TaskHandler<A, ?> handler) {
        checkName(name);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        if (handlers.putIfAbsent(name, new Registration<>(name, type, handler)) != null) {
            throw new IllegalStateException("a handler named '" + name + "' is already registered");
        }
    }

    StoreSync sync() {
        return requireSync("durable tasks need");
    }

    /** The store, for a submission of the durable task {@code name}: its refusal names the task. */
    StoreSync sync(String name) {
        return requireSync("durable task '" + name + "' needs");
    }

    private StoreSync requireSync(String what) {
        StoreSync sync = orchestrator.parts().storeSync();
        if (sync == null) {
            throw new IllegalStateException(what + " a task store: build the orchestrator with "
                    + "TaskOrchestrator.builder().store(...) (or sweet.async.store.enabled=true in Spring Boot)");
        }
        return sync;
    }

    /** Whether durable tasks can run here: a codec was given (with a store, else none is stored). */
    boolean hasCodec() {
        return codec != null;
    }

    DurableCodec codec() {
        return requireCodec("durable tasks need a codec for their arguments");
    }

    /** The codec, for a submission of the durable task {@code name}: its refusal names the task. */
    DurableCodec codec(String name) {
        return requireCodec("durable task '" + name + "' needs a codec for its argument");
    }

    private DurableCodec requireCodec(String what) {
        if (codec == null) {
            throw new IllegalStateException(what + ": build the orchestrator with "
                    + "TaskOrchestrator.builder().durableCodec(...) (e.g. io.sweetasync.jdbc.JsonDurableCodec)");
        }
        return codec;
    }

    /** The registered handlers' names, a live read-only view (asked on every placement made here: no copy). */
    Set<String> handlerNames() {
        return Collections.unmodifiableSet(handlers.keySet());
    }

    Registration<?> registration(String name) {
        Registration<?> registration = handlers.get(name);
        if (registration == null) {
            throw new IllegalArgumentException("no durable task handler named '" + name + "'; registered: "
                    + new TreeSet<>(handlers.keySet()));
        }
        return registration;
    }

    /** Stores the invocation, then lets the gate start it; see {@link DurableTaskBuilder#run()}. */
    <T> SpawningTask<T> submit(TaskSpec<T> spec, String name, Object argument, Class<T> type) {
        return submission.submit(spec, name, argument, type);
    }

    @SuppressWarnings("unchecked")
    <T> Callable<T> body(Registration<?> registration, String encoded) {
        DurableCodec codec = codec();
        return () -> (T) registration.call(codec, encoded);
    }

    /** Claims and re-runs here the invocations of dead owners; see {@link DurableReruns#claimOrphans}. */
    void claimOrphans() {
        reruns.claimOrphans();
    }

    /** The look at what the store says this incarnation owns; see {@link DurableReruns#reconcile}. */
    void reconcile() {
        reruns.reconcile();
    }

    /** See {@link DurableReruns#endUnresolved()}; called by the store's lease keeper. */
    void endUnresolved() {
        reruns.endUnresolved();
    }

    /** Runs here an invocation another member placed here; see {@link DurablesPlacedHere#startPlaced}. */
    void startPlaced(TaskId id, Consumer<RemoteOutcome> onEnd, String member) {
        placedHere.startPlaced(id, onEnd, member);
    }

    /**
     * Ends, as their callers were told, the refused submissions whose rows the store committed after all: called by the
     * store's close, so that a member closing before its next look does not leave them pending for the next member
     * to run.
     */
    void endRefused(StoreSync sync) {
        owned.endRefusedNow(sync);
    }

    /**
     * This member stops: the invocations placed here that could not start yet are answered lost, so that their
     * callers wait for the run another member claims once this member's lease is released; those and the ones it
     * claimed that could not start yet are returned, to be handed back (they never ran here).
     */
    List<TaskId> abandonUnstarted() {
        List<TaskId> ids = placedHere.abandonUnstarted();
        reruns.abandonUnstarted(ids);
        return ids;
    }

    /**
     * Whether a finished durable task's run was stopped by this process's own shutdown; see
     * {@link DurableEnds#released}.
     */
    boolean released(TaskNode<?> node) {
        return ends.released(node);
    }

    /**
     * A finished durable task's end and result, for the sync thread to write after its record; null if
     * it is to stay pending ({@link #released}).
     */
    TaskStore.DurableEnd end(TaskNode<?> node) {
        return ends.end(node);
    }

    /** A durable task's result by id, decoded as {@code type}; empty while it has not ended or if unknown. */
    <T> Optional<TaskResult<T>> storedResult(TaskId id, Class<T> type) {
        return ends.storedResult(id, type);
    }
}
