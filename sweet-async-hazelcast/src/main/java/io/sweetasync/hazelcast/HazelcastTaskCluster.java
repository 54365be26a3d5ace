package io.sweetasync.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.DurableTarget;
import io.sweetasync.spi.MemberSnapshot;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.RemoteOutcome;
import io.sweetasync.spi.TaskCluster;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link TaskCluster} on an embedded Hazelcast member (Community Edition; no CP subsystem). Give one to
 * each member's orchestrator; all members register the same task handlers.
 *
 * <ul>
 *   <li><b>Placement</b>: a task built with {@code anywhere()} is started on the member with the fewest live
 *   tasks (a member whose group has no headroom comes last), sent through the member's
 *   {@code IExecutorService} {@code "sweet-async"}. A task that ends within a moment (2 ms) answers its
 *   outcome in the start's own response, one round trip like a plain {@code submitToMember(...).get()};
 *   a longer one's outcome comes back in a message when it ends. Cancelling it sends a cancellation that
 *   interrupts its body there. A member chosen by a load older than its orchestrator's close or shutdown
 *   starts nothing and says so; the placing member then decides again without it.</li>
 *   <li><b>Durable tasks</b> (with a task store shared by the members) are placed the same way, among the
 *   members with a store: the invocation is stored owned by the chosen member's incarnation, then started
 *   there with {@code StartDurable}; the caller's handle follows it.</li>
 *   <li><b>Member loss</b>: when a member leaves the cluster, every task placed on it from here ends
 *   {@code FAILED} with {@code TaskLostException} naming it, at once; a durable one is not lost: the handle
 *   waits for its next run, which any member claims once the lost member's lease in the store lapses (the
 *   members look at every store interval from the moment they see it leave). When this member's own
 *   Hazelcast instance stops (shut down or terminated), every task placed from here ends lost the same way:
 *   no end can reach it any more.</li>
 *   <li><b>One view</b>: {@link #members()} asks every member for its live trees and groups,
 *   {@link #memberLimiters()} for its groups alone (once this member's
 *   own Hazelcast instance has stopped, it shows this member's alone, and a cancellation by id is answered here).</li>
 *   <li><b>Cluster-wide groups</b>: a group configured {@code withClusterWide(true)} splits its limit across
 *   the members of the Hazelcast cluster, in their join order (see {@code LimiterConfig}); the split is
 *   redone whenever a member joins or leaves. Every member should run an orchestrator with the same group
 *   configuration: a member without one holds its share unused.</li>
 *   <li><b>Ids</b> are unique among the cluster's members, whatever their stores. The map
 *   {@code "sweet-async-ids"} holds a counter, the largest incarnation handed out in the cluster. A member
 *   without a task store takes the counter plus one (an entry processor). A member with a store takes its
 *   store's number and claims it: the counter rises to it if below; if not (members without a store, or with
 *   another store, took it), the member opens its store again with at least the counter plus one, the store
 *   skipping ahead, and claims that. So a store member's ids stay unique in its store across restarts, and
 *   no member of the running cluster repeats another's; each member claims its number again when a member leaves or
 *   the counter's partition is lost (its owner and backup crashed together), so a lost counter starts again above
 *   every live member's. A cluster restarted from nothing starts counting
 *   again: until a member with a store has joined, members without one may repeat ids of an earlier run
 *   (ids kept in a store among them).</li>
 * </ul>
 *
 * <p>Split brain is out of scope: if the network splits, each side sees the other's members leave (their
 * placed tasks end lost on this side, though they may still run on theirs) and places work only on its
 * own side; when the sides merge, nothing is reconciled. A member of the side that merges into the other ends its
 * tasks placed elsewhere lost as it merges (their ends cannot reach it under its new member UUID), publishes its
 * load under the new UUID, and claims its incarnation again in the merged counter.
 *
 * <pre>{@code
 * HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(config);
 * TaskOrchestrator orchestrator = TaskOrchestrator.builder()
 *         .cluster(new HazelcastTaskCluster(hazelcast))
 *         .handler("resize", Image.class, resizer::resize)
 *         .build();
 * Image small = orchestrator.to(Image.class).anywhere().await("resize", image);
 * }</pre>
 */
