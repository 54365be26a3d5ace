package io.sweetasync.boot.actuate;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.MemberSnapshot;
import io.sweetasync.spi.TaskCluster;
import io.sweetasync.limit.LimiterSnapshot;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/asynclimits}: every concurrency group's limiter state; {@code ?history=true} adds each
 * group's limit, in-flight and queued permits of the last five minutes, one sample a second (when a
 * {@link LimiterHistory} runs); {@code /{group}}: one group (a name with a slash as it is).
 *
 * <p>Groups are made on first use and never removed, so an application that names a group per tenant has
 * thousands: {@code ?limit=n} (0 to 1000) lists at most {@code n} of them, the saturated ones first, then by name
 * (in a cluster, at most {@code n} per member), with the samples of those alone; {@code groupCount} counts them
 * all. The dashboard asks with its limit: its poll each second stays small whatever the group count.
 *
 * <pre>
 * GET /actuator/asynclimits?limit=50&amp;history=true
 * </pre>
 */
@Endpoint(id = "asynclimits")
public class AsyncLimitsEndpoint {

    private final TaskOrchestrator orchestrator;
    private final LimiterHistory history;
    /** Null outside a cluster. */
    private final TaskCluster cluster;

    public AsyncLimitsEndpoint(TaskOrchestrator orchestrator) {
        this(orchestrator, null, null);
    }

    /**
     * @param history the groups' recent samples, or null to answer {@code ?history=true} with none
     */
    public AsyncLimitsEndpoint(TaskOrchestrator orchestrator, LimiterHistory history) {
        this(orchestrator, history, null);
    }

    /**
     * The endpoint of a cluster member.
     *
     * @param history the groups' recent samples, or null to answer {@code ?history=true} with none
     * @param cluster the cluster, or null (no cluster)
     */
    public AsyncLimitsEndpoint(TaskOrchestrator orchestrator, LimiterHistory history, TaskCluster cluster) {
        this.orchestrator = orchestrator;
        this.history = history;
        this.cluster = cluster;
    }

    /**
     * Every group's limiter.
     *
     * @param history whether to add the groups' samples of the last five minutes
     */
    public LimitsDescriptor limits(@Nullable Boolean history) {
        return limits(history, null);
    }

    /**
     * Every group's limiter, or at most {@code limit} groups: the saturated ones first, then by name.
     *
     * @param history whether to add the listed groups' samples of the last five minutes
     * @param limit   0 to 1000, as text (over the web, one that is not a number answers 400 naming it); every
     *                group when null
     * @throws InvalidEndpointRequestException (400) naming a bad limit
     */
    @ReadOperation
    public LimitsDescriptor limits(@Nullable Boolean history, @Nullable String limit) {
        Integer checked = AsyncTasksParameters.number("limit", limit);
        AsyncTasksParameters.checkLimit(checked);
        int max = checked == null ? Integer.MAX_VALUE : checked;
        Map<String, Map<String, GroupDescriptor>> members = null;
        if (cluster != null) {
            members = new LinkedHashMap<>();
            // the groups alone: the dashboard asks every second, and members() gathers every member's trees too
            for (MemberSnapshot member : cluster.memberLimiters()) {
                members.put(member.member(), groups(member.limiters(), max));
            }
        }
        List<LimiterSnapshot> limiters = orchestrator.limiters();
        Map<String, GroupDescriptor> groups = groups(limiters, max);
        Map<String, List<LimiterHistory.Sample>> samples = Map.of();
        if (Boolean.TRUE.equals(history) && this.history != null) {
            samples = new LinkedHashMap<>(this.history.samples());
            samples.keySet().retainAll(groups.keySet());
        }
        return new LimitsDescriptor(groups, samples, members, limiters.size());
    }

