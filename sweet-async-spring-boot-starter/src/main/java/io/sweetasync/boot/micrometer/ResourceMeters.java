package io.sweetasync.boot.micrometer;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sweetasync.ResourceUsage;
import io.sweetasync.ResourceValue;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskMetrics;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.micrometer.SweetAsyncMetrics.Bound;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.ToDoubleFunction;

/**
 * The resource meters of {@link SweetAsyncMetrics}: the totals per task name ({@code sweet.async.tasks.cpu},
 * {@code .allocated}, {@code .io.read}, {@code .io.written}: function counters read from the orchestrator's
 * {@code resourceUsage}), and each task's final figures ({@code sweet.async.task.*} distribution summaries), recorded
 * once each: {@code MEASURED} and {@code SAMPLED} ones when the task finishes, ones {@code PENDING} then when they
 * become final. Names share the binder's bound ({@link BoundedTagValues}): beyond it, {@code other}.
 *
 * <h2>Threads</h2>
 * Called on the threads that announce tasks (listeners) and on the binding thread; its one map is concurrent, and
 * a registry's meters of a name are made once ({@code Bound.usage()}, a concurrent set).
 */
final class ResourceMeters {

    /** The name of the orchestrator's resource totals of the names beyond its own bound ({@code resourceUsage()}). */
    private static final String ORCHESTRATOR_OTHER = "(other)";
    /** The figures that may be {@code MEASURED}, a bit each. */
    private static final int CPU = 1;
    private static final int ALLOCATED = 2;
    private static final int EVERY_FIGURE = CPU | ALLOCATED;

    private final TaskOrchestrator orchestrator;
    private final BoundedTagValues names;
    /** Keeps a meter that reads the orchestrator, for the binder's {@code close()}. */
    private final BiConsumer<Bound, Meter> own;
    /**
     * Runaways whose measurable figures were {@code PENDING} in {@code onFinished} (a bit per figure, see
     * {@link #CPU}): those figures turn {@code MEASURED} in {@code onResourcesUpdated} and are recorded
     * there, while a {@code MEASURED} figure there of any other task was recorded in {@code onFinished}
     * already. An entry is removed when its task is announced; one whose body outlives the orchestrator is
     * never announced and stays (one per such runaway, each of which held a thread).
     */
    private final Map<TaskId, Integer> runawaysPending = new ConcurrentHashMap<>();

    ResourceMeters(TaskOrchestrator orchestrator, BoundedTagValues names, BiConsumer<Bound, Meter> own) {
        this.orchestrator = orchestrator;
        this.names = names;
        this.own = own;
    }

    /** The totals of every name the orchestrator has figures for, in {@code bound}'s registry. */
    void bind(Bound bound) {
        for (ResourceUsage usage : orchestrator.resourceUsage()) {
            String tag = usageTag(usage.name());
            if (bound.usage().add(tag)) {
                usageCounters(bound, tag);
            }
        }
    }

    /** Binds the totals again if {@code bound}'s registry has none for {@code usageTag} yet. */
    void bindIfNeeded(Bound bound, String usageTag) {
        if (!bound.usage().contains(usageTag)) {
            bind(bound);
        }
    }

    /**
     * {@code task} finished: a runaway's figures still {@code PENDING} are remembered for {@link #updated}.
     *
     * @return the {@code name} tag of its totals
     */
    String finished(TaskInfo task) {
        if (task.runaway()) {
            int pending = (task.metrics().cpuTimeNanos().isPending() ? CPU : 0)
                    | (task.metrics().allocatedBytes().isPending() ? ALLOCATED : 0);
            if (pending != 0) {
                runawaysPending.put(task.id(), pending);
            }
        }
        return usageTag(task.name());
    }

    /** Records a finished task's final figures (of {@code name}, its tag) in {@code target}. */
    void recordFinished(MeterRegistry target, String name, TaskMetrics metrics) {
        recordFigures(target, name, metrics, EVERY_FIGURE);
    }

    /**
     * Figures that were {@code PENDING} when the task finished are final now: sampled ones (all of a task's
     * sampled figures settle together, so none of these was recorded when it finished), and a
     * runaway's measured ones, pending until its body returned.
     */
    void updated(TaskInfo task, List<Bound> bound) {
        Integer runaway = runawaysPending.remove(task.id());
        int measured = runaway == null ? 0 : runaway;
        String usageTag = usageTag(task.name());
        for (Bound target : bound) {
            bindIfNeeded(target, usageTag);
            recordFigures(target.registry(), names.of(task.name()), task.metrics(), measured);
        }
    }

