package io.sweetasync.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.MemberSnapshot;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * What every member is asked at once: its live trees and groups ({@link #members}), its groups alone
 * ({@link #memberLimiters}), the live task of an id with its subtree ({@link #find}), and whether it runs a task of
 * an id, which it then cancels ({@link #cancel}).
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>One wait for all the answers, at most {@link #VIEW_WAIT} from the moment the messages went out: a member that
 * does not answer (killed, paused) costs that wait once, not once per member.</li>
 * <li>Once this member's own Hazelcast instance has stopped, no other member is asked: the view is this member's
 * alone, a cancellation is answered here.</li>
 * </ul>
 */
final class ClusterViews {

    private static final System.Logger LOG = System.getLogger(HazelcastTaskCluster.class.getName());
    private static final Duration VIEW_WAIT = Duration.ofSeconds(5);

    private final HazelcastTaskCluster cluster;
    private final HazelcastInstance hazelcast;
    private final IExecutorService executor;
    private final MemberLoads loads;

    ClusterViews(HazelcastTaskCluster cluster, HazelcastInstance hazelcast, IExecutorService executor,
            MemberLoads loads) {
        this.cluster = cluster;
        this.hazelcast = hazelcast;
        this.executor = executor;
        this.loads = loads;
    }

    /** See {@link HazelcastTaskCluster#members()}. */
    List<MemberSnapshot> members() {
        ClusterHost here = cluster.host();
        return view(new MemberSnapshot(cluster.memberName(), true, here.roots(), here.limiters()), new TakeSnapshot());
    }

    /** See {@link HazelcastTaskCluster#memberLimiters()}. */
    List<MemberSnapshot> memberLimiters() {
        return view(new MemberSnapshot(cluster.memberName(), true, List.of(), cluster.host().limiters()),
                new TakeLimiters());
    }

    /** {@code own} and the other members' answers to {@code question} that came in time, by member name. */
    private List<MemberSnapshot> view(MemberSnapshot own, Callable<FlatSnapshot> question) {
        List<MemberSnapshot> all = new ArrayList<>();
        all.add(own);
        List<Member> others = others();
        Map<Member, Future<FlatSnapshot>> answers = others.isEmpty() ? Map.of() : submitToOthers(question, others);
        if (!answers.isEmpty()) {
            long deadline = System.nanoTime() + VIEW_WAIT.toNanos();
            for (Map.Entry<Member, Future<FlatSnapshot>> answer : answers.entrySet()) {
                try {
                    FlatSnapshot view = answer.getValue().get(Math.max(0, deadline - System.nanoTime()),
                            TimeUnit.NANOSECONDS);
                    if (view != null) { // none from a member killed as it answered (as a start's answer can be)
                        all.add(view.toSnapshot(false));
                    }
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    break;
                }
                catch (ExecutionException | TimeoutException ex) {
                    LOG.log(Level.DEBUG, "member " + MemberNames.of(answer.getKey()) + " gave no view", ex);
                }
            }
        }
        all.sort(Comparator.comparing(MemberSnapshot::member));
        return all;
    }

    /** See {@link HazelcastTaskCluster#find(TaskId)}. */
    Optional<TaskInfo> find(TaskId id) {
        Optional<TaskInfo> here = new MemberSnapshot(cluster.memberName(), true, cluster.host().roots(), List.of())
                .find(id);
        if (here.isPresent()) {
            return here;
        }
        FlatSnapshot found = firstAnswer(new FindById(id.toString()), Objects::nonNull, "a look for " + id);
        return found == null ? Optional.empty() : Optional.of(found.toSnapshot(false).roots().getFirst());
    }

    /** See {@link HazelcastTaskCluster#cancel(TaskId)}. */
    boolean cancel(TaskId id) {
        return cluster.host().cancel(id)
                || firstAnswer(new CancelById(id.toString()), Boolean.TRUE::equals, "a cancellation of " + id) != null;
    }

    /**
     * The first of the other members' answers to {@code question} that is {@code wanted} (one member runs a task of
     * an id: the others need not be waited for), or null if none is within one wait for all the answers, as
     * {@link #members()} has (a wait per member made a cancel 5 s per member that did not answer, one after the
     * other).
     */
    private <T> T firstAnswer(Callable<T> question, Predicate<T> wanted, String what) {
        List<Member> others = others();
        Collection<Future<T>> answers = others.isEmpty() ? List.of() : submitToOthers(question, others).values();
        long deadline = System.nanoTime() + VIEW_WAIT.toNanos();
        for (Future<T> answer : answers) {
            try {
                T given = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (given != null && wanted.test(given)) {
                    return given;
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
            catch (ExecutionException | TimeoutException ex) {
                LOG.log(Level.DEBUG, "a member did not answer " + what, ex);
            }
        }
        return null;
    }

    /**
     * The other members that serve an orchestrator (a member passed over after it turned work away included: it may
     * still run tasks), for views and cancellations; none once this member's own Hazelcast
     * instance has stopped (it reaches no member: its view is its own, a cancellation is answered here).
     */
    private List<Member> others() {
        try {
            return hazelcast.getCluster().getMembers().stream()
                    .filter(member -> !member.localMember() && loads.serves(member)).toList();
        }
        catch (HazelcastInstanceNotActiveException ex) {
            return List.of();
        }
    }

    /** {@code message} sent to {@code others}; none if this member's own Hazelcast instance stopped meanwhile. */
    private <T> Map<Member, Future<T>> submitToOthers(Callable<T> message, List<Member> others) {
        try {
            return executor.submitToMembers(message, others);
        }
        catch (HazelcastInstanceNotActiveException ex) {
            return Map.of();
        }
    }
}
