package io.sweetasync;

import io.sweetasync.internal.Names;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.TaskClock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The concurrency groups ({@link TaskOrchestrator#limiter}, {@link TaskOrchestrator#limiters()}): one
 * {@link ConcurrencyLimiter} per group name, with the group's configuration if it was configured, else the
 * default one, so that {@code group("x")} always means admission through a limiter.
 *
 * <p>Invariants: at most one limiter per name, ever (made inside {@code computeIfAbsent}), and never
 * removed; configured groups have theirs from the start (a cluster-wide group's limiter exists before the
 * orchestrator joins its cluster). Thread-safe.
 */
final class LimiterGroups {

    private final Map<String, LimiterConfig> configs;
    private final LimiterConfig defaultConfig;
    private final TaskClock clock;
    private final ConcurrentHashMap<String, ConcurrencyLimiter> limiters = new ConcurrentHashMap<>();

    LimiterGroups(Map<String, LimiterConfig> configs, LimiterConfig defaultConfig, TaskClock clock) {
        this.configs = Map.copyOf(configs);
        this.defaultConfig = defaultConfig;
        this.clock = clock;
        this.configs.keySet().forEach(this::limiter);
    }

    /** The group's limiter, made on first use. */
    ConcurrencyLimiter limiter(String group) {
        Objects.requireNonNull(group, "group");
        // Checked as the limiter is made (a name present was checked then): limiter(" pricing ") or limiter("")
        // made a limiter no task can reach, listed in limiters() and the metrics for good.
        return limiters.computeIfAbsent(group, name -> new ConcurrencyLimiter(Names.group("group", name),
                configs.getOrDefault(name, defaultConfig), clock));
    }

    /** Every group's limiter now, by group name. */
    List<LimiterSnapshot> snapshots() {
        return limiters.values().stream().map(ConcurrencyLimiter::snapshot)
                .sorted(Comparator.comparing(LimiterSnapshot::group)).toList();
    }
}
