package io.sweetasync.emit;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskMetrics;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** A pipeline's handle: the coordinator task's handle plus the pipeline's live state. */
final class DefaultEmittingTask<K, V> implements EmittingTask<K, V> {

    private final SpawningTask<FinalEvent<K, V>> task;
    private final Pipeline<?, K, V> pipeline;

    DefaultEmittingTask(SpawningTask<FinalEvent<K, V>> task, Pipeline<?, K, V> pipeline) {
        this.task = task;
        this.pipeline = pipeline;
    }

    @Override
    public CompletableFuture<FinalEvent<K, V>> finalEvent() {
        return task.toCompletableFuture();
    }

    @Override
    public PipelineProgress progress() {
        return pipeline.progress();
    }

    @Override
    public Flow.Publisher<Map.Entry<K, V>> results() {
        return pipeline.results();
    }

    @Override
    public TaskId id() {
        return task.id();
    }

    @Override
    public String name() {
        return task.name();
    }

    @Override
    public TaskStatus status() {
        return task.status();
    }

    @Override
    public TaskInfo info() {
        return task.info();
    }

    @Override
    public TaskMetrics metrics() {
        return task.metrics();
    }

    @Override
    public FinalEvent<K, V> join() {
        return task.join();
    }

    @Override
    public TaskResult<FinalEvent<K, V>> result() {
        return task.result();
    }

    @Override
    public CompletableFuture<FinalEvent<K, V>> toCompletableFuture() {
        return task.toCompletableFuture();
    }

    @Override
    public <U> SpawningTask<U> chain(Function<? super FinalEvent<K, V>, ? extends U> next) {
        return task.chain(next);
    }

    @Override
    public boolean cancel() {
        return task.cancel();
    }

    @Override
    public boolean isDone() {
        return task.isDone();
    }

    @Override
    public boolean isCancelled() {
        return task.isCancelled();
    }

    @Override
    public State state() {
        return task.state();
    }

    @Override
    public FinalEvent<K, V> get() throws InterruptedException, ExecutionException {
        return task.get();
    }

    @Override
    public FinalEvent<K, V> get(long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return task.get(timeout, unit);
    }

    @Override
    public String toString() {
        return "EmittingTask[" + task + ", " + pipeline.progress() + "]";
    }
}
