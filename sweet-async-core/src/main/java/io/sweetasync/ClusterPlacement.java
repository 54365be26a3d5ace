package io.sweetasync;

import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.ClusterTask;
import io.sweetasync.spi.DurableTarget;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.RemoteOutcome;
import io.sweetasync.spi.TaskCluster;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Tasks that may run on any member ({@link AnywhereTaskBuilder}), both ways: on the placing member a task
 * whose body asks the {@link TaskCluster} for a member and mirrors the work placed there; on the chosen
 * member (as the {@link ClusterHost} the engine serves) a root task running the handler.
 *
 * <p>The placing task's body blocks (a virtual thread by default) until the remote outcome arrives;
 * {@link PlacedTask#await} promises that a lost member ends that wait. Interrupting the body (cancel,
 * timeout, a parent's end) sends a cancellation to the remote task. While it is live (not only while its body
 * runs) the placing task is no load of this member ({@link LiveTasks#loadCount}): the load counts the work, not
 * the tasks waiting for it or waiting to place it.
 * A member that turns the work away unstarted ({@link PlacedTask#refused}: it was chosen by a load from
 * before it began to shut down) leads to a new decision.
 * Decisions are taken one at a time under {@link #decisions}, and each is started (a child created here,
 * or a placement registered with the engine) before the next: a burst of placements sees its own load.
 */
final class ClusterPlacement implements ClusterHost {

    private static final System.Logger LOG = System.getLogger(ClusterPlacement.class.getName());
    static final String PLACED_FROM = ClusterTask.PLACED_FROM;

    private final TaskOrchestrator orchestrator;
    /** Null without a cluster: every placement is this member. */
    private final TaskCluster cluster;
    /** Held while a placement is decided and started. */
    private final ReentrantLock decisions = new ReentrantLock();

    ClusterPlacement(TaskOrchestrator orchestrator, TaskCluster cluster) {
        this.orchestrator = orchestrator;
        this.cluster = cluster;
    }

    // ---- the placing member ---------------------------------------------------------------------

    <T> SpawningTask<T> spawn(TaskSpec<T> spec, String handler, Object argument, Class<T> type) {
        checkArgument(registration(orchestrator, handler), argument);
        String name = spec.name() != null ? spec.name() : handler;
        String group = spec.group();
        Map<String, String> tags = spec.tags(); // the handle's own tags, without a snapshot of it per placement
        FollowedWork followed = new FollowedWork(); // the handle is QUEUED until the work began where it was placed
        Callable<T> body = WrongResultType.checked(() -> place(handler, argument, name, group, tags, followed), type,
                handler);
        // The handle only waits for the work, wherever it runs: no load of this member from its creation on, not
        // from when its body begins (late on a busy runtime or machine), else a burst of handles made faster than
        // their bodies begin has each decision see this member busy with the handles behind it (as a durable
        // task's mirror is counted, PlacedDurables). LiveTasks counts it apart while it is live.
        return orchestrator.parts().spawnFollowing(spec.withName(name).withGroup(null), body, followed);
    }

    /** The handler's registration; the same handlers serve durable and anywhere() tasks. */
    private static Durables.Registration<?> registration(TaskOrchestrator orchestrator, String handler) {
        try {
            return orchestrator.parts().durables().registration(handler);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("a task placed with anywhere() runs a registered handler: "
                    + ex.getMessage() + " (register it with TaskOrchestrator.builder().handler(...) on every member)", ex);
        }
    }

    private static void checkArgument(Durables.Registration<?> registration, Object argument) {
        if (argument != null && !registration.type().isInstance(argument)) {
            throw new IllegalArgumentException("task handler '" + registration.name() + "' takes a "
                    + registration.type().getName() + ", was given a " + argument.getClass().getName());
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T place(String handler, Object argument, String name, String group, Map<String, String> tags,
            FollowedWork followed) throws Exception {
        TaskNode<?> self = Carrier.currentTask();
        if (cluster == null) {
            SpawningTask<Object> here = startHere(self, handler, argument, name, group);
            followed.placed(here);
            return (T) awaitHere(self, here);
        }
        RemoteInvocation invocation = new RemoteInvocation(handler, argument, name, group, self.priority(), tags,
                cluster.memberName() + "/" + self.id());
        while (true) {
            PlacedTask placed;
            SpawningTask<Object> here = null;
            // One decision at a time, each started before the next is taken: a burst sees its own load.
            decisions.lock();
            try {
                placed = cluster.place(invocation);
                if (placed == null) {
                    here = startHere(self, handler, argument, name, group);
                }
                followed.placed(placed != null ? placed : here);
            }
            finally {
                decisions.unlock();
            }
            if (placed == null) {
                return (T) awaitHere(self, here);
            }
            RemoteOutcome outcome;
            try {
                outcome = placed.await();
            }
            catch (InterruptedException ex) {
                placed.cancel();
                throw ex;
            }
            if (!placed.refused()) {
                return (T) valueOf(self, outcome);
            }
            // Nothing ran there (it had begun to shut down, or lacks the handler): decide again.
            LOG.log(Level.DEBUG, "member {0} turned {1} away: {2}; placing it again", outcome.member(),
                    self.label(), outcome.failureMessage());
        }
    }

    /** The value of {@code self}'s work from how it ended elsewhere; throws, ending {@code self}, if it did not complete. */
    static Object valueOf(TaskNode<?> self, RemoteOutcome outcome) {
        TaskMetrics there = outcome.metrics();
        if (there != null) {
            self.followsWorkWith(() -> there);
        }
        String where = "member " + outcome.member() + (outcome.taskId() == null ? "" : " (as task " + outcome.taskId() + ")");
        if (outcome.lost()) {
            String why = where + ": " + outcome.failureMessage();
            self.stop(StopKind.LOST, why);
            throw new CancellationException(why);
        }
        return switch (outcome.status()) {
            case COMPLETED -> outcome.value();
            case CANCELLED -> {
                String why = "cancelled on " + where + ": " + outcome.failureMessage();
                self.stop(StopKind.CANCEL, why);
                throw new CancellationException(why);
            }
            default -> throw new RemoteTaskException(outcome.member(), outcome.taskId(), outcome.failureType(),
                    outcome.failureMessage());
        };
    }

    /** This member was chosen: the work runs as a child of the placing task, admitted by the group here. */
    private static SpawningTask<Object> startHere(TaskNode<?> self, String handler, Object argument, String name,
            String group) {
        TaskSpec<Object> spec = TaskSpec.childOf(self).withName(name).withGroup(group);
        return self.orchestrator().parts().spawn(spec, body(self.orchestrator(), handler, argument));
    }

    private static Object awaitHere(TaskNode<?> self, SpawningTask<Object> child) throws Exception {
        TaskResult<Object> result = child.result();
        self.followsWorkWith(child::metrics);
        return switch (result) {
            case TaskResult.Ok<Object> ok -> ok.value();
            case TaskResult.Err<Object>(TaskFailedException failed) when failed.getCause() instanceof Exception cause ->
                throw cause;
            case TaskResult.Err<Object>(TaskCancelledException cancelled) -> {
                self.stop(StopKind.CANCEL, cancelled.getMessage());
                throw cancelled;
            }
            case TaskResult.Err<Object>(AsyncTaskException other) -> throw other;
        };
    }

    private static Callable<Object> body(TaskOrchestrator orchestrator, String handler, Object argument) {
        Durables.Registration<?> registration = registration(orchestrator, handler);
        checkArgument(registration, argument);
        return () -> call(registration, argument);
    }

    private static <A> Object call(Durables.Registration<A> registration, Object argument) throws Exception {
        return registration.handler().handle(registration.type().cast(argument));
    }

    /** Null without a cluster. */
    TaskCluster cluster() {
        return cluster;
    }

    /** Where a durable task of {@code handler} in {@code group} should run: null for this member. */
    DurableTarget chooseDurable(String handler, String group) {
        if (cluster == null) {
            return null;
        }
        try {
            return cluster.chooseDurable(handler, group);
        }
        catch (Exception ex) {
            LOG.log(Level.WARNING, "the cluster could not choose a member for a durable task of '" + handler
                    + "'; it runs on this member", ex);
            return null;
        }
    }

    // ---- the member it was placed on ------------------------------------------------------------

    @Override
    public long durableOwner() {
        StoreSync sync = orchestrator.parts().storeSync();
        // Without a codec a store keeps history only: this member runs no durable task, and one stored for it and
        // placed here would be turned away while its live incarnation kept it, unrun, for good
        return sync == null || !orchestrator.parts().durables().hasCodec() ? 0 : sync.incarnation();
    }

    @Override
    public int durablesNotStarted(String member) {
        return orchestrator.parts().durables().placed().notStarted(member);
    }

    @Override
    public void startDurable(TaskId id, Consumer<RemoteOutcome> onEnd) {
        orchestrator.parts().durables().startPlaced(id, onEnd, memberName());
    }

    @Override
    public void durableEnded(TaskId id, RemoteOutcome outcome) {
        orchestrator.parts().durables().placed().ended(id, outcome);
    }

    @Override
    public void memberLeft(String member) {
        StoreSync sync = orchestrator.parts().storeSync();
        if (sync != null) {
            sync.claimSoon();
        }
    }

    private String memberName() {
        return cluster == null ? "local" : cluster.memberName();
    }

    /**
     * How {@code node}, run here for another member, ended. Refused because this member began to shut down (rejected,
     * or a durable re-run called off unrun), it never ran: lost, its failure type {@code TaskRejectedException} (which
     * no other lost outcome has), so that the start can tell it from a task that ran. Cancelled because this member
     * shuts down, a task did not end by anyone's wish: the process that ran it stopped, so it is reported lost (the
     * placing member's handle ends with {@code TaskLostException} naming this member, as when a member leaves); a
     * durable one stays pending in the store and runs again elsewhere. So is a durable one stopped as lost (its run
     * here was a duplicate of one another member took over after this member's lease lapsed), and a durable re-run
     * turned away here unrun (a queue full): it stays pending, and runs again at a later look.
     */
    RemoteOutcome outcomeOf(TaskNode<Object> node) {
        String member = memberName();
        if (node.refusedByShutdown()) {
            // Never ran: its member began to shut down as it was started. Lost as never started (its type says so),
            // so the placing member places it again, as when this member turns a placement away unstarted.
            return new RemoteOutcome(member, null, TaskStatus.FAILED, null, TaskRejectedException.class.getSimpleName(),
                    "it was turned away unstarted: its member began to shut down", true);
        }
        if (node.cancelledByShutdown()) {
            return RemoteOutcome.lost(member, node.isDurable()
                    ? "its member shut down before it ended; it runs again on another"
                    : "its member shut down before it ended");
        }
        if (node.bounced()) {
            // A re-run turned away here before it ran (a queue full): its invocation stays pending, handed over, and
            // runs at a later look (DurableEnds#released). Its handle follows that run, as a lost one's does; told
            // "rejected", it ended FAILED while the work went on and completed.
            return RemoteOutcome.lost(member, "it was turned away unrun there (a queue full); it runs again later");
        }
        if (node.resultNow0() instanceof TaskResult.Ok<Object>(Object value)) {
            return RemoteOutcome.of(member, node.id().toString(), node.status(), value, null, null)
                    .withMetrics(node.metrics());
        }
        TaskInfo.Failure failure = node.info().failure(); // a snapshot only when there is a failure to tell
        if (node.isDurable() && failure != null && failure.type().equals("TaskLostException")) {
            // Stopped here as a duplicate (this member's lease had lapsed and another claimed it): its handle
            // follows the run that goes on elsewhere.
            return RemoteOutcome.lost(member, failure.message());
        }
        return RemoteOutcome.of(member, node.id().toString(), node.status(), null,
                failure == null ? "AsyncTaskException" : failure.type(), failure == null ? null : failure.message())
                .withMetrics(node.metrics());
    }

    @Override
    public int liveTasks() {
        return orchestrator.parts().live.loadCount();
    }

    @Override
    public Set<String> handlers() {
        // A member that admits no new root task (shutting down) can run no placed work: none is offered, so it
        // is passed over, as a member still starting is, instead of rejecting whatever is placed on it.
        return orchestrator.isAccepting() ? orchestrator.parts().durables().handlerNames() : Set.of();
    }

    @Override
    public List<TaskInfo> roots() {
        return orchestrator.roots();
    }

    @Override
    public List<LimiterSnapshot> limiters() {
        return orchestrator.limiters();
    }

    @Override
    public void membersChanged(int position, int members) {
        if (members < 1 || position < 0 || position >= members) {
            throw new IllegalArgumentException("a member's position must be between 0 and members - 1, with at least "
                    + "1 member; was position " + position + " among " + members);
        }
        for (LimiterSnapshot group : orchestrator.limiters()) {
            orchestrator.limiter(group.group()).share(position, members); // a per-member group ignores it
        }
    }

    @Override
    public boolean cancel(TaskId id) {
        return orchestrator.cancelHere(id);
    }

    @Override
    public TaskId start(RemoteInvocation invocation, Consumer<RemoteOutcome> onEnd) {
        return start(invocation, () -> { }, onEnd);
    }

    @Override
    public TaskId start(RemoteInvocation invocation, Runnable onStarted, Consumer<RemoteOutcome> onEnd) {
        TaskSpec<Object> spec = TaskSpec.empty().withDetached().withName(invocation.name())
                .withPriority(invocation.priority()).withGroup(invocation.group());
        for (Map.Entry<String, String> tag : invocation.tags().entrySet()) {
            spec = spec.withTag(tag.getKey(), tag.getValue());
        }
        spec = spec.withTag(PLACED_FROM, invocation.origin());
        Callable<Object> work;
        try {
            work = body(orchestrator, invocation.handler(), invocation.argument());
        }
        catch (IllegalArgumentException ex) {
            work = () -> {
                throw ex;
            };
        }
        Callable<Object> handler = work;
        AtomicBoolean begun = new AtomicBoolean();
        Callable<Object> body = () -> {
            if (!begun.get() && begun.compareAndSet(false, true)) {
                try {
                    onStarted.run(); // the placing member's handle turns RUNNING
                }
                catch (Exception ex) { // the cluster's callback: a checked exception its language does not declare too
                    LOG.log(Level.WARNING, "the start of a task placed from " + invocation.origin()
                            + " could not be reported there", ex);
                }
            }
            return handler.call();
        };
        TaskNode<Object> node = (TaskNode<Object>) orchestrator.parts().spawn(spec, body);
        node.whenTerminal(() -> {
            RemoteOutcome outcome = outcomeOf(node);
            try {
                onEnd.accept(outcome);
            }
            catch (Exception ex) {
                LOG.log(Level.WARNING, "the end of placed task " + node.label() + " could not be reported to "
                        + invocation.origin(), ex);
            }
        });
        return node.id();
    }
}