    /** At most {@code max} of the groups, the saturated ones first, listed by name (the snapshots' order). */
    private static Map<String, GroupDescriptor> groups(List<LimiterSnapshot> snapshots, int max) {
        Set<String> listed = Stream.concat(snapshots.stream().filter(LimiterSnapshot::isSaturated),
                snapshots.stream().filter(snapshot -> !snapshot.isSaturated()))
                .limit(max).map(LimiterSnapshot::group).collect(Collectors.toSet());
        Map<String, GroupDescriptor> groups = new LinkedHashMap<>();
        for (LimiterSnapshot snapshot : snapshots) {
            if (listed.contains(snapshot.group())) {
                groups.put(snapshot.group(), GroupDescriptor.of(snapshot));
            }
        }
        return groups;
    }

    /**
     * One group's limiter; null (404) if there is no such group. The rest of the path is the group's name,
     * so a name with a slash is read as it is ({@code /asynclimits/payments/eu}).
     */
    @ReadOperation
    public GroupDescriptor group(@Selector(match = Selector.Match.ALL_REMAINING) String... group) {
        String name = String.join("/", group);
        return orchestrator.limiters().stream().filter(snapshot -> snapshot.group().equals(name)).findFirst()
                .map(GroupDescriptor::of).orElse(null);
    }

    /**
     * Every group by name.
     *
     * @param groups  each group's limiter now (at most the request's {@code limit})
     * @param history the listed groups' samples of the last five minutes, oldest first (empty unless asked for)
     * @param members    in a cluster, every member's groups by member name, at most the request's {@code limit} per
     *                   member (else null, left out)
     * @param groupCount this member's groups in all, also those beyond the request's {@code limit}
     */
    public record LimitsDescriptor(Map<String, GroupDescriptor> groups, Map<String, List<LimiterHistory.Sample>> history,
            Map<String, Map<String, GroupDescriptor>> members, int groupCount) {
    }

    /**
     * One group's limiter, in plain values (latencies in milliseconds).
     *
     * @param algorithm      limit algorithm
     * @param limit          current limit
     * @param inFlight       permits held
     * @param queued         tasks waiting
     * @param accepted       permits granted so far
     * @param rejected       tasks rejected so far
     * @param saturated      every permit taken and tasks waiting
     * @param noLoadLatencyMs lowest recent latency
     * @param shortLatencyMs recent average latency
     * @param longLatencyMs  long-run average latency
     * @param queueCapacity  configured queue capacity
     * @param maxWaitMs      configured maximum wait ({@code Long.MAX_VALUE} for one longer than that many
     *                       milliseconds: practically never)
     * @param phase          what the limit algorithm is doing (e.g. {@code CRUISE}, {@code PROBE})
     * @param baselineLatencyMs the algorithm's latency without queueing (0: none)
     * @param estimatedCapacityPerSecond completions per second the algorithm believes the downstream
     *                       sustains (0: no estimate)
     * @param clusterLimit   for a cluster-wide group, the limit its members split ({@code limit} is then this
     *                       member's share at most); 0 for a group whose limits are per member
     * @param members        the number of members {@code clusterLimit} is split between now (0: per member)
     */
    public record GroupDescriptor(String algorithm, int limit, int inFlight, int queued, long accepted, long rejected,
            boolean saturated, double noLoadLatencyMs, double shortLatencyMs, double longLatencyMs, int queueCapacity,
            long maxWaitMs, String phase, double baselineLatencyMs, double estimatedCapacityPerSecond,
            int clusterLimit, int members) {

        static GroupDescriptor of(LimiterSnapshot s) {
            return new GroupDescriptor(s.algorithm().name(), s.limit(), s.inFlight(), s.queued(), s.accepted(),
                    s.rejected(), s.isSaturated(), s.noLoadLatency().toNanos() / 1e6, s.shortLatency().toNanos() / 1e6,
                    s.longLatency().toNanos() / 1e6, s.queueCapacity(), millis(s.maxWait()), s.phase().name(),
                    s.baselineLatency().toNanos() / 1e6, s.estimatedCapacity(), s.clusterLimit(), s.members());
        }

        /**
         * Whole milliseconds, at most {@code Long.MAX_VALUE}: a wait of "practically never" (a max-wait of
         * millennia, which start-up accepts) overflowed, and the endpoint answered 500 for every group.
         */
        private static long millis(Duration duration) {
            return duration.compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : duration.toMillis();
        }
    }
}
