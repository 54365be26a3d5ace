package io.sweetasync.boot.autoconfigure;

import io.sweetasync.ResourceTracking;
import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.ContextPropagator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Builds the orchestrator from {@link SweetAsyncProperties}, checking every value first so that a bad
 * one stops start-up with the property's name, its value and the fix, rather than a stack trace.
 */
final class OrchestratorFactory {

    private static final String PREFIX = "sweet.async.";

    /** The table prefixes the JDBC store takes (as {@code JdbcTaskStore} checks them). */
    private static final Pattern TABLE_PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,30}");
    /** A host name, an IPv4 address or an IPv6 one (bracketed or not, with a zone); one colon is a port. */
    private static final Pattern BIND_ADDRESS = Pattern.compile("\\[?[A-Za-z0-9.:%_-]+]?");

    private OrchestratorFactory() {
    }

    static TaskOrchestrator create(SweetAsyncProperties properties, String defaultRuntime,
            List<ContextPropagator> propagators) {
        return create(properties, defaultRuntime, propagators, TaskOrchestrator.builder());
    }

    static TaskOrchestrator create(SweetAsyncProperties properties, String defaultRuntime,
            List<ContextPropagator> propagators, TaskOrchestrator.Builder builder) {
        // Checked even while the store or the cluster is off: a bad value must not wait, silently, for the day
        // it is switched on (as the retry settings below while max-retries is 0).
        checkStore(properties.getStore());
        checkCluster(properties.getCluster());
        propagators.forEach(builder::contextPropagator);
        Set<String> runtimeNames = new TreeSet<>(Set.of("virtual", "platform", "single"));
        for (Map.Entry<String, SweetAsyncProperties.Runtime> entry : properties.getRuntimes().entrySet()) {
            builder.runtime(runtime(entry.getKey(), entry.getValue()));
            runtimeNames.add(entry.getKey());
        }
        if (!runtimeNames.contains(defaultRuntime)) {
            throw new InvalidSweetAsyncPropertyException(PREFIX + "default-runtime", defaultRuntime,
                    "no runtime has that name", "use one of " + runtimeNames
                            + ", or define it under sweet.async.runtimes." + defaultRuntime + ".kind");
        }
        builder.defaultRuntime(defaultRuntime);
        Duration timeout = properties.getDefaultTimeout();
        if (timeout != null) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new InvalidSweetAsyncPropertyException(PREFIX + "default-timeout", timeout,
                        "a timeout must be positive", "use a positive duration such as 30s, or remove it for no timeout");
            }
            builder.defaultTimeout(timeout);
        }
        builder.defaultRetry(retry(properties.getDefaultRetry()));
        for (Map.Entry<String, SweetAsyncProperties.Group> entry : properties.getGroups().entrySet()) {
            LimiterConfig config = group(entry.getKey(), entry.getValue());
            try {
                builder.group(entry.getKey(), config);
            }
            catch (IllegalArgumentException ex) {
                // The engine's message named the value only, not the property it came from (as runtimes' do)
                throw new InvalidSweetAsyncPropertyException(PREFIX + "groups." + entry.getKey(), entry.getKey(),
                        ex.getMessage(), "rename the group: 1 to 100 characters, not blank, without control characters");
            }
        }
        if (properties.getHistorySize() < 0) {
            throw new InvalidSweetAsyncPropertyException(PREFIX + "history-size", properties.getHistorySize(),
                    "it must not be negative", "use 0 to keep no history, or a positive count");
        }
        builder.historySize(properties.getHistorySize());
        builder.resourceTracking(properties.isResourceSampling() ? ResourceTracking.MEASURE_AND_SAMPLE
                : ResourceTracking.MEASURE);
        Duration grace = properties.getShutdown().getGrace();
        if (grace == null || grace.isNegative()) {
            throw new InvalidSweetAsyncPropertyException(PREFIX + "shutdown.grace", grace,
                    "it must be zero or positive", "use a duration such as 30s (0 cancels running tasks at once)");
        }
        return builder.build();
    }

    /** Applies {@code sweet.async.store.*} to a builder that has a store. */
    static void store(SweetAsyncProperties.Store store, TaskOrchestrator.Builder builder) {
        checkStore(store);
        if (store.getMember() != null) {
            builder.member(store.getMember());
        }
        builder.storeFlushInterval(store.getFlushInterval()).storeRetention(store.getRetention())
                .storeLease(store.getLease()).maxResultSize(store.getMaxResultSize())
                .storeMaxPending(store.getMaxPending()).storeUnresolvedAfter(store.getUnresolvedAfter());
    }

    /** Checks {@code sweet.async.store.*}, whether the store is on or not. */
    static void checkStore(SweetAsyncProperties.Store store) {
        String property = PREFIX + "store.";
        check(property + "flush-interval", store.getFlushInterval(), Duration.ofMillis(1), Duration.ofHours(1));
        check(property + "retention", store.getRetention(), Duration.ofMinutes(1), Duration.ofDays(36_500));
        check(property + "lease", store.getLease(), Duration.ofSeconds(1), Duration.ofDays(1));
        check(property + "unresolved-after", store.getUnresolvedAfter(), Duration.ofSeconds(1),
                Duration.ofDays(36_500));
        // Both were checked only once the store was on: the prefix by the JDBC store, the third by the core builder,
        // whose message named its own setting (storeFlushInterval), not this property
        if (store.getFlushInterval().multipliedBy(3).compareTo(store.getLease()) > 0) {
            throw new InvalidSweetAsyncPropertyException(property + "flush-interval", store.getFlushInterval(),
                    "it must be at most a third of " + property + "lease (" + store.getLease()
                            + "): the lease is renewed between writes",
                    "use at most " + store.getLease().dividedBy(3) + ", or raise " + property + "lease");
        }
        if (store.getTablePrefix() == null || !TABLE_PREFIX.matcher(store.getTablePrefix()).matches()) {
            throw new InvalidSweetAsyncPropertyException(property + "table-prefix", store.getTablePrefix(),
                    "it must be lower-case letters, digits and '_' (at most 31, not starting with a digit)",
                    "use lower-case letters, digits and '_', e.g. sweet_async_");
        }
        if (store.getMaxResultSize() < 0) {
            throw new InvalidSweetAsyncPropertyException(property + "max-result-size", store.getMaxResultSize(),
                    "it must not be negative", "use 0 to keep no results, or a size in characters such as 65536");
        }
        if (store.getMaxPending() < 1) {
            throw new InvalidSweetAsyncPropertyException(property + "max-pending", store.getMaxPending(),
                    "at least one task must be able to wait", "use a count such as 10000");
        }
        if (store.getMember() != null) {
            if (store.getMember().isBlank() || store.getMember().length() > 200
                    || store.getMember().chars().anyMatch(Character::isISOControl)) {
                throw new InvalidSweetAsyncPropertyException(property + "member", store.getMember(),
                        "a member name must be 1 to 200 characters, without control characters",
                        "use a name unique among the running members, "
                                + "or remove it for host name and process id");
            }
        }
    }

    /** Checks {@code sweet.async.cluster.*}, whether the cluster is on or not. */
    static void checkCluster(SweetAsyncProperties.Cluster cluster) {
        String prefix = PREFIX + "cluster.";
        if (cluster.getName() == null || cluster.getName().isBlank()) {
            throw new InvalidSweetAsyncPropertyException(prefix + "name", cluster.getName(), "it is blank",
                    "name the cluster, e.g. my-service");
        }
        if (cluster.getPort() < 1 || cluster.getPort() > 65535) {
            throw new InvalidSweetAsyncPropertyException(prefix + "port", cluster.getPort(), "it is not a port",
                    "use 1 to 65535, e.g. 5701");
        }
        if (cluster.getPortCount() < 1) {
            throw new InvalidSweetAsyncPropertyException(prefix + "port-count", cluster.getPortCount(),
                    "it is less than 1", "use 1 or more");
        }
        if (cluster.getMembers() == null || cluster.getMembers().isEmpty()) {
            throw new InvalidSweetAsyncPropertyException(prefix + "members", cluster.getMembers(), "it is empty",
                    "list the members' addresses, e.g. 127.0.0.1:5701,127.0.0.1:5702");
        }
        for (String member : cluster.getMembers()) {
            // Hazelcast refuses a port range (127.0.0.1:5701-5703) only when the member starts, with "Node failed
            // to start!" naming no property, and not at all while the cluster is off
            String port = memberPort(member);
            if (port != null && !validPort(port)) {
                throw new InvalidSweetAsyncPropertyException(prefix + "members", cluster.getMembers(),
                        "'" + member + "' does not end with a port (1 to 65535); Hazelcast takes no port range",
                        "list each member as host or host:port, e.g. 127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703");
            }
        }
        String bind = cluster.getBindAddress();
        if (bind != null) {
            // Hazelcast fails only when the member starts, with an UnknownHostException naming no property
            String address = bind.trim();
            if (address.isEmpty() || !BIND_ADDRESS.matcher(address).matches()
                    || address.indexOf(':') >= 0 && address.indexOf(':') == address.lastIndexOf(':')
                    || address.startsWith("[") != address.endsWith("]")) {
                throw new InvalidSweetAsyncPropertyException(prefix + "bind-address", bind,
                        "it is not one host name or IP address (no port, range nor wildcard)",
                        "use an address of this machine such as 127.0.0.1 (the port is sweet.async.cluster.port),"
                                + " or remove it to bind to all interfaces");
            }
        }
        Duration interval = cluster.getLoadInterval();
        if (interval == null || interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new InvalidSweetAsyncPropertyException(prefix + "load-interval", interval,
                    "it must be between 10 ms and 1 minute", "use a duration between 10ms and 1m");
        }
    }

    /** The port of a member address ({@code host:port}, {@code [ipv6]:port}); null if it names none. */
    private static String memberPort(String member) {
        String address = member == null ? "" : member.trim();
        if (address.startsWith("[")) {
            int end = address.indexOf("]:");
            return end < 0 ? null : address.substring(end + 2);
        }
        int colon = address.indexOf(':');
        return colon < 0 || colon != address.lastIndexOf(':') ? null : address.substring(colon + 1);
    }

    private static boolean validPort(String port) {
        try {
            int number = Integer.parseInt(port);
            return number >= 1 && number <= 65535;
        }
        catch (NumberFormatException ex) {
            return false;
        }
    }

    private static void check(String property, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new InvalidSweetAsyncPropertyException(property, value, "it must be between " + min + " and " + max,
                    "use a duration in that range");
        }
    }

    private static TaskRuntime runtime(String name, SweetAsyncProperties.Runtime runtime) {
        String property = PREFIX + "runtimes." + name;
        Integer threads = runtime.getThreads();
        if (threads != null && threads < 1) {
            throw new InvalidSweetAsyncPropertyException(property + ".threads", threads, "a runtime needs at least 1 thread",
                    "use a positive number of threads, or remove it for one per processor");
        }
        if (threads != null && threads > TaskRuntime.MAX_PLATFORM_THREADS) {
            throw new InvalidSweetAsyncPropertyException(property + ".threads", threads, "a platform runtime has at most "
                    + TaskRuntime.MAX_PLATFORM_THREADS + " threads, all started at first use",
                    "use fewer threads, or a virtual runtime (kind virtual) bounded by a group");
        }
        TaskRuntime.Kind kind = runtime.getKind();
        TaskRuntime.Kind builtIn = switch (name) {
            case "virtual" -> io.sweetasync.TaskRuntime.Kind.VIRTUAL;
            case "platform" -> io.sweetasync.TaskRuntime.Kind.PLATFORM;
            case "single" -> io.sweetasync.TaskRuntime.Kind.SINGLE;
            default -> null;
        };
        if (threads != null && builtIn != null && builtIn != TaskRuntime.Kind.PLATFORM) {
            // runtimes.single.threads=4 alone was refused naming runtimes.single.kind=platform, which nobody wrote
            throw new InvalidSweetAsyncPropertyException(property + ".threads", threads,
                    "'" + name + "' is the built-in runtime of kind " + builtIn.name().toLowerCase(java.util.Locale.ROOT)
                            + ", which has no number of threads (only a platform runtime has)",
                    "remove it; for a pool, define sweet.async.runtimes.<name>.threads (platform is the kind when none "
                            + "is set), or resize the built-in pool with sweet.async.runtimes.platform.threads");
        }
        // runtimes.virtual.threads=100 alone (kind defaults to platform) turned the default runtime into a pool of
        // 100 platform threads, silently
        if (builtIn != null && kind != builtIn) {
            throw new InvalidSweetAsyncPropertyException(property + ".kind", kind.name().toLowerCase(java.util.Locale.ROOT),
                    "'" + name + "' is the built-in runtime of kind " + builtIn.name().toLowerCase(java.util.Locale.ROOT)
                            + " (platform is the kind when none is set)",
                    "give your runtime another name, such as sweet.async.runtimes.cpu.kind=" + kind.name()
                            .toLowerCase(java.util.Locale.ROOT) + ", and set sweet.async.default-runtime to it");
        }
        if (threads != null && kind != TaskRuntime.Kind.PLATFORM) {
            throw new InvalidSweetAsyncPropertyException(property + ".threads", threads,
                    "only a platform runtime has a number of threads (" + name + " is "
                            + kind.name().toLowerCase(java.util.Locale.ROOT) + ")",
                    "remove it, or use kind platform; bound concurrency with a group (sweet.async.groups.<name>.max-limit)");
        }
        try {
            return switch (kind) {
                case PLATFORM -> TaskRuntime.platform(name,
                        threads != null ? threads : Runtime.getRuntime().availableProcessors());
                case SINGLE -> TaskRuntime.single(name);
                case VIRTUAL -> TaskRuntime.virtual(name);
                case EXECUTOR -> throw new InvalidSweetAsyncPropertyException(property + ".kind", runtime.getKind(),
                        "executor runtimes wrap an Executor and cannot be made from properties",
                        "use platform, single or virtual, or register TaskRuntime.executor(...) on a TaskOrchestrator bean");
            };
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidSweetAsyncPropertyException(property, name, ex.getMessage(), "rename the runtime");
        }
    }

    private static RetryPolicy retry(SweetAsyncProperties.Retry retry) {
        String property = PREFIX + "default-retry.";
        if (retry.getMaxRetries() < 0) {
            throw new InvalidSweetAsyncPropertyException(property + "max-retries", retry.getMaxRetries(),
                    "it must not be negative", "use 0 for no retries, or a positive count");
        }
        // The other settings are checked even while max-retries is 0: a bad one must not wait, silently, for the
        // day retries are switched on.
        if (retry.getInitialDelay() == null || retry.getInitialDelay().isNegative()) {
            throw new InvalidSweetAsyncPropertyException(property + "initial-delay", retry.getInitialDelay(),
                    "a retry delay must be zero or positive", "use a duration such as 100ms");
        }
        Duration maxDelay = retry.effectiveMaxDelay(); // unset: follows a longer initial-delay
        if (maxDelay == null || maxDelay.compareTo(retry.getInitialDelay()) < 0) {
            throw new InvalidSweetAsyncPropertyException(property + "max-delay", maxDelay,
                    "it must not be less than initial-delay (" + retry.getInitialDelay() + ")",
                    "raise max-delay or lower initial-delay");
        }
        if (!(retry.getJitter() >= 0 && retry.getJitter() <= 1)) { // NaN too
            throw new InvalidSweetAsyncPropertyException(property + "jitter", retry.getJitter(),
                    "it must be between 0 and 1", "use for example 0.2 for +-20%");
        }
        if (retry.getMaxRetries() == 0) {
            return RetryPolicy.none();
        }
        return RetryPolicy.exponential(retry.getMaxRetries(), retry.getInitialDelay(), maxDelay)
                .withJitter(retry.getJitter());
    }

    private static LimiterConfig group(String name, SweetAsyncProperties.Group group) {
        String property = PREFIX + "groups." + name + ".";
        if (group.getMinLimit() < 1) {
            throw new InvalidSweetAsyncPropertyException(property + "min-limit", group.getMinLimit(),
                    "the limit cannot go below 1", "use 1 or more");
        }
        if (group.getMaxLimit() < group.getMinLimit()) {
            throw new InvalidSweetAsyncPropertyException(property + "max-limit", group.getMaxLimit(),
                    "it is less than min-limit (" + group.getMinLimit() + ")", "make max-limit at least min-limit");
        }
        // Left at its default, the initial limit follows the range the user set (max-limit=5 alone starts at 5);
        // set, it must lie inside it.
        int initial = group.initialLimitSet() ? group.getInitialLimit()
                : Math.max(group.getMinLimit(), Math.min(group.getMaxLimit(), group.getInitialLimit()));
        if (initial < group.getMinLimit() || initial > group.getMaxLimit()) {
            throw new InvalidSweetAsyncPropertyException(property + "initial-limit", initial,
                    "it is outside min-limit..max-limit (" + group.getMinLimit() + ".." + group.getMaxLimit() + ")",
                    "choose an initial-limit inside that range");
        }
        if (group.getQueueCapacity() < 0) {
            throw new InvalidSweetAsyncPropertyException(property + "queue-capacity", group.getQueueCapacity(),
                    "it must not be negative", "use 0 to reject at the limit, or a positive capacity");
        }
        if (group.getMaxWait() == null || group.getMaxWait().isNegative()) {
            throw new InvalidSweetAsyncPropertyException(property + "max-wait", group.getMaxWait(),
                    "it must not be negative", "use a duration such as 2s");
        }
        return new LimiterConfig(group.getAlgorithm(), initial, group.getMinLimit(), group.getMaxLimit(),
                group.getQueueCapacity(), group.getMaxWait(), group.isClusterWide());
    }
}
