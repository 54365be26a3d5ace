package io.sweetasync.boot.actuate;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the concurrency groups ({@code sweetAsync}): details list the groups' limit, in-flight and queued
 * counts, and which groups are saturated (every permit taken and tasks waiting). Saturation is reported, not
 * treated as a failure: under load it is how a limiter protects what it guards. The status is UP unless the
 * orchestrator no longer admits work (shutting down: OUT_OF_SERVICE).
 *
 * <p>Groups are made on first use and never removed, so an application that names a group per tenant or per
 * key may have thousands: the details list at most {@value #MAX_LISTED} groups (the saturated ones first, then
 * by name) and at most {@value #MAX_LISTED} saturated names, with {@code groupCount} and {@code saturatedCount}
 * giving the whole counts. A health check, polled by load balancers, stays small whatever the group count.
 */
public class LimitersHealthIndicator extends AbstractHealthIndicator {

    /** The most groups (and saturated group names) the details list. */
    public static final int MAX_LISTED = 100;

    private final TaskOrchestrator orchestrator;

    public LimitersHealthIndicator(TaskOrchestrator orchestrator) {
        super("Sweet Async health check failed");
        this.orchestrator = orchestrator;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        List<LimiterSnapshot> limiters = orchestrator.limiters();
        List<LimiterSnapshot> saturated = limiters.stream().filter(LimiterSnapshot::isSaturated).toList();
        Map<String, Object> groups = new LinkedHashMap<>();
        Stream.concat(saturated.stream(), limiters.stream().filter(snapshot -> !snapshot.isSaturated()))
                .limit(MAX_LISTED).forEach(snapshot -> groups.put(snapshot.group(), Map.of("limit", snapshot.limit(),
                        "inFlight", snapshot.inFlight(), "queued", snapshot.queued(), "rejected", snapshot.rejected(),
                        "saturated", snapshot.isSaturated())));
        (orchestrator.isAccepting() ? builder.up() : builder.outOfService())
                .withDetail("saturatedGroups", saturated.stream().limit(MAX_LISTED).map(LimiterSnapshot::group).toList())
                .withDetail("saturatedCount", saturated.size())
                .withDetail("groups", groups)
                .withDetail("groupCount", limiters.size())
                .withDetail("liveTasks", orchestrator.liveCount());
    }
}
