package io.sweetasync;

import io.sweetasync.internal.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.function.Function;

/**
 * Configures and starts single tasks. Immutable: every configuration method returns a new builder
 * and leaves this one unchanged, so a configured builder is a reusable template. Nothing runs until
 * {@link #run}, {@link #await} or {@link #awaitResult} is called.
 *
 * <p>Unset values are inherited or defaulted when the task starts: the name from the work's class
 * (the class that declares the lambda) or {@code "task"}; priority and runtime from the parent task,
 * else {@link TaskPriority#NORMAL} and the orchestrator's default runtime ({@code "virtual"}); timeout
 * and retry from the orchestrator's defaults (none, unless configured).
 *
 * <pre>{@code
 * SpawningTaskBuilder<Invoice> template = AsyncTask.to(Invoice.class)
 *         .named("render-invoice")
 *         .timeout(Duration.ofSeconds(10))
 *         .retry(RetryPolicy.fixed(2, Duration.ofMillis(200)).retryOn(IOException.class));
 * SpawningTask<Invoice> a = template.run(() -> render(orderA));
 * Invoice b = template.priority(TaskPriority.HIGH).await(() -> render(orderB));
 * }</pre>
 *
 * @param <T> the value type
 */
public final class SpawningTaskBuilder<T> {

    private static final int MAX_NAME = 100;
    private static final int MAX_TAG_KEY = 100;
    private static final int MAX_TAG_VALUE = 1_000;
    private static final int MAX_TAGS = 1_000;

    private final TaskOrchestrator orchestrator;
    private final TaskSpec<T> spec;
    /**
     * The value type given to {@code to(Class)} or {@code child(Class)}, null for {@code to()}: a durable or
     * {@code anywhere()} task, whose handler's result the compiler cannot check, is held to it.
     */
    private final Class<T> type;

    SpawningTaskBuilder(TaskOrchestrator orchestrator, TaskSpec<T> spec) {
        this(orchestrator, spec, null);
    }

    SpawningTaskBuilder(TaskOrchestrator orchestrator, TaskSpec<T> spec, Class<T> type) {
        this.orchestrator = orchestrator;
        this.spec = spec;
        this.type = type;
    }

    /** A builder like this one with {@code next} set. */
    private SpawningTaskBuilder<T> with(TaskSpec<T> next) {
        return new SpawningTaskBuilder<>(orchestrator, next, type);
    }

    /**
     * The name shown in snapshots, messages and metrics. Keep it low-cardinality (no ids in it):
     * metrics use it as a tag.
     *
     * @throws IllegalArgumentException if the name is blank, longer than 100 characters, or has control
     *                                  characters, '/' or '#'
     */
    public SpawningTaskBuilder<T> named(String name) {
        Objects.requireNonNull(name, "name");
        // a line break in a name forged lines in every log message and error naming the task
        if (name.isBlank() || name.length() > MAX_NAME || name.indexOf('/') >= 0 || name.indexOf('#') >= 0
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("task name '" + Names.printable(name) + "' is not valid: use 1 to "
                    + MAX_NAME + " characters, not blank, without control characters, '/' or '#'");
        }
        return with(spec.withName(name));
    }

