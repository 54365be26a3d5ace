package io.sweetasync.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.ClusterHost;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/**
 * Loads of the members, and the choice of the least loaded one.
 *
 * <p>Each member publishes its {@link MemberLoad} into a replicated map every {@code interval}, with a
 * time-to-live of twenty intervals but at least {@link #MIN_TIME_TO_LIVE}, so that a member that stops
 * publishing drops out, but one whose publisher is merely late (a loaded machine, a long pause of its JVM)
 * does not: a member that left is removed at once by the membership listener anyway. Placements read
 * {@link #view}, a plain map of the loads that an entry listener on the replicated map keeps current (a
 * read of the replicated map itself serializes the key and finds its partition: most of a placement's
 * own cost when done for every member on every placement); each publication also drops from the view
 * what the replicated map has not had at two publications in a row, and adds what it missed. A member counts
 * as a candidate only while its load is there: one without an attached orchestrator never is, nor one without the task's
 * handler (e.g. still starting, its handlers not all registered yet). A member that turns a placement away
 * (chosen by a load older than its shutdown) drops out of the view until it publishes again ({@link #passOver}).
 *
 * <p>A publication's live count and its per-origin counts of placed tasks agree: a placed task is counted
 * in {@link #placedHere} before it is live and until after it has ended, every change of those counts
 * bumps {@link #placedChanges} (after an increment, before a decrement), and the publisher reads them
 * around the live count, again if a change came in between. Without that, a publication taken while a
 * placed task started could count it as live but not as placed, and its origin would see this member
 * one task busier than it is, for a whole interval.
 *
 * <p>A member's score, as member {@code me} sees it, is its published live tasks, minus those {@code me}
 * placed there (as published, by {@code me}'s placer id: not those an earlier orchestrator on the same
 * Hazelcast member placed), plus those {@code me} has placed there and not seen end: so {@code me}'s own
 * placements count exactly once, however stale the publication. For this member the live count is read
 * directly. A member whose headroom in the task's group is used up scores behind every member with
 * headroom, and a member whose share of a cluster-wide group is 0 (published as {@link #NO_SHARE}) behind
 * those too: it can admit none of that group's work until a member leaves. Ties go to this member (no
 * network), then to the first member in cluster order.
 *
 * <p>Thread-safety: {@link #placedHere}/{@link #endedHere} counters are concurrent; the publisher runs
 * on one daemon thread.
 */
final class MemberLoads {

    private static final System.Logger LOG = System.getLogger(MemberLoads.class.getName());
    static final String MAP = "sweet-async-loads";
    private static final long SATURATED = 1_000_000;
    /** The headroom published for a group whose limit here is 0: a cluster-wide group's zero share. */
    static final int NO_SHARE = Integer.MIN_VALUE;
    private static final int CONSISTENT_READS = 5;
    /**
     * The shortest time a published load is kept: with a short interval, twenty intervals (1 s at 50 ms) are
     * well within the stalls of a loaded machine, and a member dropping out for one would get no work.
     */
    static final Duration MIN_TIME_TO_LIVE = Duration.ofSeconds(10);

    private final HazelcastInstance hazelcast;
    private final ReplicatedMap<UUID, MemberLoad> loads;
    private final Duration interval;
    /** This member's own placer id (its {@code HazelcastTaskCluster}'s), as other members' loads count it. */
    private final UUID placer;
    /**
     * Live tasks running here that another member placed, by its placer id (one per cluster instance, so an
     * orchestrator rebuilt on the same Hazelcast member places under a new id); an entry goes at zero.
     */
    private final ConcurrentHashMap<UUID, PlacedBy> placedHere = new ConcurrentHashMap<>();
    /** Bumped by every change of {@link #placedHere}. */
    private final AtomicLong placedChanges = new AtomicLong();
    /** The loads of the replicated map, as its entry listener last saw them. */
    private final ConcurrentHashMap<UUID, MemberLoad> view = new ConcurrentHashMap<>();
    /**
     * Loads dropped from {@link #view} by {@link #passOver}, by member: {@link #reconcile} does not bring one back
     * while the replicated map still holds it (a stale load stays there until its time to live); the member's next
     * publication (an entry event) does.
     */
    private final ConcurrentHashMap<UUID, MemberLoad> passedOver = new ConcurrentHashMap<>();
    /**
     * Members the last {@link #reconcile} found in {@link #view} or {@link #passedOver} but not in the replica; only
     * the reconciling thread reads and writes it ({@link #start}, then the publisher).
     */
    private Set<UUID> missingLastTime = Set.of();
    private ScheduledExecutorService publisher;
    private UUID listener;
    /**
     * The key this member's load was last published under: its member UUID then. Hazelcast gives a member a new UUID
     * when it merges into another cluster after a split; the load published under the old one was rewritten at every
     * interval and never expired, while placement looked the member up by its new one: a merged member was never a
     * candidate again, nor in views or cancels. Only the publisher thread writes it.
     */
    private volatile UUID publishedAs;

