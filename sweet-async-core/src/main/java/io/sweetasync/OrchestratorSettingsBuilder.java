package io.sweetasync;

import io.sweetasync.internal.Names;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.ContextPropagator;
import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.TaskClock;
import io.sweetasync.spi.TaskCluster;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link TaskOrchestrator.Builder} is told, each value checked as it is set: the setters of the public
 * builder, which extends this class and adds only {@link TaskOrchestrator.Builder#build() build()}; the
 * orchestrator's parts ({@link OrchestratorParts}) are made from the fields.
 *
 * <p>Invariants: not thread-safe (a builder is configured on one thread, then built). Every setter checks its
 * argument before it changes anything, so a refused value leaves the builder as it was, and returns the builder
 * itself (the public type, so that calls chain); the checks that weigh two values together (the default
 * runtime registered, the flush interval within a third of the lease) are the build's. The collections only
 * grow, in the order told; the orchestrator copies what it keeps. Public methods of this package-private class
 * are the public builder's API: javac gives {@link TaskOrchestrator.Builder} a public bridge of each, so they
 * are found and called on it reflectively as well.
 */
abstract class OrchestratorSettingsBuilder {

    final Map<String, TaskRuntime> runtimes = new LinkedHashMap<>();
    final List<TaskListener> listeners = new ArrayList<>();
    final List<ContextPropagator> propagators = new ArrayList<>();
    String defaultRuntime = "virtual";
    TaskClock clock;
    Duration defaultTimeout;
    RetryPolicy defaultRetry = RetryPolicy.none();
    int historySize = 100;
    ResourceTracking resourceTracking = ResourceTracking.MEASURE;
    LimiterConfig defaultGroupConfig = LimiterConfig.defaults();
    final Map<String, LimiterConfig> groups = new LinkedHashMap<>();
    TaskStore store;
    String member;
    Duration storeLease = StoreSettings.DEFAULT_LEASE;
    Duration storeFlushInterval = StoreSettings.DEFAULT_FLUSH;
    Duration storeRetention = StoreSettings.DEFAULT_RETENTION;
    Duration storeUnresolvedAfter = StoreSettings.DEFAULT_UNRESOLVED;
    int storeMaxTracked = StoreSettings.DEFAULT_MAX_TRACKED;
    int maxResultSize = StoreSettings.DEFAULT_MAX_RESULT;
    DurableCodec durableCodec;
    DurableStartGate durableStartGate = (start, abandon) -> start.run();
    final List<Durables.Registration<?>> handlers = new ArrayList<>();
    TaskCluster cluster;

    OrchestratorSettingsBuilder() {
    }

    /** This builder as the public type its setters return. */
    private TaskOrchestrator.Builder self() {
        return (TaskOrchestrator.Builder) this;
    }

    /**
     * Makes this orchestrator a member of {@code cluster}: tasks built with
     * {@link SpawningTaskBuilder#anywhere()} run on the least loaded member, and the cluster's views and
     * cancellation cover this member's tasks. Ids are unique across the cluster's live members whatever
     * their stores: without a store, the incarnation comes from the cluster; with one, the store's number
     * is claimed in the cluster, and the store skips ahead when the cluster has used it
     * ({@link TaskCluster#claimIncarnation}). Every member registers the same handlers.
     *
     * <pre>{@code
     * TaskOrchestrator.builder().cluster(new HazelcastTaskCluster(hazelcast))
     *         .handler("resize", Image.class, image -> resizer.resize(image))
     *         .build();
     * }</pre>
     */
    public TaskOrchestrator.Builder cluster(TaskCluster cluster) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        return self();
    }

    /**
     * Keeps task state in {@code store}: every task's record is written there in batches off the task
     * threads (within {@link TaskOrchestrator.Builder#storeFlushInterval storeFlushInterval}), {@link TaskOrchestrator#find} reads finished tasks
     * from it, tasks of crashed processes end {@code FAILED} with {@link TaskLostException}, and durable
     * tasks ({@link SpawningTaskBuilder#durable}) survive a crash. Ids then carry the store's
     * incarnation number ({@link TaskId}).
     *
     * <pre>{@code
     * TaskOrchestrator.builder().store(new JdbcTaskStore(dataSource)).durableCodec(new JsonDurableCodec()).build();
     * }</pre>
     */
    public TaskOrchestrator.Builder store(TaskStore store) {
        this.store = Objects.requireNonNull(store, "store");
        return self();
    }

    /**
     * This process's name among the members sharing a store; host name and process id by default.
     *
     * @throws IllegalArgumentException if the name is blank, longer than 200 characters or has control
     *                                  characters
     */
    public TaskOrchestrator.Builder member(String name) {
        Objects.requireNonNull(name, "member");
        // refused by build() only (blank, long), or not at all (a line break, a NUL PostgreSQL refuses)
        if (name.isBlank() || name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("member must be 1 to 200 characters, not blank, without control "
                    + "characters, was '" + Names.printable(name) + "'");
        }
        this.member = name;
        return self();
    }

    /**
     * How long this process counts as alive without renewing its lease in the store (renewed every
     * third); 30 s by default, 1 s to 1 day. Tasks of a process whose lease expired are marked lost,
     * and its durable tasks run again elsewhere.
     *
     * @throws IllegalArgumentException if {@code lease} is outside 1 s to 1 day (and {@link TaskOrchestrator.Builder#build() build()}
     *                                  if the flush interval is more than a third of it)
     */
    public TaskOrchestrator.Builder storeLease(Duration lease) {
        this.storeLease = StoreSettings.inRange("storeLease", lease, StoreSettings.MIN_LEASE, StoreSettings.MAX_LEASE);
        return self();
    }

    /**
     * How often task records are written; 1 s by default (a terminal status is stored within it).
     *
     * @throws IllegalArgumentException if {@code interval} is outside 1 ms to 1 hour
     */
    public TaskOrchestrator.Builder storeFlushInterval(Duration interval) {
        this.storeFlushInterval = StoreSettings.inRange("storeFlushInterval", interval, StoreSettings.MIN_FLUSH,
                StoreSettings.MAX_FLUSH);
        return self();
    }

    /**
     * How long finished task records are kept; 7 days by default.
     *
     * @throws IllegalArgumentException if {@code retention} is outside 1 minute to 36,500 days
     */
    public TaskOrchestrator.Builder storeRetention(Duration retention) {
        this.storeRetention = StoreSettings.inRange("storeRetention", retention, StoreSettings.MIN_RETENTION,
                StoreSettings.MAX_RETENTION);
        return self();
    }

    /**
     * How long a stored durable invocation of a handler this member does not register may wait, unclaimed by
     * any member, before this member ends it {@code FAILED} with a {@link TaskRejectedException} naming the
     * handler; 14 days by default. Such an invocation is one no live member can run (its handler was renamed or
     * removed by a deploy, or the members that register it have all been gone that long): without this it
     * would stay pending in the store for ever. Set it longer than the longest outage you expect of the members
     * that run a handler; a member that registers the handler claims and runs it as usual in the meantime.
     *
     * <pre>{@code
     * TaskOrchestrator.builder().store(store).storeUnresolvedAfter(Duration.ofDays(30)).build();
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code unclaimed} is outside 1 second to 36,500 days
     */
    public TaskOrchestrator.Builder storeUnresolvedAfter(Duration unclaimed) {
        this.storeUnresolvedAfter = StoreSettings.inRange("storeUnresolvedAfter", unclaimed,
                StoreSettings.MIN_UNRESOLVED, StoreSettings.MAX_UNRESOLVED);
        return self();
    }

    /**
     * How many tasks may wait to be written (while the store is slow or down); 10,000 by default.
     *
     * @throws IllegalArgumentException if {@code tasks} is less than 1
     */
    public TaskOrchestrator.Builder storeMaxPending(int tasks) {
        if (tasks < 1) {
            throw new IllegalArgumentException("storeMaxPending must be at least 1, was " + tasks);
        }
        this.storeMaxTracked = tasks;
        return self();
    }

    /**
     * The largest encoded durable result kept, in characters; 64 KiB by default, 0 keeps none.
     *
     * @throws IllegalArgumentException if {@code characters} is negative
     */
    public TaskOrchestrator.Builder maxResultSize(int characters) {
        if (characters < 0) {
            throw new IllegalArgumentException("maxResultSize must not be negative, was " + characters);
        }
        this.maxResultSize = characters;
        return self();
    }

    /** Encodes durable task arguments and results (needed for durable tasks). */
    public TaskOrchestrator.Builder durableCodec(DurableCodec codec) {
        this.durableCodec = Objects.requireNonNull(codec, "durableCodec");
        return self();
    }

    /** When a stored durable task starts; at once by default (the Spring starter: after commit). */
    public TaskOrchestrator.Builder durableStartGate(DurableStartGate gate) {
        this.durableStartGate = Objects.requireNonNull(gate, "durableStartGate");
        return self();
    }

    /**
     * Registers the handler of durable tasks named {@code name}, whose argument decodes to
     * {@code type}; see {@link DurableTaskBuilder}.
     *
     * <pre>{@code
     * builder.handler("send-invoice", Invoice.class, invoice -> mailer.send(invoice));
     * }</pre>
     *
     * @throws IllegalArgumentException if the name is blank, longer than 100 characters, or has control
     *         characters (the store keeps it); or if {@code type} is a primitive type (an argument is an object:
     *         {@code int.class} took none; use {@code Integer.class})
     */
    public <A> TaskOrchestrator.Builder handler(String name, Class<A> type, TaskHandler<A, ?> handler) {
        Durables.checkName(name);
        if (Objects.requireNonNull(type, "type").isPrimitive()) {
            // Registered, then every call failed: "takes a int, was given a java.lang.Integer"
            throw new IllegalArgumentException("task handler '" + name + "' takes a " + type + ": an argument is an "
                    + "object, so use its wrapper class (" + java.lang.invoke.MethodType.methodType(type).wrap()
                    .returnType().getSimpleName() + ".class)");
        }
        handlers.add(new Durables.Registration<>(name, Objects.requireNonNull(type, "type"),
                Objects.requireNonNull(handler, "handler")));
        return self();
    }

    /** Configures a concurrency group (see {@link io.sweetasync.limit.ConcurrencyLimiter}). */
    public TaskOrchestrator.Builder group(String name, LimiterConfig config) {
        Names.group("group name", name);
        groups.put(name, Objects.requireNonNull(config, "config"));
        return self();
    }

    /** The configuration of groups used without being configured; {@link LimiterConfig#defaults()} by default. */
    public TaskOrchestrator.Builder defaultGroupConfig(LimiterConfig config) {
        if (Objects.requireNonNull(config, "defaultGroupConfig").clusterWide()) {
            throw new IllegalArgumentException("the default group configuration cannot be cluster-wide: "
                    + "configure each cluster-wide group by name, with group(name, config)");
        }
        this.defaultGroupConfig = config;
        return self();
    }

    /**
     * Registers a runtime. A runtime named {@code virtual}, {@code platform} or {@code single}
     * replaces the built-in one (e.g. {@code TaskRuntime.platform("platform", 16)}). The orchestrator
     * closes its runtimes when it closes: a runtime object registered in several orchestrators is closed
     * by the first to close, and the others' tasks then queued on it end with
     * {@link TaskRejectedException} (as do their later ones), so give each orchestrator its own.
     *
     * @throws IllegalArgumentException if the runtime takes a built-in name but is of another kind (such
     *                                  as {@code TaskRuntime.platform("virtual", 4)}): every task that names
     *                                  no runtime would run on it; give it another name and make it the
     *                                  default with {@link #defaultRuntime(String)} if that is meant; or if a
     *                                  runtime of that name was registered already on this builder
     */
    public TaskOrchestrator.Builder runtime(TaskRuntime runtime) {
        Objects.requireNonNull(runtime, "runtime");
        TaskRuntime.Kind builtIn = switch (runtime.name()) {
            case "virtual" -> TaskRuntime.Kind.VIRTUAL;
            case "platform" -> TaskRuntime.Kind.PLATFORM;
            case "single" -> TaskRuntime.Kind.SINGLE;
            default -> null;
        };
        if (builtIn != null && runtime.kind() != builtIn) {
            throw new IllegalArgumentException("runtime '" + runtime.name() + "' is the built-in runtime of kind "
                    + builtIn + ", was given one of kind " + runtime.kind() + ": give it another name (and make "
                    + "it the default with defaultRuntime(name) if that is meant)");
        }
        TaskRuntime earlier = runtimes.putIfAbsent(runtime.name(), runtime);
        if (earlier != null) {
            // The earlier one would be dropped unseen (and never closed by this orchestrator)
            throw new IllegalArgumentException("runtime '" + runtime.name() + "' is registered already on this builder: "
                    + earlier + "; give each runtime its own name");
        }
        return self();
    }

    /** The runtime for tasks that name none and have no parent; {@code "virtual"} by default. */
    public TaskOrchestrator.Builder defaultRuntime(String name) {
        this.defaultRuntime = Objects.requireNonNull(name, "defaultRuntime");
        return self();
    }

    /** The time source; the system clock (with a scheduler thread the orchestrator owns) by default. */
    public TaskOrchestrator.Builder clock(TaskClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return self();
    }

    /**
     * Timeout for tasks that set none; none by default. A task that must have no deadline under it sets an
     * endless one, which schedules nothing that can end it:
     *
     * <pre>{@code
     * orchestrator.to(Report.class).timeout(ChronoUnit.FOREVER.getDuration()).run(() -> nightlyReport());
     * }</pre>
     */
    public TaskOrchestrator.Builder defaultTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "defaultTimeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("defaultTimeout must be positive, was " + timeout);
        }
        this.defaultTimeout = timeout;
        return self();
    }

    /** Retry policy for tasks that set none; {@link RetryPolicy#none()} by default. */
    public TaskOrchestrator.Builder defaultRetry(RetryPolicy policy) {
        this.defaultRetry = Objects.requireNonNull(policy, "defaultRetry");
        return self();
    }

    /** How many finished root tasks {@link TaskOrchestrator#recent()} keeps; 100 by default, 0 for none. */
    public TaskOrchestrator.Builder historySize(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("historySize must not be negative, was " + size);
        }
        this.historySize = size;
        return self();
    }

    /** How resource figures are obtained; {@link ResourceTracking#MEASURE} by default. */
    public TaskOrchestrator.Builder resourceTracking(ResourceTracking tracking) {
        this.resourceTracking = Objects.requireNonNull(tracking, "resourceTracking");
        return self();
    }

    /**
     * Adds a context propagator: context captured where a task is created is restored around its
     * attempts and fallback (see {@link io.sweetasync.spi.ContextPropagator}). Restored in the order
     * added.
     */
    public TaskOrchestrator.Builder contextPropagator(ContextPropagator propagator) {
        propagators.add(Objects.requireNonNull(propagator, "propagator"));
        return self();
    }

    /** Adds a listener (see {@link TaskListener}). */
    public TaskOrchestrator.Builder listener(TaskListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return self();
    }
}
