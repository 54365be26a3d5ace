package io.sweetasync.boot.autoconfigure;

import io.sweetasync.TaskRuntime;
import io.sweetasync.limit.LimitAlgorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for Sweet Async ({@code sweet.async.*}).
 *
 * <pre>
 * sweet.async.default-runtime=virtual
 * sweet.async.runtimes.cpu.kind=platform
 * sweet.async.runtimes.cpu.threads=4
 * sweet.async.default-timeout=30s
 * sweet.async.groups.pricing.algorithm=adaptive
 * sweet.async.groups.pricing.max-limit=64
 * </pre>
 *
 * <p>A key under {@code sweet.async} that is none of these (a misspelling such as {@code max-limt}) is named in a
 * warning at start-up rather than ignored silently while the setting it meant stays at its default
 * ({@code UnknownPropertiesWarning}). Environment variables and system properties are not checked so.
 */
@ConfigurationProperties("sweet.async")
public class SweetAsyncProperties {

    /**
     * Runtime of tasks that name none and have no parent: "virtual", "platform", "single" or one of
     * sweet.async.runtimes. Defaults to "virtual", or "platform" when spring.threads.virtual.enabled is
     * set to false.
     */
    private String defaultRuntime;

    /**
     * Additional runtimes by name. The built-in virtual, platform and single keep their kind; runtimes.platform.threads
     * sizes the built-in pool.
     */
    private final Map<String, Runtime> runtimes = new LinkedHashMap<>();

    /** Deadline of tasks that set none. None by default. */
    private Duration defaultTimeout;

    /** Retry of tasks that set none. */
    private final Retry defaultRetry = new Retry();

    /** Concurrency groups by name. Groups used without configuration get the default limiter settings. */
    private final Map<String, Group> groups = new LinkedHashMap<>();

    /** How many finished root tasks to keep for the actuator's "recent" list. */
    private int historySize = 100;

    /**
     * Whether to attribute JDK Flight Recorder samples and IO events to tasks, giving CPU and
     * allocation figures for virtual threads and IO figures for all. Platform threads are always
     * measured exactly.
     */
    private boolean resourceSampling = true;

    /** Shutdown behaviour. */
    private final Shutdown shutdown = new Shutdown();

    /** Durable task state in the application's database. */
    private final Store store = new Store();

    /** The live dashboard page. */
    private final Dashboard dashboard = new Dashboard();

    public Dashboard getDashboard() {
        return dashboard;
    }

    public Store getStore() {
        return store;
    }

    /** The cluster of this application's replicas, on Hazelcast. */
    private final Cluster cluster = new Cluster();

    public Cluster getCluster() {
        return cluster;
    }

    public String getDefaultRuntime() {
        return defaultRuntime;
    }

    public void setDefaultRuntime(String defaultRuntime) {
        this.defaultRuntime = defaultRuntime;
    }

    public Map<String, Runtime> getRuntimes() {
        return runtimes;
    }

    public Duration getDefaultTimeout() {
        return defaultTimeout;
    }

    public void setDefaultTimeout(Duration defaultTimeout) {
        this.defaultTimeout = defaultTimeout;
    }

    public Retry getDefaultRetry() {
        return defaultRetry;
    }

    public Map<String, Group> getGroups() {
        return groups;
    }

    public int getHistorySize() {
        return historySize;
    }

    public void setHistorySize(int historySize) {
        this.historySize = historySize;
    }

    public boolean isResourceSampling() {
        return resourceSampling;
    }

    public void setResourceSampling(boolean resourceSampling) {
        this.resourceSampling = resourceSampling;
    }

    public Shutdown getShutdown() {
        return shutdown;
    }

    /** A runtime. */
    public static class Runtime {

        /** Kind of threads: platform (a pool), single (one thread) or virtual (one per task). */
        private TaskRuntime.Kind kind = TaskRuntime.Kind.PLATFORM;

        /** Number of threads of a platform runtime. Defaults to the number of processors. */
        private Integer threads;

        public TaskRuntime.Kind getKind() {
            return kind;
        }

        public void setKind(TaskRuntime.Kind kind) {
            this.kind = kind;
        }

        public Integer getThreads() {
            return threads;
        }

        public void setThreads(Integer threads) {
            this.threads = threads;
        }
    }

    /** A retry policy. */
    public static class Retry {

        /** Retries after the first attempt; 0 disables retrying. */
        private int maxRetries = 0;

        /** Delay before the first retry. */
        private Duration initialDelay = Duration.ofMillis(100);

