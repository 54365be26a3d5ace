package io.sweetasync.emit;

import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskPriority;
import java.time.Duration;

/** What an {@link EmittingTaskBuilder} has been told; {@code null}: not set. */
record PipelineSpec(String name, Duration timeout, int bufferSize, boolean sequence, ErrorStrategy errorStrategy,
        String group, TaskPriority priority, String runtime) {

    /** Gives {@code builder} the pipeline's runtime and priority, where set; for the pipeline and its workers. */
    <T> SpawningTaskBuilder<T> applyTo(SpawningTaskBuilder<T> builder) {
        SpawningTaskBuilder<T> configured = runtime != null ? builder.runtime(runtime) : builder;
        return priority != null ? configured.priority(priority) : configured;
    }

    static PipelineSpec defaults() {
        return new PipelineSpec("pipeline", null, 256, false, ErrorStrategy.continueOnError(), null, null, null);
    }

    PipelineSpec withName(String value) {
        return new PipelineSpec(value, timeout, bufferSize, sequence, errorStrategy, group, priority, runtime);
    }

    PipelineSpec withTimeout(Duration value) {
        return new PipelineSpec(name, value, bufferSize, sequence, errorStrategy, group, priority, runtime);
    }

    PipelineSpec withBufferSize(int value) {
        return new PipelineSpec(name, timeout, value, sequence, errorStrategy, group, priority, runtime);
    }

    PipelineSpec withSequence() {
        return new PipelineSpec(name, timeout, bufferSize, true, errorStrategy, group, priority, runtime);
    }

    PipelineSpec withErrorStrategy(ErrorStrategy value) {
        return new PipelineSpec(name, timeout, bufferSize, sequence, value, group, priority, runtime);
    }

    PipelineSpec withGroup(String value) {
        return new PipelineSpec(name, timeout, bufferSize, sequence, errorStrategy, value, priority, runtime);
    }

    PipelineSpec withPriority(TaskPriority value) {
        return new PipelineSpec(name, timeout, bufferSize, sequence, errorStrategy, group, value, runtime);
    }

    PipelineSpec withRuntime(String value) {
        return new PipelineSpec(name, timeout, bufferSize, sequence, errorStrategy, group, priority, value);
    }
}
