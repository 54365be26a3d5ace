package io.sweetasync;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.Function;

/**
 * A task that may run on any member of the orchestrator's cluster: a registered {@link TaskHandler} and its
 * argument, with the settings of the {@link SpawningTaskBuilder} it came from ({@link
 * SpawningTaskBuilder#anywhere()}). Immutable and reusable.
 *
 * <p>{@link #run} returns the handle of a task on this member that places the work on the least loaded
 * member when its body starts (this one included) and mirrors it: the handle's status is {@code RUNNING}
 * while the work runs elsewhere, {@code join()} and {@code result()} give its value or failure,
 * {@code cancel()} (or the timeout) cancels it on its member, interrupting its body. If that member leaves
 * the cluster first, the task ends {@code FAILED} with {@link TaskLostException} naming it; if the work
 * fails there, with a {@link TaskFailedException} caused by a {@link RemoteTaskException}. Retries re-place
 * the work. The work itself runs on its member as a task named like this one, in this builder's group
 * (admitted by that member's limiter), tagged {@code placed-from} with this member and task; when this
 * member is chosen it runs here as a child of the handle's task.
 *
 * <p>Without a cluster the work runs on this member. Its argument and result cross to another member
 * through the cluster engine, so they must be types it can transport (for Hazelcast: {@code Serializable}
 * or any Hazelcast-serializable type).
 *
 * <pre>{@code
 * TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(new HazelcastTaskCluster(hazelcast))
 *         .handler("resize", Image.class, resizer::resize)
 *         .build();
 * SpawningTask<Image> small = orchestrator.to(Image.class).named("resize").anywhere().run("resize", image);
 * }</pre>
 *
 * @param <T> the handler's result type
 */
public final class AnywhereTaskBuilder<T> {

    private final TaskOrchestrator orchestrator;
    private final TaskSpec<T> spec;

    /** The builder's value type, or null (see {@link WrongResultType}). */
    private final Class<T> type;

    AnywhereTaskBuilder(TaskOrchestrator orchestrator, TaskSpec<T> spec, Class<T> type) {
        this.orchestrator = orchestrator;
        this.spec = spec;
        this.type = type;
    }

    /**
     * Starts the task that places handler {@code handler} on {@code argument}; returns its handle at once.
     *
     * @throws IllegalArgumentException if no handler has that name, or it takes another type of argument
     */
    public SpawningTask<T> run(String handler, Object argument) {
        return orchestrator.parts().placement().spawn(spec, Objects.requireNonNull(handler, "handler"), argument, type);
    }

    /**
     * Runs the task and waits for its value. If the waiting thread is interrupted, the task is cancelled
     * (no handle was given out to cancel it otherwise), as by {@link SpawningTaskBuilder#await}.
     *
     * @throws AsyncTaskException    if the task failed, was lost, timed out, was cancelled or rejected
     * @throws CancellationException if the waiting thread was interrupted (its interrupt
     *                               status is kept)
     */
    public T await(String handler, Object argument) {
        return SpawningTaskBuilder.resultOrCancel(run(handler, argument)).orElseThrow();
    }

    /**
     * Runs the task, waits, and returns what {@code resultHandler} makes of its result. If the waiting
     * thread is interrupted the task is cancelled, as by {@link #await}.
     */
    public <R> R awaitResult(String handler, Object argument, Function<TaskResult<T>, R> resultHandler) {
        Objects.requireNonNull(resultHandler, "resultHandler");
        return resultHandler.apply(SpawningTaskBuilder.resultOrCancel(run(handler, argument)));
    }
}
