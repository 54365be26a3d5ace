package io.sweetasync.boot.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.limit.RejectionReason;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;

/**
 * Sweet Async's meters. Gauges and function counters read the orchestrator's live state when scraped;
 * the task timer and the limiter wait timer are recorded by a {@link TaskListener}.
 * <ul>
 * <li>{@code sweet.async.tasks} (timer; tags {@code name}, {@code group}, {@code outcome}): from creation
 * to terminal status;</li>
 * <li>{@code sweet.async.tasks.active}, {@code sweet.async.tasks.queued} (gauges);</li>
 * <li>{@code sweet.async.tasks.runaway} (gauge): tasks that ended at their deadline while their bodies
 * still run, ignoring the interrupt (each holds a thread and its group permit);</li>
 * <li>{@code sweet.async.store.pending} (gauge), {@code sweet.async.store.written},
 * {@code sweet.async.store.failures}, {@code sweet.async.store.dropped} (counters): how the task store keeps
 * up, with a store;</li>
 * <li>{@code sweet.async.runtime.threads}, {@code sweet.async.runtime.blocked} (gauges; tag
 * {@code runtime}): threads of each runtime, and bodies waiting with their slot handed to a spare;</li>
 * <li>{@code sweet.async.limit}, {@code sweet.async.limit.inflight}, {@code sweet.async.limit.queued}
 * (gauges; tag {@code group}; read from the limiter without a lock or an allocation),
 * {@code sweet.async.limit.baseline} (time gauge) and {@code sweet.async.limit.capacity} (gauge, completions
 * per second): why the adaptive limit is where it is; {@code sweet.async.limit.rejected} (counter; tags
 * {@code group}, {@code reason}: {@code queue_full}, {@code wait_timeout}, {@code shutdown}),
 * {@code sweet.async.limit.wait} (timer: how long tasks waited before starting);</li>
 * <li>{@code sweet.async.tasks.cpu}, {@code sweet.async.tasks.allocated}, {@code sweet.async.tasks.io.read},
 * {@code sweet.async.tasks.io.written} (counters; tag {@code name}): resource totals per task name,
 * measured and sampled alike;</li>
 * <li>{@code sweet.async.task.cpu}, {@code sweet.async.task.allocated}, {@code sweet.async.task.io.read},
 * {@code sweet.async.task.io.written} (distribution summaries; tag {@code name}): per task, each final
 * figure once: {@code MEASURED} and {@code SAMPLED} ones when the task finishes, ones still
 * {@code PENDING} then (sampled ones on their way, a runaway's while its body runs) when they become final
 * ({@link TaskListener#onResourcesUpdated}); {@code UNAVAILABLE} ones are left out;</li>
 * <li>{@code sweet.async.stream.emitted}, {@code .received}, {@code .errors} (counters; tag {@code name}):
 * events of the pipelines of that name, counted as they go (from the progress of the running ones), and
 * {@code sweet.async.stream.buffered} (gauge): events waiting in the buffers of the running pipelines of
 * that name (every name's stream meters are answered from one walk of the live tasks, at most 200 ms
 * old: {@link PipelineFigures}).</li>
 * </ul>
 * Tag values stay bounded: task names beyond the first {@value #MAX_NAMES} become {@code other} (their
 * resource totals too, so the totals over every {@code name} add up to the orchestrator's); groups beyond the
 * first {@value #MAX_GROUPS} become {@code other} in {@code sweet.async.tasks} and have no
 * {@code sweet.async.limit.*} meters (the {@code asynclimits} endpoint lists every group); ids never appear.
 * Bound to several registries, each gets every meter and counts each task once.
 */
public class SweetAsyncMetrics implements MeterBinder, TaskListener, AutoCloseable {

    static final int MAX_NAMES = 200;
    static final int MAX_GROUPS = 200;

    private final TaskOrchestrator orchestrator;
    private final BoundedTagValues names = new BoundedTagValues(MAX_NAMES);
    private final BoundedTagValues groups = new BoundedTagValues(MAX_GROUPS);
    /** Every registry bound to (a binder may be bound to several), with the meters made in it so far. */
    private final List<Bound> bound = new CopyOnWriteArrayList<>();
    private final AtomicBoolean listening = new AtomicBoolean();
    private final PipelineFigures pipelines;
    /** The resource meters: totals per name, and each task's figures. */
    private final ResourceMeters resources;
    /** Set once, by {@link #close()}: a meter made after it is removed at once. */
    private volatile boolean closed;

    /** One registry, the groups, names and pipelines whose meters it has, and its meters that read the orchestrator. */
    record Bound(MeterRegistry registry, Set<String> groups, Set<String> usage, Set<String> pipelines,
            Queue<Meter> meters) {
        Bound(MeterRegistry registry) {
            this(registry, ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet(),
                    new ConcurrentLinkedQueue<>());
        }
    }

