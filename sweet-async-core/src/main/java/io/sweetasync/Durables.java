package io.sweetasync;

import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.DurableTarget;
import io.sweetasync.spi.RemoteOutcome;
import io.sweetasync.spi.TaskCluster;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Durable tasks of one orchestrator: the registered {@link TaskHandler}s, submission (store first, then
 * start through the {@link DurableStartGate}), re-runs of invocations claimed from dead processes, and
 * their end written back to the store.
 *
 * <p>A stored invocation's {@code attempts} counts its runs: 1 when submitted, one more per claim after
 * its owner died or closed. An invocation whose runs were lost {@value #MAX_LOST_RUNS} times (its process
 * stopped without handing the run over) is given up (ended {@code FAILED}), so an invocation that kills its
 * process cannot crash every member forever; a run a graceful close stopped and handed over
 * ({@link #released}) is not lost, so deployments do not use up a long task's lives.
 *
 * <p>At each renewal of the lease, after the claims, what the store says this incarnation owns is held against
 * what this member knows of ({@link #reconcile}, {@link OwnedDurables}): a store's answer lost after its commit
 * leaves an invocation owned here that nobody runs, and no other member claims while this one renews its lease.
 */
final class Durables {

    private static final System.Logger LOG = System.getLogger(Durables.class.getName());
    static final int MAX_LOST_RUNS = 10;
    private static final int CLAIM_BATCH = 100;

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

    private final TaskOrchestrator orchestrator;
    private final Map<String, Registration<?>> handlers = new ConcurrentHashMap<>();
    private final DurableCodec codec;
    private final DurableStartGate gate;
    /** The largest encoded result stored, in characters ({@link StoreSettings#maxResultSize()}). */
    private final int maxResultSize;
    private final PlacedDurables placed;
    /**
     * Invocations this member claimed whose run could not start yet ({@link #start}); the lease keeper retries them
     * ({@link #retry}), and the store's close takes what is left once the lease keeper has stopped.
     */
    private final Queue<DurableRecord> unstarted = new ConcurrentLinkedQueue<>();
    /** Invocations placed here whose run could not start yet ({@link #tryStart}); retried with {@link #unstarted}. */
    private final Queue<PlacedHere> placedUnstarted = new ConcurrentLinkedQueue<>();
    /**
     * Set by {@link #abandonUnstarted} before it empties the queues: one placed here after that is answered by
     * whoever adds it (it reads this after adding), so none waits in the queue for ever.
     */
    private volatile boolean abandoned;
    /** What the store says this incarnation owns, held against what this member knows of it. */
    private final OwnedDurables owned = new OwnedDurables();
    /**
     * Taken by the two paths that may start an invocation this member owns from outside the lease keeper's claims:
     * a placement sent here ({@link #tryStart}) and a look that found an invocation unknown here ({@link #recover}).
     * Each reads this member's state and starts the invocation (tracked) under it, so they never both run it.
     */
    private final Object starts = new Object();
    /**
     * Guarded by {@link #starts}: the nodes {@link #recover} started, so that a placement of the same invocation
     * arriving later follows that run instead of starting a second; the oldest forgotten beyond
     * {@value #MAX_RECOVERED} (recoveries are rare: each is a store's answer lost after its commit).
     */
    private final Map<TaskId, TaskNode<Object>> recovered = new LinkedHashMap<>();
    private static final int MAX_RECOVERED = 1000;

    Durables(TaskOrchestrator orchestrator, DurableCodec codec, DurableStartGate gate, int maxResultSize) {
        this.orchestrator = orchestrator;
        this.maxResultSize = maxResultSize;
        this.codec = codec;
        this.gate = gate;
        this.placed = new PlacedDurables(orchestrator);
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

    private StoreSync sync() {
        StoreSync sync = orchestrator.storeSync();
        if (sync == null) {
            throw new IllegalStateException("durable tasks need a task store: build the orchestrator with "
                    + "TaskOrchestrator.builder().store(...) (or sweet.async.store.enabled=true in Spring Boot)");
        }
        return sync;
    }

    DurableCodec codec() {
        if (codec == null) {
            throw new IllegalStateException("durable tasks need a codec for their arguments: build the orchestrator "
                    + "with TaskOrchestrator.builder().durableCodec(...) (e.g. io.sweetasync.jdbc.JsonDurableCodec)");
        }
        return codec;
    }

    /** Names of the registered handlers. */
    Set<String> handlerNames() {
        return Set.copyOf(handlers.keySet());
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
    <T> SpawningTask<T> submit(TaskSpec<T> spec, String name, Object argument) {
        StoreSync sync = sync();
        DurableCodec codec = codec();
        Registration<?> registration = registration(name);
        if (argument != null && !registration.type().isInstance(argument)) {
            throw new IllegalArgumentException("durable task handler '" + name + "' takes a "
                    + registration.type().getName() + ", was given a " + argument.getClass().getName());
        }
        String encoded;
        try {
            encoded = argument == null ? null : codec.encode(argument);
            if (argument != null && encoded == null) {
                // stored as no argument: the handler ran on null, silently
                throw new IllegalArgumentException("the codec " + codec.getClass().getName() + " encoded it as null");
            }
            if (encoded != null) {
                codec.decode(encoded, registration.type()); // what a re-run will see must be readable now
            }
        }
        catch (RuntimeException ex) {
            throw new IllegalArgumentException("the argument of durable task '" + name
                    + "' cannot be stored: " + ex.getMessage(), ex);
        }
        TaskSpec<T> named = spec.name() == null ? spec.withName(name) : spec;
        // What a re-run (after a crash, a hand-over, on another member) runs under, as it was given here.
        String settings = DurableSettings.write(named.name(), named.timeout(), named.retry());
        DurableTarget target = orchestrator.placement().chooseDurable(name, named.group());
        if (target != null) {
            return placed.submit(sync, registration, named, encoded, settings, target, gate);
        }
        TaskNode<T> node = orchestrator.createDurable(named, body(registration, encoded), null, 0);
        owned.starting(node.id()); // known here before the store may list it as this incarnation's
        try {
            sync.store().enqueue(new DurableRecord(node.id().value(), name, encoded, "PENDING", 1,
                    sync.incarnation(), null, null, System.currentTimeMillis(), 0, settings),
                    StoredTasks.record(node, sync.member(), sync.incarnation()));
        }
        catch (RuntimeException ex) {
            sync.untrack(node);
            node.stop(TaskNode.StopKind.REJECT, "it could not be stored: " + ex);
            // Its caller hears "not started": should the rows have been committed all the same (the answer lost
            // on the way back), the next look at the store ends them so, and never runs them.
            owned.refused(node.id(), StoredTasks.record(node, sync.member(), sync.incarnation()));
            throw new IllegalStateException("durable task '" + name + "' (" + node.label()
                    + ") could not be stored, so it was not started: " + ex.getMessage(), ex);
        }
        // Tracked (its record written by the sync thread) only once it may start: before that its rows
        // may belong to an open transaction, which a write on another connection would wait for.
        afterStored(gate, node, name, () -> {
            sync.track(node);
            node.submit();
        }, () -> owned.started(node.id()));
        return node;
    }

    /**
     * Lets {@code gate} start {@code node} (with {@code start}) or abandon it, then calls {@code settled} (after
     * {@code start} has run, or after the abandon, or once the gate failed). The gate is user code: one that
     * threw before it did either left the task live and PENDING for ever (shutdown waited for it) and its
     * submitter without a handle. Now the task ends rejected, naming the gate's error, and the submitter gets
     * that error; the invocation stays stored, so it runs all the same (at least once, as any stored invocation):
     * on the member that owns it, at the second look at the store after (see {@link OwnedDurables}), or on the
     * member that claims it once its owner stopped. A gate that throws after it decided has done its job: the
     * error is logged and the handle returned.
     */
    static void afterStored(DurableStartGate gate, TaskNode<?> node, String name, Runnable start, Runnable settled) {
        AtomicBoolean decided = new AtomicBoolean();
        try {
            gate.afterStored(() -> {
                decided.set(true);
                try {
                    start.run();
                }
                finally {
                    settled.run();
                }
            }, () -> {
                decided.set(true);
                node.stop(TaskNode.StopKind.CANCEL, "the transaction that submitted it rolled back");
                settled.run();
            });
        }
        catch (RuntimeException | Error failed) {
            if (decided.get()) {
                LOG.log(Level.WARNING, "the durable start gate threw after it started or abandoned task " + node.label(),
                        failed);
                return;
            }
            node.stop(TaskNode.StopKind.REJECT, "its start gate failed: " + failed);
            settled.run();
            throw new IllegalStateException("durable task '" + name + "' (" + node.label() + ") was stored, but its "
                    + "start gate failed before starting it, so it was not started with this handle; being stored, it "
                    + "runs at least once all the same (found by its member's next looks at the task store): "
                    + failed, failed);
        }
    }

    @SuppressWarnings("unchecked")
    private <T> Callable<T> body(Registration<?> registration, String encoded) {
        DurableCodec codec = codec();
        return () -> (T) registration.call(codec, encoded);
    }

    /**
     * Claims invocations whose owner died and runs them again here, after the claims and placements that could
     * not start at an earlier look; called by the store's lease keeper.
     */
    void claimOrphans() {
        StoreSync sync = orchestrator.storeSync();
        if (sync == null || handlers.isEmpty() || codec == null || !orchestrator.isAccepting()) {
            return;
        }
        // First the invocations placed here or claimed earlier that could not start then: this member owns them,
        // and while it renews its lease nobody else will run them.
        for (int left = placedUnstarted.size(); left > 0; left--) {
            PlacedHere placedHere = placedUnstarted.poll();
            if (placedHere == null) {
                break;
            }
            if (!tryStart(placedHere)) {
                placedUnstarted.add(placedHere);
            }
        }
        for (int left = unstarted.size(); left > 0; left--) {
            DurableRecord record = unstarted.poll();
            if (record == null) {
                break;
            }
            retry(sync, record);
        }
        List<DurableRecord> claimed = sync.store().claimOrphans(sync.incarnation(), List.copyOf(handlers.keySet()),
                CLAIM_BATCH);
        for (DurableRecord record : claimed) {
            start(sync, record);
        }
    }

    /**
     * Holds what the store says this incarnation owns against what this member knows of it ({@link OwnedDurables}),
     * after the claims of the same renewal; called by the store's lease keeper, the only thread that claims.
     */
    void reconcile() {
        StoreSync sync = orchestrator.storeSync();
        if (sync == null || handlers.isEmpty() || codec == null || !orchestrator.isAccepting()) {
            return;
        }
        owned.look(sync, () -> known(sync), id -> recover(sync, id));
    }

    /**
     * The invocations this member knows it owns, each local state read after the one it is entered from (see
     * {@link OwnedDurables}): submissions starting or refused, mirrors, claims and placements waiting to start,
     * then the store sync's tracked, handed back and unended tasks.
     */
    private Set<TaskId> known(StoreSync sync) {
        Set<TaskId> known = owned.known();
        placed.mirrored(known);
        placedUnstarted.forEach(placedHere -> known.add(placedHere.id()));
        unstarted.forEach(record -> known.add(new TaskId(record.id())));
        sync.held(known);
        return known;
    }

    /**
     * Runs invocation {@code id}, which the store said this incarnation owns at two looks in a row while this member
     * knew nothing of it: a claim (or a submission's {@code enqueue}) whose answer was lost after its commit. Under
     * {@link #starts}, so that a placement of it arriving now follows this run; this member's state and the
     * invocation are read again first (the look's list is as old as its read).
     */
    private void recover(StoreSync sync, TaskId id) {
        synchronized (starts) {
            if (known(sync).contains(id) || recovered.containsKey(id)) {
                return;
            }
            DurableRecord record = sync.store().durable(id).orElse(null);
            if (record == null || !record.status().equals("PENDING") || record.owner() != sync.incarnation()
                    || !handlers.containsKey(record.handler())) {
                return;
            }
            LOG.log(Level.WARNING, "durable task {0} ({1}) is owned by this member, which did not know it: the task "
                    + "store''s answer to its claim or its submission was lost after its commit; running it (run {2})", id,
                    record.handler(), record.attempts());
            TaskNode<Object> node = runAgain(sync, record, "the store's answer to its claim or submission was lost");
            if (node != null) {
                recovered.put(id, node);
                if (recovered.size() > MAX_RECOVERED) {
                    recovered.remove(recovered.keySet().iterator().next());
                }
            }
        }
    }

    /**
     * Runs a claimed invocation again; if that fails (the store failing to read its record, say), keeps it to
     * try again at the next look: the claim is committed, so this member owns it, and nobody else runs it while
     * this member renews its lease.
     */
    private void start(StoreSync sync, DurableRecord record) {
        try {
            runAgain(sync, record, "its process stopped");
        }
        catch (RuntimeException ex) {
            unstarted.add(record);
            LOG.log(Level.WARNING, "could not run durable task " + new TaskId(record.id()) + " again (claimed by this "
                    + "member); trying again at the next look at the store", ex);
        }
    }

    /**
     * Starts a claimed invocation that could not start at an earlier look, if this member still owns that claim.
     * While it waited this member's lease may have lapsed (the store out of reach): another member may have
     * claimed it and run it, or this member claimed it afresh (a later attempt, started from that claim). The
     * record kept is as old as the claim, so the store is read again first; if that fails it waits once more.
     */
    private void retry(StoreSync sync, DurableRecord kept) {
        TaskId id = new TaskId(kept.id());
        Optional<DurableRecord> now;
        try {
            now = sync.store().durable(id);
        }
        catch (RuntimeException ex) {
            unstarted.add(kept);
            LOG.log(Level.WARNING, "could not read durable task " + id + " (claimed by this member) from the task "
                    + "store; trying again at the next look at the store", ex);
            return;
        }
        if (now.isEmpty() || !now.get().status().equals("PENDING") || now.get().owner() != sync.incarnation()
                || now.get().attempts() != kept.attempts()) {
            LOG.log(Level.WARNING, "durable task {0} claimed by this member (attempt {1}) is not run here: while its "
                    + "run waited to start, the task store changed it ({2})", id, kept.attempts(), now.orElse(null));
            return;
        }
        start(sync, now.get());
    }

    /** Runs a claimed invocation again ({@code cause} for the log); the node that runs it here, if one does. */
    private TaskNode<Object> runAgain(StoreSync sync, DurableRecord record, String cause) {
        TaskId id = new TaskId(record.id());
        if (record.lostRuns() < MAX_LOST_RUNS && placed.handOff(record)) {
            return null; // submitted here and placed elsewhere: its handle here runs it
        }
        Optional<io.sweetasync.spi.TaskRecord> before = sync.store().find(id);
        if (record.lostRuns() >= MAX_LOST_RUNS) {
            String why = "given up: its process stopped during " + record.lostRuns() + " of its runs";
            // The history first, then the invocation: whoever sees it given up finds the record ended too. Written
            // as this member, the invocation's owner now: the store keeps a durable task's record for its owner.
            before.ifPresent(stored -> sync.store().save(List.of(given(stored, why, sync))));
            sync.store().finishDurable(id, sync.incarnation(), TaskStatus.FAILED.name(), null, why);
            LOG.log(Level.WARNING, "durable task {0} ({1}) was lost {2} times; given up", id, record.handler(),
                    record.lostRuns());
            return null;
        }
        TaskNode<Object> node = startable(sync, record, before);
        if (node == null) {
            return null;
        }
        LOG.log(Level.INFO, "running durable task {0} ({1}) again: run {2}, {3}", id, record.handler(),
                record.attempts(), cause);
        String origin = node.info().tags().get(ClusterPlacement.PLACED_FROM);
        TaskCluster cluster = orchestrator.placement().cluster();
        if (origin != null && cluster != null) {
            // Placed from a member whose handle may still wait for it: that member hears how this run ended.
            node.whenTerminal(() -> {
                RemoteOutcome outcome = orchestrator.placement().outcomeOf(node);
                try {
                    cluster.durableEnded(origin, id, outcome);
                }
                catch (RuntimeException ex) {
                    LOG.log(Level.DEBUG, "could not tell member " + origin + " that durable task " + id + " ended", ex);
                }
            });
        }
        sync.track(node);
        node.submit();
        return node;
    }

    /**
     * Runs here the stored invocation {@code id} another member stored for this member and placed here;
     * {@code onEnd} hears how it ended, or that it could not run here (lost).
     */
    void startPlaced(TaskId id, Consumer<RemoteOutcome> onEnd, String member) {
        PlacedHere placedHere = new PlacedHere(id, onEnd, member);
        if (!tryStart(placedHere)) {
            placedUnstarted.add(placedHere);
            StoreSync sync = orchestrator.storeSync();
            if (abandoned && sync != null) {
                abandon().forEach(sync::handBack); // this member stopped meanwhile: nobody else looks at the queue again
            }
        }
    }

    /**
     * Starts a durable invocation placed here, or answers that it was not run here (this member does not own it,
     * or has no store or handler for it). Returns false, having done neither, if the store failed reading it: this
     * member owns it still, and while it renews its lease nobody else runs it, so answering "lost" would leave the
     * invocation unrun and its caller waiting; it is tried again at the next look at the store.
     */
    private boolean tryStart(PlacedHere placedHere) {
        TaskId id = placedHere.id();
        String member = placedHere.member();
        StoreSync sync = orchestrator.storeSync();
        String refused;
        DurableRecord record = null;
        Optional<io.sweetasync.spi.TaskRecord> before = Optional.empty();
        if (sync == null || codec == null) {
            refused = "member " + member + " has no task store or durable codec";
        }
        else {
            try {
                Optional<DurableRecord> found = sync.store().durable(id);
                if (found.isEmpty() || !found.get().status().equals("PENDING")
                        || found.get().owner() != sync.incarnation() || !handlers.containsKey(found.get().handler())) {
                    refused = "member " + member + " does not own durable task " + id
                            + " (any more), or has no handler for it: " + found.orElse(null);
                }
                else {
                    refused = null;
                    record = found.get();
                    before = sync.store().find(id);
                }
            }
            catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "durable task " + id + " placed here could not be read from the task store; "
                        + "trying again at the next look at the store", ex);
                return false;
            }
        }
        if (refused != null) {
            LOG.log(Level.WARNING, "durable task {0} placed here was not run: {1}", id, refused);
            placedHere.onEnd().accept(RemoteOutcome.lost(member, "it was not run there: " + refused));
            return true;
        }
        synchronized (starts) {
            TaskNode<Object> running = recovered.get(id);
            if (running != null) { // a look at the store found it first and runs it: this placement follows that run
                running.whenTerminal(() -> placedHere.onEnd().accept(orchestrator.placement().outcomeOf(running)));
                return true;
            }
            TaskNode<Object> node = startable(sync, record, before);
            if (node == null) {
                placedHere.onEnd().accept(RemoteOutcome.lost(member, "its member began shutting down before it started "
                        + "there; it runs again on another"));
                return true;
            }
            node.whenTerminal(() -> placedHere.onEnd().accept(orchestrator.placement().outcomeOf(node)));
            sync.track(node);
            node.submit();
            return true;
        }
    }

    /** A durable invocation placed on this member, and who hears how its run here ended. */
    private record PlacedHere(TaskId id, Consumer<RemoteOutcome> onEnd, String member) {
    }

    /**
     * The node that runs here a stored invocation this member owns; null, having handed the invocation back
     * ({@link StoreSync#handBack}), if this member began shutting down first. A root made then is refused
     * ({@code REJECTED}, {@code FAILED}); written as the invocation's end, that would have failed for good work that
     * never ran, claimed by the lease keeper while the member began to close, or placed here then.
     */
    private TaskNode<Object> startable(StoreSync sync, DurableRecord record,
            Optional<io.sweetasync.spi.TaskRecord> before) {
        TaskNode<Object> node = orchestrator.isAccepting() ? node(record, before) : null;
        if (node == null || node.rejectedByShutdown()) {
            sync.handBack(new TaskId(record.id()));
            LOG.log(Level.INFO, "durable task {0} ({1}) is not run here: this member is shutting down; it is handed "
                    + "over when the member closes", new TaskId(record.id()), record.handler());
            return null;
        }
        return node;
    }

    /**
     * This member stops: the invocations placed here that could not start yet are answered lost, so that their
     * callers wait for the run another member claims once this member's lease is released; those and the ones it
     * claimed that could not start yet are returned, to be handed back (they never ran here).
     */
    List<TaskId> abandonUnstarted() {
        abandoned = true;
        List<TaskId> ids = new ArrayList<>(abandon());
        for (DurableRecord record; (record = unstarted.poll()) != null; ) {
            ids.add(new TaskId(record.id()));
        }
        return ids;
    }

    /** Answers lost the invocations placed here that wait to start; their ids. */
    private List<TaskId> abandon() {
        List<TaskId> ids = new ArrayList<>();
        for (PlacedHere placedHere; (placedHere = placedUnstarted.poll()) != null; ) {
            ids.add(placedHere.id());
            try {
                placedHere.onEnd().accept(RemoteOutcome.lost(placedHere.member(),
                        "the member stopped before the task store let it start the task"));
            }
            catch (RuntimeException ex) {
                LOG.log(Level.DEBUG, "could not tell how placed durable task " + placedHere.id() + " ended", ex);
            }
        }
        return ids;
    }

    /** A node for a stored invocation, with the settings its stored record kept; not yet tracked or submitted. */
    private TaskNode<Object> node(DurableRecord record, Optional<io.sweetasync.spi.TaskRecord> before) {
        TaskId id = new TaskId(record.id());
        Registration<?> registration = handlers.get(record.handler());
        // The name and tags it was submitted with come back from its stored record.
        TaskSpec<Object> spec = TaskSpec.empty().withName(before.map(io.sweetasync.spi.TaskRecord::name)
                .orElse(record.handler()));
        for (Map.Entry<String, String> tag : before.map(io.sweetasync.spi.TaskRecord::tags).orElse(Map.of()).entrySet()) {
            spec = spec.withTag(tag.getKey(), tag.getValue());
        }
        // So do its priority, group and runtime (if this member has a runtime of that name).
        if (before.isPresent()) {
            io.sweetasync.spi.TaskRecord stored = before.get();
            spec = spec.withPriority(priority(stored.priority()));
            if (stored.group() != null) {
                spec = spec.withGroup(stored.group());
            }
            if (stored.runtime() != null && orchestrator.runtimes().containsKey(stored.runtime())) {
                spec = spec.withRuntime(stored.runtime());
            }
        }
        // And its timeout and retry policy, from the invocation; one this member cannot read (a retried type it
        // cannot load) leaves the defaults, said in the log, rather than a policy missing one of its types.
        try {
            spec = DurableSettings.apply(spec, record.settings(), registration.loader());
        }
        catch (IllegalArgumentException ex) {
            LOG.log(Level.WARNING, "durable task " + id + " runs again under this member's default timeout and "
                    + "retry policy: the ones it was submitted with cannot be read here (" + ex.getMessage() + ")");
        }
        return orchestrator.createDurable(spec, body(registration, record.argument()), id, record.attempts() - 1);
    }

    private static TaskPriority priority(String name) {
        try {
            return name == null ? TaskPriority.NORMAL : TaskPriority.valueOf(name);
        }
        catch (IllegalArgumentException ex) {
            return TaskPriority.NORMAL;
        }
    }

    private static io.sweetasync.spi.TaskRecord given(io.sweetasync.spi.TaskRecord r, String why, StoreSync owner) {
        return new io.sweetasync.spi.TaskRecord(r.id(), r.parentId(), r.rootId(), r.name(), TaskStatus.FAILED.name(),
                r.priority(), r.group(), r.runtime(), r.tags(), r.createdAt(), r.startedAt(), System.currentTimeMillis(),
                r.attempts(), "TaskLostException", TaskLostException.MESSAGE + " (" + why + ")", r.queueWaitNanos(),
                r.runNanos(), r.cpuNanos(), r.allocatedBytes(), r.bytesRead(), r.bytesWritten(), r.resourceSources(),
                owner.member(), owner.incarnation(), true);
    }

    /**
     * Whether a finished durable task's run was stopped by this process's own shutdown, not by anyone's
     * choice (a user's cancel just before the shutdown is a choice: the task ends {@code CANCELLED} for good): it stays pending, handed over ({@code TaskStore.releaseDurables}) to another member or the next
     * start, which runs it again without counting a lost run.
     */
    boolean released(TaskNode<?> node) {
        return node.cancelledByShutdown();
    }

    /**
     * A finished durable task's end and result, for the sync thread to write after its record; null if
     * it is to stay pending ({@link #released}).
     */
    io.sweetasync.spi.TaskStore.DurableEnd end(TaskNode<?> node) {
        StoreSync sync = orchestrator.storeSync();
        if (released(node)) {
            return null;
        }
        TaskResult<?> result = node.resultNow0();
        String encoded = null;
        String failure = null;
        switch (result) {
            case TaskResult.Ok<?> ok -> {
                try {
                    encoded = ok.value() == null ? null : codec.encode(ok.value());
                    if (encoded != null && encoded.length() > maxResultSize) {
                        LOG.log(Level.WARNING, "the result of durable task {0} is {1} characters, over the {2} kept; "
                                + "not stored", node.label(), encoded.length(), maxResultSize);
                        encoded = null;
                    }
                }
                catch (RuntimeException | Error ex) {
                    // The codec is user code on the store's thread: whatever it throws (an Error from a getter, say)
                    // costs this result only, never the ends of other tasks or the renewal of the lease.
                    LOG.log(Level.WARNING, "the result of durable task " + node.label() + " cannot be encoded; not stored",
                            ex);
                }
            }
            case TaskResult.Err<?> err -> failure = err.error().getMessage();
        }
        return new io.sweetasync.spi.TaskStore.DurableEnd(node.id(), sync.incarnation(), node.status().name(), encoded,
                failure);
    }

    /** A durable task's result by id, decoded as {@code type}; empty while it has not ended or if unknown. */
    <T> Optional<TaskResult<T>> storedResult(TaskId id, Class<T> type) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Optional<DurableRecord> found = sync().store().durable(id);
        if (found.isEmpty() || found.get().status().equals("PENDING")) {
            return Optional.empty();
        }
        DurableRecord record = found.get();
        TaskInfo info = orchestrator.find(id).orElseGet(() -> StoredTasks.info(new io.sweetasync.spi.TaskRecord(
                id.value(), 0, id.value(), record.handler(), record.status(), TaskPriority.NORMAL.name(), null, "virtual",
                Map.of(), record.createdAt(), 0, 0, record.attempts(), null, record.failure(), 0, 0, -1, -1, -1, -1, "UUUU",
                "", id.incarnation(), true)));
        TaskStatus status = TaskStatus.valueOf(record.status());
        if (status == TaskStatus.COMPLETED) {
            return Optional.of(TaskResult.ok(record.result() == null ? null : codec().decode(record.result(), type)));
        }
        String reason = String.valueOf(record.failure());
        AsyncTaskException error = switch (status) {
            case CANCELLED -> new TaskCancelledException(info, reason);
            case TIMED_OUT -> new TaskTimeoutException(info, java.time.Duration.ZERO);
            default -> new TaskFailedException(info, new IllegalStateException(reason));
        };
        return Optional.of(TaskResult.err(error));
    }
}