public final class HazelcastTaskCluster implements TaskCluster {

    private static final System.Logger LOG = System.getLogger(HazelcastTaskCluster.class.getName());
    private static final String CONTEXT_KEY = HazelcastTaskCluster.class.getName();
    static final String EXECUTOR = "sweet-async";
    private static final Duration DEFAULT_PUBLISH = Duration.ofMillis(200);
    /** Whether the last choice of a member failed because this member's Hazelcast instance is not active. */
    private final AtomicBoolean choiceFailing = new AtomicBoolean();
    private final HazelcastInstance hazelcast;
    private final IExecutorService executor;
    private final MemberLoads loads;
    private final Placements placements;
    private final PlacedHere placedHere;
    private final GroupShares shares;
    /** This member's name; its address does not change while it runs. */
    private final String memberName;
    /**
     * This cluster's own id as a placer of work, new for every instance: loads count placed work by it, so
     * that work an earlier orchestrator on the same Hazelcast member placed (still running elsewhere) is not
     * taken for this one's (replies still go to the member, by its uuid).
     */
    private final UUID placer = UUID.randomUUID();
    /** This member's incarnation in the cluster's counter. */
    private final ClusterIds ids;
    private final ClusterViews views;
    private volatile ClusterHost host;
    private UUID membershipListener;
    private UUID lifecycleListener;

    /** A cluster on {@code hazelcast}, a running member; loads are published every 200 ms. */
    public HazelcastTaskCluster(HazelcastInstance hazelcast) {
        this(hazelcast, DEFAULT_PUBLISH);
    }

    /**
     * A cluster on {@code hazelcast} publishing this member's load every {@code loadInterval} (10 ms to
     * 1 minute): shorter spreads bursts better, at the cost of more replication traffic.
     */
    public HazelcastTaskCluster(HazelcastInstance hazelcast, Duration loadInterval) {
        this.hazelcast = Objects.requireNonNull(hazelcast, "hazelcast");
        Objects.requireNonNull(loadInterval, "loadInterval");
        if (loadInterval.compareTo(Duration.ofMillis(10)) < 0 || loadInterval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("loadInterval must be between 10 ms and 1 minute, was " + loadInterval);
        }
        configureOwn(hazelcast);
        this.executor = hazelcast.getExecutorService(EXECUTOR);
        this.loads = new MemberLoads(hazelcast, loadInterval, placer);
        this.placements = new Placements(this, executor);
        this.placedHere = new PlacedHere(this, hazelcast, executor, loads);
        this.shares = new GroupShares(hazelcast);
        this.memberName = MemberNames.of(hazelcast.getCluster().getLocalMember());
        this.ids = new ClusterIds(hazelcast);
        this.views = new ClusterViews(this, hazelcast, executor, loads);
    }

