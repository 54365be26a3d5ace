package io.sweetasync.boot.actuate;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.MemberSnapshot;
import io.sweetasync.spi.TaskCluster;
import io.sweetasync.limit.LimiterSnapshot;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/asynclimits}: every concurrency group's limiter state; {@code ?history=true} adds each
 * group's limit, in-flight and queued permits of the last five minutes, one sample a second (when a
 * {@link LimiterHistory} runs); {@code /{group}}: one group (a name with a slash as it is).
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
    @ReadOperation
    public LimitsDescriptor limits(@Nullable Boolean history) {
        Map<String, Map<String, GroupDescriptor>> members = null;
        if (cluster != null) {
            members = new LinkedHashMap<>();
            // the groups alone: the dashboard asks every second, and members() gathers every member's trees too
            for (MemberSnapshot member : cluster.memberLimiters()) {
                members.put(member.member(), groups(member.limiters()));
            }
        }
        boolean wanted = Boolean.TRUE.equals(history) && this.history != null;
        return new LimitsDescriptor(groups(orchestrator.limiters()), wanted ? this.history.samples() : Map.of(),
                members);
    }

    private static Map<String, GroupDescriptor> groups(List<LimiterSnapshot> snapshots) {
        Map<String, GroupDescriptor> groups = new LinkedHashMap<>();
        for (LimiterSnapshot snapshot : snapshots) {
            groups.put(snapshot.group(), GroupDescriptor.of(snapshot));
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
     * @param groups  each group's limiter now
     * @param history each group's samples of the last five minutes, oldest first (empty unless asked for)
     * @param members in a cluster, every member's groups by member name (else null, left out)
     */
    public record LimitsDescriptor(Map<String, GroupDescriptor> groups, Map<String, List<LimiterHistory.Sample>> history,
            Map<String, Map<String, GroupDescriptor>> members) {
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