    /**
     * The deadline for the whole task: from {@link #run} (so the wait for its {@link #after} dependencies
     * counts: a task still waiting for them at the deadline ends {@code TIMED_OUT} without running), through
     * queueing, all attempts and back-off delays, to the end of its children. On expiry the body is
     * interrupted, the subtree cancelled, and the task ends {@link TaskStatus#TIMED_OUT}. (A
     * {@link SpawningTask#chain} task, which has no builder, gets the orchestrator's default timeout from
     * when its upstream succeeded.)
     */
    public SpawningTaskBuilder<T> timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return with(spec.withTimeout(timeout));
    }

    /** How failed attempts are retried; see {@link RetryPolicy}. */
    public SpawningTaskBuilder<T> retry(RetryPolicy policy) {
        return with(spec.withRetry(Objects.requireNonNull(policy, "policy")));
    }

    /**
     * The value to use when the task fails for good (after retries), times out or is rejected; not
     * when it is cancelled. The task's status still says what happened ({@code FAILED},
     * {@code TIMED_OUT}); its handle yields the fallback's value. If the fallback throws, the task's
     * error is a {@link TaskFailedException} with the fallback's exception as cause and the original
     * error suppressed. The fallback runs while the task ends, before its outcome is decided and before it
     * leaves its parent: its waits without a bound ({@code join()}, {@code result()}, {@code get()}, a
     * future's {@code join()}/{@code get()}) for the task itself, an ancestor, or a task that starts only
     * after one of those ({@code after}, {@code chain}, and so on) would never end, and are refused with
     * {@link IllegalStateException} naming both, which fails the fallback as above. The timeout does not
     * bound the fallback: its waiters are released once it returns. A task the fallback starts is a root, not a child of the task that is
     * ending, nor of a body whose thread it runs on (a task cancelled or rejected there ends on it); there
     * {@link TaskContext#current()} is empty.
     */
    public SpawningTaskBuilder<T> fallback(Function<? super AsyncTaskException, ? extends T> fallback) {
        return with(spec.withFallback(Objects.requireNonNull(fallback, "fallback")));
    }

    /** Admission order wherever the task waits (runtime queues, limiter queues). */
    public SpawningTaskBuilder<T> priority(TaskPriority priority) {
        return with(spec.withPriority(Objects.requireNonNull(priority, "priority")));
    }

    /**
     * The concurrency group: each attempt waits {@code QUEUED} (in priority order) for a permit of the
     * group's limiter, and is rejected with {@link TaskRejectedException} if the group's queue is full or
     * the wait exceeds its maximum. A failed attempt gives its permit back as it ends (to a task already
     * waiting, if any): a retry asks again, in its priority's place among the tasks waiting then, and never
     * holds the group through its delay or listeners. Groups not configured on the orchestrator get its default group
     * configuration. A name has 1 to 100 characters, without white space at its ends or control characters.
     * Keep names low-cardinality: each group keeps its limiter for the orchestrator's life
     * (a group per user or per request would grow memory without bound), and metrics use them as tags.
     */
    public SpawningTaskBuilder<T> group(String group) {
        // " pricing " silently made a second group, with the default limits, beside "pricing"
        Names.group("group", group);
        return with(spec.withGroup(group));
    }

    /**
     * The runtime to run on, by name.
     *
     * @throws IllegalArgumentException if the orchestrator has no runtime of that name (the message
     *                                  lists those it has)
     */
    public SpawningTaskBuilder<T> runtime(String runtime) {
        orchestrator.parts().runtime(runtime);
        return with(spec.withRuntime(runtime));
    }

    /** Do not become a child of the task running on the calling thread; start a new root. */
    public SpawningTaskBuilder<T> detached() {
        if (spec.parent() != null) {
            throw new IllegalStateException("a builder from TaskContext.child(...) makes children; it cannot be detached");
        }
        return with(spec.withDetached());
    }

    /**
     * Adds small metadata shown in snapshots and kept by a task store (never used as a metric tag).
     *
     * @throws IllegalArgumentException if the key is blank, longer than 100 characters or has control
     *                                  characters, the value is longer than 1,000 characters, or the task
     *                                  has 1,000 tags already and this key is a new one
     */
    public SpawningTaskBuilder<T> tag(String key, String value) {
        Objects.requireNonNull(key, "tag key");
        Objects.requireNonNull(value, "tag value");
        // A store could not keep these: a blank key was dropped when the record was read back, a long value
        // left out of the record; both silently.
        if (key.isBlank() || key.length() > MAX_TAG_KEY || key.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("tag key must be 1 to " + MAX_TAG_KEY + " characters, not blank, "
                    + "without control characters, was '" + Names.printable(key) + "'");
        }
        if (value.length() > MAX_TAG_VALUE) {
            throw new IllegalArgumentException("tag value of '" + key + "' must be at most " + MAX_TAG_VALUE
                    + " characters, was " + value.length() + ": '" + Names.printable(value) + "'");
        }
        if (spec.tags().size() >= MAX_TAGS && !spec.tags().containsKey(key)) {
            // each tag copies the builder's map: 100,000 tags took minutes, for metadata no snapshot could show
            throw new IllegalArgumentException("a task takes at most " + MAX_TAGS + " tags; '" + Names.printable(key)
                    + "' would be one more");
        }
        return with(spec.withTag(key, value));
    }

    /**
     * Starts the task only once all of {@code tasks} have completed. If one of them fails, times out
     * or is cancelled without a value, this task is cancelled at once, with a message naming that task;
     * one whose fallback gave a value counts as completed, as {@link SpawningTask#chain} runs on that value. Until then the
     * task is {@link TaskStatus#PENDING} and its snapshot lists the dependencies. (A handle can only
     * name a task created earlier, so dependencies cannot form a cycle.)
     *
     * <p>Inside a task body, a task that is not {@link #detached()} becomes a child of that body's task, which
     * waits for its children: naming that task or one of its ancestors here would never start, nor would naming
     * a task that itself starts only after one of those (say {@code to(...).detached().after(parent).run(...)}),
     * so {@link #run} refuses it with {@link IllegalArgumentException}.
     *
     * <p>Any handle of this orchestrator's tasks may be named, a pipeline's {@code EmittingTask} too.
     *
     * @throws IllegalArgumentException if a task belongs to another orchestrator
     */
    public SpawningTaskBuilder<T> after(SpawningTask<?>... tasks) {
        Objects.requireNonNull(tasks, "tasks");
        List<TaskNode<?>> all = new ArrayList<>(spec.after());
        for (SpawningTask<?> task : tasks) {
            Objects.requireNonNull(task, "dependency");
            // a handle wrapping a task (a pipeline's EmittingTask) hands out that task's future
            TaskNode<?> node = task instanceof TaskNode<?> own ? own : TaskOutcome.taskOf(task.toCompletableFuture());
            if (node == null || node.orchestrator() != orchestrator) {
                throw new IllegalArgumentException("dependency " + task.name() + "#" + task.id()
                        + " belongs to another orchestrator");
            }
            all.add(node);
        }
        return with(spec.withAfter(List.copyOf(all)));
    }

    /**
     * Submits the task now and returns its handle at once. Failures surface through the handle, never
     * from this method (except a misuse, such as starting a child of a finished task).
     *
     * @throws IllegalStateException    if this builder makes children of a task that has finished
     * @throws IllegalArgumentException if the task would be a child of a task it must start {@link #after}
     *                                  (directly or through an ancestor), or of a task that cannot end
     *                                  before a task it must start after does: it would never start
     */
    public SpawningTask<T> run(Callable<? extends T> work) {
        return orchestrator.parts().spawn(spec, Objects.requireNonNull(work, "work"));
    }

    /**
     * Runs the task and waits for its value. If the waiting thread is interrupted, the task is cancelled
     * (no handle was given out to cancel it otherwise) and this throws at once.
     *
     * @throws AsyncTaskException    if the task failed, timed out, was cancelled or rejected
     * @throws CancellationException if the waiting thread was interrupted (its interrupt status is kept)
     */
    public T await(Callable<? extends T> work) {
        return resultOrCancel(run(work)).orElseThrow();
    }

    /**
     * A durable task with these settings: the {@link TaskHandler} registered as {@code handler}, run on
     * {@code argument}; see {@link DurableTaskBuilder}. Needs an orchestrator with a store.
     *
     * <pre>{@code
     * Receipt receipt = orchestrator.to(Receipt.class).durable("send-invoice", invoice).await();
     * }</pre>
     */
    public DurableTaskBuilder<T> durable(String handler, Object argument) {
        Objects.requireNonNull(handler, "handler");
        if (!spec.after().isEmpty()) {
            throw new IllegalStateException("a durable task cannot wait for other tasks with after(...): "
                    + "they would not exist after a restart");
        }
        return new DurableTaskBuilder<>(orchestrator, spec, handler, argument, type);
    }

    /**
     * A task whose work is a registered {@link TaskHandler} that may run on any member of the
     * orchestrator's cluster: the least loaded one when it starts; see {@link AnywhereTaskBuilder}.
     *
     * <pre>{@code
     * Image small = orchestrator.to(Image.class).named("resize").anywhere().await("resize", image);
     * }</pre>
     */
    public AnywhereTaskBuilder<T> anywhere() {
        return new AnywhereTaskBuilder<>(orchestrator, spec, type);
    }

    /**
     * Runs the task, waits, and returns what {@code handler} makes of its result. If the waiting thread is
     * interrupted the task is cancelled, as by {@link #await}, and {@link CancellationException} is thrown.
     */
    public <R> R awaitResult(Callable<? extends T> work, Function<TaskResult<T>, R> handler) {
        Objects.requireNonNull(handler, "handler");
        return handler.apply(resultOrCancel(run(work)));
    }

    /**
     * Waits for {@code task}; if the waiting thread is interrupted, cancels it before the exception goes on.
     * For every terminal {@code await} that starts a task and gives out no handle to it.
     */
    static <T> TaskResult<T> resultOrCancel(SpawningTask<T> task) {
        try {
            return task.result();
        }
        catch (CancellationException interrupted) {
            task.cancel();
            throw interrupted;
        }
    }
}