        /**
         * Longest delay between retries; delays double from the initial delay up to this. Unset, it is 2 s, or the
         * initial delay if that is longer.
         */
        private Duration maxDelay = Duration.ofSeconds(2);

        /** Whether max-delay was set: unset, it follows a longer initial delay instead of refusing it. */
        private boolean maxDelaySet;

        /** Random spread of each delay, between 0 and 1 (0.2 means +-20%). */
        private double jitter = 0;

        public int getMaxRetries() {
            return maxRetries;
        }

        public void setMaxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
        }

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
            this.maxDelaySet = true;
        }

        /** The longest delay in effect: max-delay as set, or unset 2 s or the initial delay if that is longer. */
        Duration effectiveMaxDelay() {
            if (maxDelaySet || initialDelay == null || initialDelay.compareTo(maxDelay) <= 0) {
                return maxDelay;
            }
            return initialDelay;
        }

        public double getJitter() {
            return jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }
    }

    /** A concurrency group's limiter. */
    public static class Group {

        /** Limit algorithm. */
        private LimitAlgorithm algorithm = LimitAlgorithm.ADAPTIVE;

        /**
         * Limit to start from; when not set, 20 kept within min-limit..max-limit (so max-limit=5 alone starts
         * at 5).
         */
        private int initialLimit = 20;

        /** Whether initial-limit was set, rather than left at its default. */
        private boolean initialLimitSet;

        /** Lowest the limit may go. */
        private int minLimit = 1;

        /** Highest the limit may go. */
        private int maxLimit = 1000;

        /** How many tasks may wait for a permit; 0 rejects at once when at the limit. */
        private int queueCapacity = 1000;

        /** How long a task may wait for a permit before it is rejected. */
        private Duration maxWait = Duration.ofSeconds(30);

        /**
         * Whether the members of a cluster split the group's limit (initial-limit for the fixed algorithm,
         * max-limit for the others) between them, rather than each admitting up to it. Every member must
         * configure the group the same way.
         */
        private boolean clusterWide;

        public LimitAlgorithm getAlgorithm() {
            return algorithm;
        }

        public void setAlgorithm(LimitAlgorithm algorithm) {
            this.algorithm = algorithm;
        }

        public int getInitialLimit() {
            return initialLimit;
        }

        public void setInitialLimit(int initialLimit) {
            this.initialLimit = initialLimit;
            this.initialLimitSet = true;
        }

        /** Whether {@link #setInitialLimit} was called (a property set it), rather than left at 20. */
        boolean initialLimitSet() {
            return initialLimitSet;
        }

        public int getMinLimit() {
            return minLimit;
        }

        public void setMinLimit(int minLimit) {
            this.minLimit = minLimit;
        }

        public int getMaxLimit() {
            return maxLimit;
        }

        public void setMaxLimit(int maxLimit) {
            this.maxLimit = maxLimit;
        }

        public int getQueueCapacity() {
            return queueCapacity;
        }

        public void setQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
        }

        public Duration getMaxWait() {
            return maxWait;
        }

        public void setMaxWait(Duration maxWait) {
            this.maxWait = maxWait;
        }

        public boolean isClusterWide() {
            return clusterWide;
        }

        public void setClusterWide(boolean clusterWide) {
            this.clusterWide = clusterWide;
        }
    }

    /** Shutdown behaviour. */
    public static class Shutdown {

        /**
         * How long to wait, when the application stops, for running tasks to finish before cancelling
         * the rest.
         */
        private Duration grace = Duration.ofSeconds(30);

        public Duration getGrace() {
            return grace;
        }

        public void setGrace(Duration grace) {
            this.grace = grace;
        }
    }

    /** The live dashboard: a page that reads the asynctasks and asynclimits endpoints. */
    public static class Dashboard {

        /**
         * Whether to serve the dashboard page. It is on only while the asynctasks endpoint is exposed
         * over the web; otherwise the page says how to expose it.
         */
        private boolean enabled = true;

        /** Path of the dashboard page, e.g. "/sweet-async". */
        private String path = "/sweet-async";

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }
    }

    /** Durable task state: history that survives restarts, lost tasks, durable tasks. */
    public static class Store {

        /** How the store's tables are created. */
        public enum Initialize {
            /** Only when the DataSource is an embedded database (H2, HSQLDB, Derby). */
            EMBEDDED,
            /** Always (it only creates what is missing). */
            ALWAYS,
            /** Never: run the scripts under db/sweet-async/ with your own Flyway. */
            NEVER
        }

        /**
         * Whether to keep task state in the application's DataSource (needs sweet-async-jdbc and a single
         * DataSource; without them a warning at start-up says what is missing).
         */
        private boolean enabled;

        /** Prefix of the store's table names. */
        private String tablePrefix = "sweet_async_";

        /** When to create the store's tables. */
        private Initialize initializeSchema = Initialize.EMBEDDED;

        /** How often task records are written; a terminal status is stored within it. */
        private Duration flushInterval = Duration.ofSeconds(1);

        /** How long finished task records are kept. */
        private Duration retention = Duration.ofDays(7);

        /**
         * How long a stored durable task of a handler this process does not register may wait, claimed by no
         * member, before this process ends it FAILED (TaskRejectedException naming the handler): its handler was
         * renamed or removed, or every member that registers it has been gone that long.
         */
        private Duration unresolvedAfter = Duration.ofDays(14);

        /**
         * How long this process counts as alive without renewing its lease; when it lapses, its tasks are
         * marked lost and its durable tasks run again on another member.
         */
        private Duration lease = Duration.ofSeconds(30);

        /** This process's name among the members sharing the store; host name and process id if unset. */
        private String member;

        /** Largest encoded durable task result kept, in characters. */
        private int maxResultSize = 65536;

        /** How many tasks may wait to be written while the store is slow or down. */
        private int maxPending = 10_000;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getTablePrefix() {
            return tablePrefix;
        }

        public void setTablePrefix(String tablePrefix) {
            this.tablePrefix = tablePrefix;
        }

        public Initialize getInitializeSchema() {
            return initializeSchema;
        }

        public void setInitializeSchema(Initialize initializeSchema) {
            this.initializeSchema = initializeSchema;
        }

        public Duration getFlushInterval() {
            return flushInterval;
        }

        public void setFlushInterval(Duration flushInterval) {
            this.flushInterval = flushInterval;
        }

        public Duration getRetention() {
            return retention;
        }

        public void setRetention(Duration retention) {
            this.retention = retention;
        }

        public Duration getUnresolvedAfter() {
            return unresolvedAfter;
        }

        public void setUnresolvedAfter(Duration unresolvedAfter) {
            this.unresolvedAfter = unresolvedAfter;
        }

        public Duration getLease() {
            return lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public String getMember() {
            return member;
        }

        public void setMember(String member) {
            this.member = member;
        }

        public int getMaxResultSize() {
            return maxResultSize;
        }

        public void setMaxResultSize(int maxResultSize) {
            this.maxResultSize = maxResultSize;
        }

        public int getMaxPending() {
            return maxPending;
        }

        public void setMaxPending(int maxPending) {
            this.maxPending = maxPending;
        }
    }

    /**
     * The cluster (needs {@code sweet-async-hazelcast}): the application's {@code HazelcastInstance} if it has
     * one, else an embedded member configured here (TCP-IP join only: no multicast, no auto-detection).
     */
    public static class Cluster {

        /**
         * Whether this application's orchestrator joins a cluster of its replicas (needs sweet-async-hazelcast and
         * Hazelcast; without them a warning at start-up says what is missing).
         */
        private boolean enabled;

        /** Name of the cluster: only members with the same name join (embedded member only). */
        private String name = "sweet-async";

        /**
         * Addresses of the members to join, as host or host:port, each listed (Hazelcast takes no port range:
         * 127.0.0.1:5701-5703 stops start-up) (embedded member only).
         */
        private List<String> members = new ArrayList<>(List.of("127.0.0.1"));

        /** Port of the embedded member; the next free one if taken (see port-count). */
        private int port = 5701;

        /** How many ports, from port on, the embedded member may try. */
        private int portCount = 3;

        /** Address the embedded member binds to and announces, e.g. 127.0.0.1; all interfaces if unset. */
        private String bindAddress;

        /** How often this member publishes its load to the others. */
        private Duration loadInterval = Duration.ofMillis(200);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public List<String> getMembers() {
            return members;
        }

        public void setMembers(List<String> members) {
            this.members = members;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public int getPortCount() {
            return portCount;
        }

        public void setPortCount(int portCount) {
            this.portCount = portCount;
        }

        public String getBindAddress() {
            return bindAddress;
        }

        public void setBindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
        }

        public Duration getLoadInterval() {
            return loadInterval;
        }

        public void setLoadInterval(Duration loadInterval) {
            this.loadInterval = loadInterval;
        }
    }
}
