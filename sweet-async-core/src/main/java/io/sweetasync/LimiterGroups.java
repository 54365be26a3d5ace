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
import java.util.concurrent.atomic.AtomicInteger;

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

    private static final System.Logger LOG = System.getLogger(LimiterGroups.class.getName());
    /** The group count of the first warning about many groups. */
    static final int WARN_FROM = 1_000;

    private final Map<String, LimiterConfig> configs;
    private final LimiterConfig defaultConfig;
    private final TaskClock clock;
    private final ConcurrentHashMap<String, ConcurrencyLimiter> limiters = new ConcurrentHashMap<>();
    /** A tenth of the group count at which the next warning is given (100: at 1,000 groups). */
    private final AtomicInteger warnedAt = new AtomicInteger(WARN_FROM / 10);

    LimiterGroups(Map<String, LimiterConfig> configs, LimiterConfig defaultConfig, TaskClock clock) {
        this.configs = Map.copyOf(configs);
        this.defaultConfig = defaultConfig;
        this.clock = clock;
        this.configs.keySet().forEach(this::limiter);
    }

    /** The group's limiter, made on first use. */
    ConcurrencyLimiter limiter(String group) {
        Objects.requireNonNull(group, "group");
        ConcurrencyLimiter existing = limiters.get(group);
        if (existing != null) {
            return existing;
        }
        // Checked as the limiter is made (a name present was checked then): limiter(" pricing ") or limiter("")
        // made a limiter no task can reach, listed in limiters() and the metrics for good.
        ConcurrencyLimiter made = limiters.computeIfAbsent(group, name -> new ConcurrencyLimiter(
                Names.group("group", name), configs.getOrDefault(name, defaultConfig), clock));
        warnIfMany(limiters.size(), group);
        return made;
    }

    /**
     * A limiter is kept for good (its learned limit is the point of it), so group names made from data (a tenant,
     * an id) grow without bound: said once at 1,000 groups and again at each tenfold, naming the latest.
     */
    private void warnIfMany(int groups, String latest) {
        int mark = warnedAt.get();
        if (groups < mark * 10 || !warnedAt.compareAndSet(mark, mark * 10)) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "this orchestrator has " + groups + " concurrency groups (the latest '"
                + latest + "'); each keeps its limiter for good: name groups after the resources they protect, not "
                + "after data such as tenants or ids");
    }

    /** Every group's limiter now, by group name. */
    List<LimiterSnapshot> snapshots() {
        return limiters.values().stream().map(ConcurrencyLimiter::snapshot)
                .sorted(Comparator.comparing(LimiterSnapshot::group)).toList();
    }
}
