package io.sweetasync.boot.actuate;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.MemberSnapshot;
import io.sweetasync.spi.TaskCluster;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/** {@code /actuator/asynclimits}: every concurrency group's limiter state; {@code /{group}}: one group. */
@Endpoint(id = "asynclimits")
public class AsyncLimitsEndpoint {

    private final TaskOrchestrator orchestrator;
    /** Null outside a cluster. */
    private final TaskCluster cluster;

    public AsyncLimitsEndpoint(TaskOrchestrator orchestrator) {
        this(orchestrator, null);
    }

    /** The endpoint of a cluster member; {@code cluster} may be null (no cluster). */
    public AsyncLimitsEndpoint(TaskOrchestrator orchestrator, TaskCluster cluster) {
        this.orchestrator = orchestrator;
        this.cluster = cluster;
    }

    @ReadOperation
    public LimitsDescriptor limits() {
        Map<String, Map<String, GroupDescriptor>> members = null;
        if (cluster != null) {
            members = new LinkedHashMap<>();
            for (MemberSnapshot member : cluster.members()) {
                members.put(member.member(), groups(member.limiters()));
            }
        }
        return new LimitsDescriptor(groups(orchestrator.limiters()), members);
    }

    private static Map<String, GroupDescriptor> groups(List<LimiterSnapshot> snapshots) {
        Map<String, GroupDescriptor> groups = new LinkedHashMap<>();
        for (LimiterSnapshot snapshot : snapshots) {
            groups.put(snapshot.group(), GroupDescriptor.of(snapshot));
        }
        return groups;
    }

    @ReadOperation
    public GroupDescriptor group(@Selector String group) {
        return orchestrator.limiters().stream().filter(snapshot -> snapshot.group().equals(group)).findFirst()
                .map(GroupDescriptor::of).orElse(null);
    }

    /**
     * Every group of this member by name; in a cluster, every member's groups by member name (else null, left
     * out).
     */
    public record LimitsDescriptor(Map<String, GroupDescriptor> groups, Map<String, Map<String, GroupDescriptor>> members) {
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
     * @param maxWaitMs      configured maximum wait
     * @param phase          what the limit algorithm is doing (e.g. {@code CRUISE}, {@code PROBE})
     * @param baselineLatencyMs the algorithm's latency without queueing (0: none)
     * @param estimatedCapacityPerSecond completions per second the algorithm believes the downstream
     *                       sustains (0: no estimate)
     */
    public record GroupDescriptor(String algorithm, int limit, int inFlight, int queued, long accepted, long rejected,
            boolean saturated, double noLoadLatencyMs, double shortLatencyMs, double longLatencyMs, int queueCapacity,
            long maxWaitMs, String phase, double baselineLatencyMs, double estimatedCapacityPerSecond) {

        static GroupDescriptor of(LimiterSnapshot s) {
            return new GroupDescriptor(s.algorithm().name(), s.limit(), s.inFlight(), s.queued(), s.accepted(),
                    s.rejected(), s.isSaturated(), s.noLoadLatency().toNanos() / 1e6, s.shortLatency().toNanos() / 1e6,
                    s.longLatency().toNanos() / 1e6, s.queueCapacity(), s.maxWait().toMillis(), s.phase().name(),
                    s.baselineLatency().toNanos() / 1e6, s.estimatedCapacity());
        }
    }
}