    /**
     * Gives the map {@code "sweet-async-ids"} ({@link ClusterIds#configure}) and the executor {@code "sweet-async"} a
     * configuration of their own unless the application made one. Without one the executor takes the {@code default}
     * executor's, whose bounded queue dropped messages; an application's own executor configuration with a bounded
     * queue is kept, with a warning. The configurations are Hazelcast's plain ones; every member adds the same ones.
     */
    private static void configureOwn(HazelcastInstance hazelcast) {
        ClusterIds.configure(hazelcast);
        // Likewise the executor that carries every start, end and cancellation: under a default one with a bounded
        // queue (a guard against memory growth) a burst had starts turned away, and end messages, sent without an
        // answer, dropped, their handles waiting for good. Hazelcast's plain one: 16 threads, an unbounded queue.
        try {
            ExecutorConfig found = hazelcast.getConfig().findExecutorConfig(EXECUTOR);
            if ("default".equals(found.getName())) {
                hazelcast.getConfig().addExecutorConfig(new ExecutorConfig(EXECUTOR));
            }
            else if (found.getQueueCapacity() > 0 && found.getQueueCapacity() < Integer.MAX_VALUE) {
                // The application's own: kept, but the dropped ends it may cause are said once, at start.
                LOG.log(Level.WARNING, "the executor " + EXECUTOR + " has the application's configuration '"
                        + found.getName() + "' with a queue capacity of " + found.getQueueCapacity() + ": under a burst "
                        + "it turns away placed tasks' starts (their handles fail) and drops their end messages (their "
                        + "handles may wait for good). Give it an unbounded queue (queue capacity 0)");
            }
        }
        catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "could not configure the executor " + EXECUTOR + " (it takes the default executor "
                    + "configuration: give it an unbounded queue, or placed tasks' messages may be dropped)", ex);
        }
    }

    /** The cluster attached on the member {@code hazelcast}; for messages run there. */
    static HazelcastTaskCluster attachedTo(HazelcastInstance hazelcast) {
        Object attached = hazelcast.getUserContext().get(CONTEXT_KEY);
        if (!(attached instanceof HazelcastTaskCluster cluster) || cluster.host == null) {
            throw new IllegalStateException("no Sweet Async orchestrator is attached to Hazelcast member "
                    + MemberNames.of(hazelcast.getCluster().getLocalMember())
                    + ": build one with TaskOrchestrator.builder().cluster(new HazelcastTaskCluster(instance))");
        }
        return cluster;
    }

    @Override
    public synchronized void attach(ClusterHost host) {
        Objects.requireNonNull(host, "host");
        if (this.host != null || hazelcast.getUserContext().putIfAbsent(CONTEXT_KEY, this) != null) {
            throw new IllegalStateException("an orchestrator is already attached to Hazelcast member " + memberName()
                    + ": one orchestrator per member");
        }
        this.host = host;
        placements.open();
        membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                LOG.log(Level.INFO, "cluster member {0} joined", MemberNames.of(event.getMember()));
                shares.update(host);
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                LOG.log(Level.WARNING, "cluster member {0} left; tasks placed on it from here are lost",
                        MemberNames.of(event.getMember()));
                placements.memberLeft(event.getMember());
                ids.claimMineAgain(); // the counter may have left with it (and with its partition's backup)
                loads.forget(event.getMember().getUuid());
                shares.update(host);
                ClusterHost attached = HazelcastTaskCluster.this.host;
                if (attached != null) {
                    attached.memberLeft(MemberNames.of(event.getMember()));
                }
            }
        });
        // No membership event tells this member that it stops itself: without this, a handle whose work runs
        // elsewhere would wait for an end message that can no longer arrive.
        // Nor that it merges into another cluster after a split: it comes back under a new member UUID, so ends
        // addressed to it as it was never arrive, and the ids counter is the other side's (claimed again).
        lifecycleListener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
            switch (event.getState()) {
                case SHUTTING_DOWN, SHUTDOWN ->
                        placements.closeAll("this member's Hazelcast instance stopped before the task ended");
                case MERGING -> placements.mergedAway("this member merged into another cluster after a split before "
                        + "the task ended (its end, addressed to this member as it was, cannot arrive)");
                case MERGED -> ids.claimMineAgain();
                default -> {
                }
            }
        });
        ids.listen(); // the counter's partition lost with all its replicas: claimed again
        shares.update(host);
        loads.start(host);
    }

    @Override
    public long incarnation() {
        return ids.take();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here an entry processor on the counter in the map {@code "sweet-async-ids"}: it raises the counter to
     * {@code proposed} if below, else answers the counter plus one.
     */
    @Override
    public long claimIncarnation(long proposed) {
        return ids.claim(proposed);
    }

    @Override
    public String memberName() {
        return memberName;
    }

    /**
     * {@inheritDoc}
     *
     * <p>When this member's own Hazelcast instance has stopped (shut down by the application, or by Hazelcast after a
     * split it could not merge) while its orchestrator goes on, no member can be chosen: the work runs here, the one
     * member it can reach (as a durable task's choice does), and a warning says so once until a choice goes through
     * again. Only a failure before anything was sent is taken so: one after the start was sent fails the task, which
     * may have begun elsewhere.
     */
    @Override
    public PlacedTask place(RemoteInvocation invocation) {
        ClusterHost here = host();
        Member target;
        UUID origin;
        try {
            target = loads.choose(invocation.handler(), invocation.group(), here, placements::outstanding);
            origin = target.localMember() ? null : hazelcast.getCluster().getLocalMember().getUuid();
        }
        catch (HazelcastInstanceNotActiveException ex) {
            if (!choiceFailing.getAndSet(true)) {
                LOG.log(Level.WARNING, "this member''s Hazelcast instance is not active: task {0} and every anywhere() "
                        + "task after it run on this member until it is again (said once)", invocation.origin());
            }
            return null;
        }
        if (choiceFailing.get() && choiceFailing.getAndSet(false)) { // a plain read on every placement, a write once
            LOG.log(Level.INFO, "the cluster chooses members for anywhere() tasks again");
        }
        return target.localMember() ? null : placements.start(target, invocation, origin, placer);
    }

    @Override
    public DurableTarget chooseDurable(String handler, String group) {
        ClusterHost here = host();
        Member target = loads.choose(handler, group, here,
                member -> placements.outstanding(member) + here.durablesNotStarted(MemberNames.of(member)), true);
        // the load it was chosen by (the view): this member's replica of it may lag behind (a put reaches the key's
        // partition owner first), and a null here would run the task on this member without a word
        MemberLoad load = target.localMember() ? null : loads.seen(target);
        return load == null ? null : new DurableTarget(MemberNames.of(target), load.durableOwner());
    }

    @Override
    public PlacedTask startDurable(DurableTarget target, TaskId id) {
        Member member = memberNamed(target.member());
        if (member == null) {
            return PlacedTask.lost(target.member(), "it was no longer a member of the cluster");
        }
        return placements.startDurable(member, id, hazelcast.getCluster().getLocalMember().getUuid(), placer);
    }

    @Override
    public void durableEnded(String origin, TaskId id, RemoteOutcome outcome) {
        placedHere.durableEnded(origin, id, outcome);
    }

    /** The member of the cluster named {@code name}, or null if it is not (any more) a member. */
    Member memberNamed(String name) {
        return hazelcast.getCluster().getMembers().stream().filter(member -> MemberNames.of(member).equals(name))
                .findFirst().orElse(null);
    }

    @Override
    public List<MemberSnapshot> members() {
        return views.members();
    }

    /** Every member's groups alone: each member is asked for its limiter snapshots, not its trees. */
    @Override
    public List<MemberSnapshot> memberLimiters() {
        return views.memberLimiters();
    }

    /** The task of that id: each member is asked for it alone, so only its subtree travels. */
    @Override
    public Optional<TaskInfo> find(TaskId id) {
        Objects.requireNonNull(id, "id");
        return views.find(id);
    }

    @Override
    public boolean cancel(TaskId id) {
        Objects.requireNonNull(id, "id");
        return views.cancel(id);
    }

    @Override
    public synchronized void detach() {
        if (host == null) {
            return;
        }
        placements.closeAll("this member stopped serving the cluster before the task ended");
        loads.stop();
        try {
            hazelcast.getLifecycleService().removeLifecycleListener(lifecycleListener);
            hazelcast.getCluster().removeMembershipListener(membershipListener);
            ids.stopListening();
            hazelcast.getUserContext().remove(CONTEXT_KEY, this);
        }
        catch (RuntimeException ex) {
            LOG.log(Level.DEBUG, "the Hazelcast member stopped first", ex); // nothing left to withdraw from
        }
        host = null;
    }

    // ---- served to messages run on this member --------------------------------------------------

    ClusterHost host() {
        ClusterHost attached = host;
        if (attached == null) {
            throw new IllegalStateException("no orchestrator is attached to this cluster member (" + memberName() + ")");
        }
        return attached;
    }

    /** The orchestrator attached, or null if none is (any more). */
    ClusterHost attachedHost() {
        return host;
    }

    PlacedHere placedHere() {
        return placedHere;
    }

    Placements placements() {
        return placements;
    }

    MemberLoads loads() {
        return loads;
    }

    boolean isMember(Member member) {
        return hazelcast.getCluster().getMembers().contains(member);
    }

    /** This member's serialization: how values are checked and carried in a start's answer. */
    SerializationService serialization() {
        return ((SerializationServiceSupport) hazelcast).getSerializationService();
    }
}