    public SweetAsyncMetrics(TaskOrchestrator orchestrator) {
        this.orchestrator = orchestrator;
        this.pipelines = new PipelineFigures(orchestrator::liveTasks, this::tagOf);
        this.resources = new ResourceMeters(orchestrator, names, this::own);
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (bound.stream().anyMatch(target -> target.registry() == registry)) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("these Sweet Async meters were closed: bind a new SweetAsyncMetrics of the"
                    + " orchestrator");
        }
        Bound target = new Bound(registry);
        own(target, Gauge.builder("sweet.async.tasks.active", orchestrator, TaskOrchestrator::liveCount)
                .description("Tasks not yet finished (roots and children)").baseUnit("tasks").register(registry));
        own(target, Gauge.builder("sweet.async.tasks.queued", orchestrator, TaskOrchestrator::queuedCount)
                .description("Tasks waiting for a runtime slot or a limiter permit").baseUnit("tasks")
                .register(registry));
        own(target, Gauge.builder("sweet.async.tasks.runaway", orchestrator, TaskOrchestrator::runawayCount)
                .description("Tasks that timed out while their bodies still run, ignoring the interrupt")
                .baseUnit("tasks").register(registry));
        if (orchestrator.storeStatistics().isPresent()) {
            own(target, Gauge.builder("sweet.async.store.pending", orchestrator, o -> o.storeStatistics()
                    .map(s -> s.pending()).orElse(0))
                    .description("Tasks whose latest state is not yet written to the store")
                    .baseUnit("tasks").register(registry));
            own(target, FunctionCounter.builder("sweet.async.store.written", orchestrator, o -> o.storeStatistics()
                    .map(s -> s.written()).orElse(0L)).description("Task records written to the store")
                    .baseUnit("records").register(registry));
            own(target, FunctionCounter.builder("sweet.async.store.failures", orchestrator, o -> o.storeStatistics()
                    .map(s -> s.failedWrites()).orElse(0L)).description("Store calls that failed (each retried)")
                    .register(registry));
            own(target, FunctionCounter.builder("sweet.async.store.dropped", orchestrator, o -> o.storeStatistics()
                    .map(s -> s.dropped()).orElse(0L))
                    .description("Tasks never recorded because too many waited to be written").baseUnit("tasks")
                    .register(registry));
        }
        orchestrator.runtimes().forEach((name, runtime) -> {
            own(target, Gauge.builder("sweet.async.runtime.threads", runtime, r -> r.snapshot().threads())
                    .tag("runtime", name).description("Live threads of the runtime, spares included")
                    .baseUnit("threads").register(registry));
            own(target, Gauge.builder("sweet.async.runtime.blocked", runtime, r -> r.snapshot().blocked())
                    .tag("runtime", name)
                    .description("Bodies waiting with their slot handed to a spare thread").baseUnit("tasks")
                    .register(registry));
        });
        bound.add(target);
        bindGroups(target);
        resources.bind(target);
        if (listening.compareAndSet(false, true)) {
            orchestrator.addListener(this);
        }
        bindPipelines(target);
    }

    /**
     * The stream meters of the pipeline names another registry has, and of the pipelines running now: one that
     * started before the listener was registered (during the application's start, before Micrometer binds its
     * binders) was never announced, and an endless one would never have had meters. Called after the listener
     * is registered, so a pipeline starting meanwhile is announced or found here, or both.
     */
    private void bindPipelines(Bound target) {
        for (Bound other : bound) {
            other.pipelines().forEach(name -> bindPipeline(target, name));
        }
        for (TaskInfo task : orchestrator.liveTasks()) {
            if (isPipeline(task)) {
                bindPipeline(target, names.of(task.name()));
            }
        }
    }

    private void bindGroups(Bound bound) {
        MeterRegistry target = bound.registry();
        for (LimiterSnapshot snapshot : orchestrator.limiters()) {
            String group = snapshot.group();
            if (!groups.admit(group) || !bound.groups().add(group)) {
                continue;
            }
            // The limiter's own lock-free reads: a scrape allocates nothing and takes no lock.
            ConcurrencyLimiter limiter = orchestrator.limiter(group);
            Tags tags = Tags.of("group", group);
            limitGauge(bound, "sweet.async.limit", "Current concurrency limit of the group", limiter, tags,
                    ConcurrencyLimiter::limit);
            limitGauge(bound, "sweet.async.limit.inflight", "Permits of the group held now", limiter, tags,
                    ConcurrencyLimiter::inFlight);
            limitGauge(bound, "sweet.async.limit.queued", "Tasks waiting for a permit of the group", limiter, tags,
                    ConcurrencyLimiter::queued);
            own(bound, TimeGauge.builder("sweet.async.limit.baseline", limiter, TimeUnit.NANOSECONDS,
                    ConcurrencyLimiter::baselineNanos)
                    .description("Latency the group's limit algorithm takes for no queueing (0: none)").tags(tags)
                    .register(target));
            own(bound, Gauge.builder("sweet.async.limit.capacity", limiter, ConcurrencyLimiter::estimatedCapacity)
                    .description("Completions per second the group's limit algorithm believes the downstream sustains "
                            + "(0: no estimate)")
                    .baseUnit("tasks.per.second").tags(tags).register(target));
            own(bound, FunctionTimer.builder("sweet.async.limit.wait", limiter, ConcurrencyLimiter::accepted,
                    ConcurrencyLimiter::waitedNanos, TimeUnit.NANOSECONDS)
                    .description("Permits the group granted (to tasks and pipeline receives) and how long they waited")
                    .tags(tags).register(target));
            for (RejectionReason reason : RejectionReason.values()) {
                own(bound, FunctionCounter.builder("sweet.async.limit.rejected", limiter, l -> l.rejected(reason))
                        .description("Tasks the group rejected, by reason").baseUnit("tasks")
                        .tags(tags.and("reason", reason.name().toLowerCase(Locale.ROOT))).register(target));
            }
        }
    }

    private void limitGauge(Bound bound, String name, String description, ConcurrencyLimiter limiter, Tags tags,
            ToDoubleFunction<ConcurrencyLimiter> value) {
        own(bound, Gauge.builder(name, limiter, value).description(description).baseUnit("tasks").tags(tags)
                .register(bound.registry()));
    }

    /** Whether {@code task} is a pipeline (which its builder tags {@code kind=pipeline}), not one of its workers. */
    static boolean isPipeline(TaskInfo task) {
        return "pipeline".equals(task.tags().get("kind"));
    }

    private void bindPipeline(Bound bound, String name) {
        if (bound.pipelines().add(name)) {
            own(bound, Gauge.builder("sweet.async.stream.buffered", pipelines, figures -> figures.buffered(name))
                    .description("Events waiting in the buffers of running pipelines of this name").baseUnit("events")
                    .tags("name", name).register(bound.registry()));
            for (int i = 0; i < PipelineFigures.COUNTED.size(); i++) {
                int figure = i;
                String counted = PipelineFigures.COUNTED.get(figure);
                own(bound, FunctionCounter.builder("sweet.async.stream." + counted, pipelines,
                        figures -> figures.counted(name, figure))
                        .description("Pipeline events " + counted).baseUnit("events").tags("name", name)
                        .register(bound.registry()));
            }
        }
    }

    /** Keeps a meter that reads the orchestrator for {@link #close()}, which sets {@code closed} before its walk. */
    void own(Bound target, Meter meter) {
        target.meters().add(meter);
        if (closed) {
            target.registry().remove(meter);
        }
    }

    /**
     * Removes the meters that read the orchestrator (gauges, function counters and timers) from every registry
     * bound to, and stops listening (Spring calls it as the context closes). Outside Spring, call it with the
     * orchestrator's {@code close()} when the registry lives on: Micrometer hands back the meter registered under a
     * name and tags, so the next orchestrator's gauges were the old ones, reading the closed orchestrator.
     * The timers and distributions recorded per task stay.
     */
    @Override
    public synchronized void close() { // after a bindTo under way (its registry in bound then), or before (it throws)
        closed = true;
        orchestrator.removeListener(this);
        for (Bound target : bound) {
            for (Meter meter : target.meters()) {
                target.registry().remove(meter);
            }
        }
    }

    @Override
    public void onStarted(TaskInfo task) {
        for (Bound target : bound) {
            if (isPipeline(task)) {
                bindPipeline(target, names.of(task.name()));
            }
            if (groupUnbound(target, task.group())) {
                bindGroups(target);
            }
        }
    }

    @Override
    public void onFinished(TaskInfo task) {
        String usageTag = resources.finished(task);
        String name = names.of(task.name());
        if (isPipeline(task)) {
            pipelines.ended(task, name);
        }
        for (Bound target : bound) {
            if (groupUnbound(target, task.group())) {
                bindGroups(target);
            }
            resources.bindIfNeeded(target, usageTag);
            onFinished(target, task, name);
        }
    }

    private void onFinished(Bound bound, TaskInfo task, String name) {
        MeterRegistry target = bound.registry();
        resources.recordFinished(target, name, task.metrics());
        if (isPipeline(task)) {
            bindPipeline(bound, name);
        }
        Duration total = task.completedAt() == null || task.createdAt() == null ? Duration.ZERO
                : Duration.between(task.createdAt(), task.completedAt());
        Timer.builder("sweet.async.tasks").description("Tasks from creation to their terminal status")
                .tags("name", name, "group", task.group() == null ? "none" : groups.of(task.group()),
                        "outcome", task.status().name().toLowerCase(Locale.ROOT))
                .register(target).record(total);
    }

    /** Figures that were {@code PENDING} when the task finished are final now: recorded (see ResourceMeters). */
    @Override
    public void onResourcesUpdated(TaskInfo task) {
        resources.updated(task, bound);
    }

    /** Whether a task of this group may need the group's meters bound now (never for groups beyond the bound). */
    private boolean groupUnbound(Bound bound, String group) {
        return group != null && !bound.groups().contains(group) && groups.admit(group);
    }

    /** The name's tag, without admitting it. */
    private String tagOf(String name) {
        return names.isAdmitted(name) ? name : BoundedTagValues.OTHER;
    }
}