    /** The {@code name} tag of a name's resource totals, admitting the name if there is room. */
    private String usageTag(String name) {
        return isOther(names, name) || !names.admit(name) ? BoundedTagValues.OTHER : name;
    }

    /**
     * Whether a name's resource totals go to {@code other}: once the names are full and it is not one of them (the
     * admitted names never change once the bound is reached, so the {@code other} totals only grow), named
     * so, or the orchestrator's own bucket beyond its bound, {@code (other)} (which sorts first among the
     * names a binder bound late admits).
     */
    private static boolean isOther(BoundedTagValues names, String name) {
        return BoundedTagValues.OTHER.equals(name) || ORCHESTRATOR_OTHER.equals(name)
                || names.isFull() && !names.isAdmitted(name);
    }

    private void usageCounters(Bound target, String tag) {
        Tags tags = Tags.of("name", tag);
        usageCounter(target, "sweet.async.tasks.cpu", "CPU time of tasks of this name", "seconds", tag, tags,
                u -> u.cpuNanos() / 1e9);
        usageCounter(target, "sweet.async.tasks.allocated", "Heap allocated by tasks of this name", "bytes", tag,
                tags, ResourceUsage::allocatedBytes);
        usageCounter(target, "sweet.async.tasks.io.read", "Bytes read from files and sockets by tasks of this name",
                "bytes", tag, tags, ResourceUsage::bytesRead);
        usageCounter(target, "sweet.async.tasks.io.written", "Bytes written to files and sockets by tasks of this name",
                "bytes", tag, tags, ResourceUsage::bytesWritten);
    }

    /**
     * One resource total of the tasks tagged {@code tag}: a name's own totals, looked up (a scrape reads four
     * per name, so building every name's totals for each made a scrape quadratic in the names), or for
     * {@code other} the sum over every name beyond the bound.
     */
    private void usageCounter(Bound target, String meter, String description, String unit, String tag,
            Tags tags, ToDoubleFunction<ResourceUsage> value) {
        BoundedTagValues admitted = names; // not this: a registry outliving the orchestrator kept it through the binder
        ToDoubleFunction<TaskOrchestrator> total = tag.equals(BoundedTagValues.OTHER)
                ? o -> o.resourceUsage().stream().filter(u -> isOther(admitted, u.name())).mapToDouble(value).sum()
                : o -> o.resourceUsage(tag).map(value::applyAsDouble).orElse(0.0);
        own.accept(target, FunctionCounter.builder(meter, orchestrator, total).description(description).baseUnit(unit)
                .tags(tags).register(target.registry()));
    }

    /** Records the task's {@code SAMPLED} figures, and those {@code MEASURED} among {@code measured} (bits). */
    private static void recordFigures(MeterRegistry target, String name, TaskMetrics metrics, int measured) {
        record(target, "sweet.async.task.cpu", "CPU time of each task of this name", "seconds", name,
                metrics.cpuTimeNanos(), 1e-9, (measured & CPU) != 0);
        record(target, "sweet.async.task.allocated", "Heap allocated by each task of this name", "bytes", name,
                metrics.allocatedBytes(), 1, (measured & ALLOCATED) != 0);
        record(target, "sweet.async.task.io.read", "Bytes each task of this name read from files and sockets", "bytes",
                name, metrics.bytesRead(), 1, false);
        record(target, "sweet.async.task.io.written", "Bytes each task of this name wrote to files and sockets",
                "bytes", name, metrics.bytesWritten(), 1, false);
    }

    private static void record(MeterRegistry target, String meter, String description, String unit, String name,
            ResourceValue figure, double scale, boolean measuredToo) {
        boolean wanted = figure.source() == ResourceValue.Source.SAMPLED
                || measuredToo && figure.source() == ResourceValue.Source.MEASURED;
        if (wanted) {
            DistributionSummary.builder(meter).description(description).baseUnit(unit).tags("name", name)
                    .register(target).record(figure.amount() * scale);
        }
    }
}