    MemberLoads(HazelcastInstance hazelcast, Duration interval, UUID placer) {
        this.hazelcast = hazelcast;
        this.loads = hazelcast.getReplicatedMap(MAP);
        this.interval = interval;
        this.placer = placer;
    }

    /** Tasks running here that one placer placed, and the member it is on (to forget them when it leaves). */
    private record PlacedBy(UUID member, int count) {
    }

    void start(ClusterHost host) {
        listener = loads.addEntryListener(new ViewListener());
        reconcile();
        publisher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sweet-async-cluster-load-" + hazelcast.getName());
            thread.setDaemon(true);
            return thread;
        });
        publisher.scheduleWithFixedDelay(() -> publish(host), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void publish(ClusterHost host) {
        try {
            UUID me = hazelcast.getCluster().getLocalMember().getUuid(); // read each time: a merge gives a new one
            UUID before = publishedAs;
            if (before != null && !before.equals(me)) {
                loads.remove(before);
            }
            publishedAs = me;
            Map<UUID, Integer> placedBy = new HashMap<>();
            int live = 0;
            for (int attempt = 0; attempt < CONSISTENT_READS; attempt++) {
                long changes = placedChanges.get();
                placedBy.clear();
                placedHere.forEach((by, placed) -> placedBy.put(by, placed.count()));
                live = host.liveTasks();
                if (placedChanges.get() == changes) {
                    break; // no placed task started or ended between the two reads: they agree
                }
            }
            Map<String, Integer> headroom = new HashMap<>();
            for (LimiterSnapshot group : host.limiters()) {
                headroom.put(group.group(), headroom(group));
            }
            loads.put(me, new MemberLoad(MemberNames.of(hazelcast.getCluster().getLocalMember()), live,
                    placedBy, headroom, host.handlers(), host.durableOwner()), timeToLive(), TimeUnit.MILLISECONDS);
            reconcile();
        }
        catch (RuntimeException ex) {
            if (hazelcast.getLifecycleService().isRunning()) {
                // Interrupted: this member is stopping its publisher (its orchestrator closes), not a failure to report
                LOG.log(interrupted(ex) ? Level.DEBUG : Level.WARNING, "could not publish this member's load", ex);
            }
        }
        catch (Error error) {
            // Not let through: the scheduled executor would drop the publication for good, saying nothing (it keeps the
            // error in a future nobody reads), and this member would fall out of placements, views and cancels as its
            // load expired while it ran on. An OutOfMemoryError here may well pass; the next interval tries again.
            LOG.log(Level.ERROR, "could not publish this member's load; trying again at the next interval", error);
        }
    }

    private long timeToLive() {
        return Math.max(MIN_TIME_TO_LIVE.toMillis(), Math.multiplyExact(interval.toMillis(), 20));
    }

    /**
     * Brings {@link #view} in line with this member's replica of the loads, should an event have been missed. A member
     * the replica lacks is dropped only when the previous reconcile found it missing too: the entry event of a
     * member's publication may come before this member's replica has it (a put reaches the key's partition owner
     * first, which fires the events and replicates; the replicas get it later), and dropping it then made that member
     * no candidate until its next publication, a whole interval.
     */
    void reconcile() {
        Set<UUID> gone = missingLastTime;
        view.keySet().removeIf(member -> gone.contains(member) && !loads.containsKey(member));
        passedOver.keySet().removeIf(member -> gone.contains(member) && !loads.containsKey(member));
        Set<UUID> missing = new HashSet<>();
        for (UUID member : view.keySet()) {
            if (!loads.containsKey(member)) {
                missing.add(member);
            }
        }
        for (UUID member : passedOver.keySet()) {
            if (!loads.containsKey(member)) {
                missing.add(member);
            }
        }
        missingLastTime = missing;
        for (Map.Entry<UUID, MemberLoad> entry : loads.entrySet()) {
            if (!entry.getValue().equals(passedOver.get(entry.getKey()))) {
                view.putIfAbsent(entry.getKey(), entry.getValue());
            }
        }
    }

    void stop() {
        publisher.shutdownNow();
        try {
            loads.removeEntryListener(listener);
        }
        catch (RuntimeException ex) {
            LOG.log(Level.DEBUG, "could not remove the loads' listener", ex);
        }
        try {
            publisher.awaitTermination(5, TimeUnit.SECONDS); // no publication after the withdrawal
            UUID published = publishedAs;
            if (published != null) {
                loads.remove(published);
            }
            loads.remove(hazelcast.getCluster().getLocalMember().getUuid());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (RuntimeException ex) {
            LOG.log(Level.DEBUG, "could not withdraw this member's load", ex);
        }
    }

    /** A task placed here by {@code by} on member {@code member} is about to start: counted before it is live. */
    void placedHere(UUID member, UUID by) {
        placedHere.compute(by, (key, placed) -> new PlacedBy(member, placed == null ? 1 : placed.count() + 1));
        placedChanges.incrementAndGet();
    }

    /** A task placed here by {@code by} has ended (it is no longer live). */
    void endedHere(UUID by) {
        placedChanges.incrementAndGet();
        placedHere.computeIfPresent(by, (key, placed) -> placed.count() <= 1 ? null
                : new PlacedBy(placed.member(), placed.count() - 1));
    }

    void forget(UUID member) {
        placedHere.values().removeIf(placed -> placed.member().equals(member));
        view.remove(member);
        passedOver.remove(member);
        try {
            loads.remove(member);
        }
        catch (RuntimeException ex) {
            LOG.log(Level.DEBUG, "could not remove the load of a member that left", ex);
        }
    }

    /** The load {@code member} published last, null if none. */
    MemberLoad of(Member member) {
        return loads.get(member.getUuid());
    }

    /** The load of {@code member} as placements here see it (the entry listener's view), or null. */
    MemberLoad seen(Member member) {
        return view.get(member.getUuid());
    }

    /**
     * {@code member} turned a placement away (its load here said it took the work; it no longer does): it is no
     * candidate until its next publication, which says what it takes now.
     */
    void passOver(Member member) {
        MemberLoad stale = view.remove(member.getUuid());
        if (stale != null) {
            passedOver.put(member.getUuid(), stale);
        }
    }

    /**
     * Whether an orchestrator serves on {@code member}, as far as its loads tell: it is a candidate, or it was passed
     * over (it turned a placement away: it takes no new work, but may still run tasks). Views and cancellations ask it.
     */
    boolean serves(Member member) {
        return view.containsKey(member.getUuid()) || passedOver.containsKey(member.getUuid());
    }

    /** Whether {@code member} publishes a load, i.e. can take placed tasks. */
    boolean isCandidate(Member member) {
        return view.containsKey(member.getUuid());
    }

    /**
     * The least loaded candidate for a task of {@code handler} in {@code group} (may be null) among the
     * members that have the handler, this one included, scored by {@code here} (its live tasks and limiters, as they
     * are now); {@code outstanding} gives the tasks this member placed on a member and has not seen end.
     */
    Member choose(String handler, String group, ClusterHost here, ToIntFunction<Member> outstanding) {
        return choose(handler, group, here, outstanding, false);
    }

    /** As {@link #choose(String, String, ClusterHost, ToIntFunction)}, among members with a store if {@code durable}. */
    Member choose(String handler, String group, ClusterHost here, ToIntFunction<Member> outstanding, boolean durable) {
        Member local = hazelcast.getCluster().getLocalMember();
        Member best = local;
        long bestScore = score(here.liveTasks(), headroomHere(here, group));
        for (Member member : hazelcast.getCluster().getMembers()) {
            if (member.localMember()) {
                continue;
            }
            MemberLoad load = view.get(member.getUuid());
            if (load == null || !load.handlers().contains(handler) || durable && load.durableOwner() < 1) {
                continue;
            }
            int mine = load.placedBy().getOrDefault(placer, 0);
            long live = Math.max(0, load.live() - mine) + outstanding.applyAsInt(member);
            long score = score(live, group == null ? null : load.headroom().get(group));
            if (score < bestScore) {
                best = member;
                bestScore = score;
            }
        }
        return best;
    }

    /**
     * This member's headroom in {@code group}, from its limiter as it is now (not from its last publication, which its
     * own view may not hold yet: a put reaches the key's partition owner first; a zero share read as "no limit" there
     * made a member that cannot admit the group's work keep it), null if no group or no such group here.
     */
    private static Integer headroomHere(ClusterHost here, String group) {
        if (group == null) {
            return null;
        }
        for (LimiterSnapshot limiter : here.limiters()) {
            if (limiter.group().equals(group)) {
                return headroom(limiter);
            }
        }
        return null;
    }

    /** What a member publishes as its headroom in a group: permits left, or {@link #NO_SHARE} for a zero limit. */
    private static int headroom(LimiterSnapshot group) {
        return group.limit() == 0 ? NO_SHARE : group.limit() - group.inFlight() - group.queued();
    }

    /** {@code member} published {@code load} (an entry event, maybe before this member's replica has it). */
    void published(UUID member, MemberLoad load) {
        passedOver.remove(member); // a publication after the one passed over
        view.put(member, load);
    }

    /** Keeps {@link #view} in step with the replicated map, on Hazelcast's event threads. */
    private final class ViewListener extends EntryAdapter<UUID, MemberLoad> {

        @Override
        public void onEntryEvent(EntryEvent<UUID, MemberLoad> event) {
            switch (event.getEventType()) {
                case ADDED, UPDATED, MERGED -> published(event.getKey(), event.getValue());
                case REMOVED, EVICTED, EXPIRED -> view.remove(event.getKey());
                default -> {
                    // other kinds (map cleared, evicted wholesale) are caught up by the next reconcile
                }
            }
        }
    }

    private static long score(long live, Integer headroom) {
        if (headroom == null || headroom > 0) {
            return live;
        }
        return (headroom == NO_SHARE ? 2 * SATURATED : SATURATED) + live;
    }

    /** Whether {@code ex} or one of its causes is an {@link InterruptedException}. */
    private static boolean interrupted(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }
}
