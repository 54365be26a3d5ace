package io.sweetasync;

import io.sweetasync.internal.Names;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.TaskClock;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
    /** Configured groups a near name has been said of ({@link #warnIfMisspelt}). */
    private final Set<String> warnedConfigured = ConcurrentHashMap.newKeySet();

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
        boolean[] madeNow = new boolean[1];
        ConcurrencyLimiter made = limiters.computeIfAbsent(group, name -> {
            ConcurrencyLimiter limiter = new ConcurrencyLimiter(Names.group("group", name),
                    configs.getOrDefault(name, defaultConfig), clock);
            madeNow[0] = true;
            return limiter;
        });
        if (madeNow[0]) {
            warnIfMisspelt(group);
            warnIfMany(limiters.size(), group);
        }
        return made;
    }

    /**
     * A group used but not configured runs with the default configuration, as it may; but when a configured group
     * has nearly its name ({@code "pricing"} used, {@code "pricng"}, {@code "Pricing"} or {@code "pri_cing"}
     * configured), the configuration was most likely meant for it and is silently unused: said once per configured
     * group, naming both (so names made from data, {@code "tenant-7"} used with {@code "tenant-1"} configured, are
     * said once, not once per tenant).
     */
    private void warnIfMisspelt(String used) {
        if (configs.containsKey(used)) {
            return;
        }
        configs.keySet().stream().filter(configured -> nearly(configured, used)).sorted().findFirst()
                .filter(warnedConfigured::add)
                .ifPresent(configured -> LOG.log(System.Logger.Level.WARNING, "concurrency group '" + used
                        + "' is not configured and runs with the default group configuration, but a group '"
                        + configured + "' is configured: a misspelling of one or the other? (said once for '"
                        + configured + "')"));
    }

    /**
     * Whether two group names are the same but for case and the separators {@code -}, {@code _}, {@code .} and
     * spaces, or differ by one edit (a character inserted, deleted or replaced, case ignored).
     */
    static boolean nearly(String a, String b) {
        if (bare(a).equals(bare(b))) {
            return true;
        }
        String x = a.toLowerCase(Locale.ROOT);
        String y = b.toLowerCase(Locale.ROOT);
        if (x.length() < y.length()) {
            String shorter = x;
            x = y;
            y = shorter;
        }
        if (x.length() - y.length() > 1) {
            return false;
        }
        int i = 0;
        while (i < y.length() && x.charAt(i) == y.charAt(i)) {
            i++;
        }
        if (i == x.length()) {
            return true;
        }
        // after the first difference, the rest is equal once the longer's character (or both's) there is skipped
        return x.substring(i + 1).equals(y.substring(x.length() == y.length() ? i + 1 : i));
    }

    private static String bare(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_. ]", "");
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
