package io.sweetasync;

import io.sweetasync.limit.ConcurrencyLimiter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a task was created with, resolved (its place under its parent, name, priority, runtime, group and
 * limiter, tags, timeout, retry, fallback, dependencies): one immutable object that tasks built alike share.
 * Children created one after another under the same parent from the same spec (a fan-out through one
 * {@link TaskContext}) get the same object, so that a child carries one reference to its settings instead
 * of fourteen fields ({@link TaskChildren#lastChildSettings}, used by {@link TaskFactory}).
 *
 * <p>Invariants: immutable, all fields final (safely published through any race) but the cached
 * {@link #usage()}; {@link #spec} and {@link #derivedName} are the key it was resolved from: the same spec
 * object, the same parent and the same derived name give equal settings (the factory's defaults are fixed
 * for its life). A spec with dependencies is not kept (it would keep their tasks reachable), so such
 * settings are never reused.
 */
final class TaskSettings {

    final TaskSpec<?> spec;
    final String derivedName;
    final TaskOrchestrator orchestrator;
    final TaskNode<?> parent;
    /** The root of the tree, null for a root task (which is its own root). */
    final TaskNode<?> root;
    final int depth;
    final String name;
    final TaskPriority priority;
    final TaskRuntime runtime;
    final String group;
    /** The group's limiter, null without a group. */
    final ConcurrencyLimiter limiter;
    final Map<String, String> tags;
    final Duration timeout;
    final RetryPolicy retry;
    final Function<? super AsyncTaskException, ?> fallback;
    final List<TaskId> dependencies;
    /**
     * The totals of {@link #name}, looked up on the first attempt of a task with these settings (not
     * before: a name whose tasks never ran has no totals). A benign race: the lookup is idempotent, the
     * object thread-safe; siblings of a fan-out share one lookup instead of one per attempt.
     */
    private UsageTotals usage;

    TaskSettings(TaskSpec<?> spec, String derivedName, TaskOrchestrator orchestrator, TaskNode<?> parent,
            TaskPriority priority, TaskRuntime runtime, ConcurrencyLimiter limiter, Duration timeout,
            RetryPolicy retry) {
        this.spec = spec.after().isEmpty() ? spec : null; // not kept if it holds dependencies: never a key then
        this.derivedName = derivedName;
        this.orchestrator = orchestrator;
        this.parent = parent;
        this.root = parent == null ? null : parent.rootNode();
        this.depth = parent == null ? 0 : parent.depth() + 1;
        this.name = spec.name() != null ? spec.name() : derivedName;
        this.priority = priority;
        this.runtime = runtime;
        this.group = spec.group();
        this.limiter = limiter;
        this.tags = spec.tags();
        this.timeout = timeout;
        this.retry = retry;
        this.fallback = spec.fallback();
        this.dependencies = spec.after().isEmpty() ? List.of() : spec.after().stream().map(TaskNode::id).toList();
    }

    /** The resource totals of this name ({@link TaskOrchestrator#resourceUsage()}). */
    UsageTotals usage() {
        UsageTotals totals = usage;
        if (totals == null) {
            usage = totals = orchestrator.parts().usage(name);
        }
        return totals;
    }

    /** Whether these settings were resolved from {@code spec} with {@code derivedName} (same objects). */
    boolean resolvedFrom(TaskSpec<?> spec, String derivedName) {
        return this.spec == spec && this.derivedName == derivedName;
    }
}
