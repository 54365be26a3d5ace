package io.sweetasync.boot.actuate;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the concurrency groups ({@code sweetAsync}): details list every group's limit, in-flight and
 * queued counts, and which groups are saturated (every permit taken and tasks waiting). Saturation is
 * reported, not treated as a failure: under load it is how a limiter protects what it guards. The
 * status is UP unless the orchestrator no longer admits work (shutting down: OUT_OF_SERVICE).
 */
public class LimitersHealthIndicator extends AbstractHealthIndicator {

    private final TaskOrchestrator orchestrator;

    public LimitersHealthIndicator(TaskOrchestrator orchestrator) {
        super("Sweet Async health check failed");
        this.orchestrator = orchestrator;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        List<LimiterSnapshot> limiters = orchestrator.limiters();
        Map<String, Object> groups = new LinkedHashMap<>();
        for (LimiterSnapshot snapshot : limiters) {
            groups.put(snapshot.group(), Map.of("limit", snapshot.limit(), "inFlight", snapshot.inFlight(),
                    "queued", snapshot.queued(), "rejected", snapshot.rejected(), "saturated", snapshot.isSaturated()));
        }
        (orchestrator.isAccepting() ? builder.up() : builder.outOfService())
                .withDetail("saturatedGroups", limiters.stream().filter(LimiterSnapshot::isSaturated)
                        .map(LimiterSnapshot::group).toList())
                .withDetail("groups", groups)
                .withDetail("liveTasks", orchestrator.liveCount());
    }
}
