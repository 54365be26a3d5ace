package io.sweetasync;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a builder has been told; {@code null} means "not set: inherit or use the default".
 * Immutable: each {@code with...} returns a copy.
 */
record TaskSpec<T>(String name, Duration timeout, RetryPolicy retry,
        Function<? super AsyncTaskException, ? extends T> fallback, TaskPriority priority, String group,
        String runtime, boolean detached, Map<String, String> tags, List<TaskNode<?>> after, TaskNode<?> parent) {

    /** Nothing set: shared, since a spec is immutable (one allocation fewer per submitted task). */
    private static final TaskSpec<?> EMPTY = new TaskSpec<>(null, null, null, null, null, null, null, false, Map.of(),
            List.of(), null);

    @SuppressWarnings("unchecked")
    static <T> TaskSpec<T> empty() {
        return (TaskSpec<T>) EMPTY;
    }

    static <T> TaskSpec<T> childOf(TaskNode<?> parent) {
        return new TaskSpec<>(null, null, null, null, null, null, null, false, Map.of(), List.of(), parent);
    }

    TaskSpec<T> withName(String value) {
        return new TaskSpec<>(value, timeout, retry, fallback, priority, group, runtime, detached, tags, after, parent);
    }

    TaskSpec<T> withTimeout(Duration value) {
        return new TaskSpec<>(name, value, retry, fallback, priority, group, runtime, detached, tags, after, parent);
    }

    TaskSpec<T> withRetry(RetryPolicy value) {
        return new TaskSpec<>(name, timeout, value, fallback, priority, group, runtime, detached, tags, after, parent);
    }

    TaskSpec<T> withFallback(Function<? super AsyncTaskException, ? extends T> value) {
        return new TaskSpec<>(name, timeout, retry, value, priority, group, runtime, detached, tags, after, parent);
    }

    TaskSpec<T> withPriority(TaskPriority value) {
        return new TaskSpec<>(name, timeout, retry, fallback, value, group, runtime, detached, tags, after, parent);
    }

    TaskSpec<T> withGroup(String value) {
        return new TaskSpec<>(name, timeout, retry, fallback, priority, value, runtime, detached, tags, after, parent);
    }

    TaskSpec<T> withRuntime(String value) {
        return new TaskSpec<>(name, timeout, retry, fallback, priority, group, value, detached, tags, after, parent);
    }

    TaskSpec<T> withDetached() {
        return new TaskSpec<>(name, timeout, retry, fallback, priority, group, runtime, true, tags, after, null);
    }

    TaskSpec<T> withTag(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(tags);
        more.put(key, value);
        return new TaskSpec<>(name, timeout, retry, fallback, priority, group, runtime, detached,
                java.util.Collections.unmodifiableMap(more), after, parent);
    }

    TaskSpec<T> withAfter(List<TaskNode<?>> value) {
        return new TaskSpec<>(name, timeout, retry, fallback, priority, group, runtime, detached, tags, value, parent);
    }
}
