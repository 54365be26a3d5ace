package io.sweetasync.emit;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.internal.Names;
import java.time.Duration;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Configures a streaming pipeline: a sender emits events of type {@code E} into a bounded buffer;
 * receivers take them and collect keyed results. Immutable like every builder here; nothing runs until a
 * terminal method of the {@link ReceivingStage}.
 *
 * <pre>{@code
 * FinalEvent<String, User> done = AsyncTask.emits(UserRow.class)
 *     .named("import-users")
 *     .bufferSize(256)                                   // backpressure: emit() blocks when full
 *     .sequence()                                        // collected() in emission order
 *     .sender(SenderStrategy.serial(), emitter -> emitter.emitAll(rows))
 *     .receiver(ReceiverStrategy.parallel(8), (event, collector) ->
 *         collector.collect(event.data().id(), enrich(event.data())))
 *     .awaitFinalEvent();
 * }</pre>
 *
 * <p>The pipeline runs as a task named as configured (tagged {@code kind=pipeline}); its sender and
 * receiver workers are child tasks ({@code name.sender}, {@code name.receiver}), each with its own count in
 * its snapshot's {@code progress} ({@code emitted} by that sender, {@code received} by that receiver; they
 * add up to the pipeline's); the pipeline's {@code progress} has the emitted, received and error counts,
 * the buffer fill and the worker counts. Workers live under the pipeline's
 * deadline (never the orchestrator's default timeout) and are never retried, nor is the pipeline as a
 * whole; a worker that ends without completing (say it was cancelled by id) fails the pipeline, whose
 * error names it, rather than leaving events unsent or unreceived.
 *
 * @param <E> the event type
 */
public final class EmittingTaskBuilder<E> {

    /**
     * The longest pipeline name: its workers are named {@code name.receiver} and {@code name.sender},
     * and a task name has at most 100 characters.
     */
    static final int MAX_NAME = 100 - ".receiver".length();

    private final TaskOrchestrator orchestrator;
    private final PipelineSpec spec;

    private EmittingTaskBuilder(TaskOrchestrator orchestrator, PipelineSpec spec) {
        this.orchestrator = orchestrator;
        this.spec = spec;
    }

    /** A builder of pipelines on {@code orchestrator}; usually reached through {@code AsyncTask.emits}. */
    public static <E> EmittingTaskBuilder<E> on(TaskOrchestrator orchestrator) {
        return new EmittingTaskBuilder<>(Objects.requireNonNull(orchestrator, "orchestrator"), PipelineSpec.defaults());
    }

    /**
     * The pipeline task's name ({@code "pipeline"} by default); workers are named after it
     * ({@code name.sender}, {@code name.receiver}), so it has at most 91 characters, without
     * control characters, '/' or '#'.
     */
    public EmittingTaskBuilder<E> named(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.length() > MAX_NAME || name.indexOf('/') >= 0 || name.indexOf('#') >= 0
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("pipeline name '" + Names.printable(name) + "' is not valid: use 1 to "
                    + MAX_NAME + " characters (its workers are named after it), not blank, without control characters, "
                    + "'/' or '#'");
        }
        return new EmittingTaskBuilder<>(orchestrator, spec.withName(name));
    }

    /** A deadline for the whole pipeline; on expiry every worker is interrupted and it ends {@code TIMED_OUT}. */
    public EmittingTaskBuilder<E> timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return new EmittingTaskBuilder<>(orchestrator, spec.withTimeout(timeout));
    }

    /**
     * How many events may be in the pipeline between sender and receivers (256 by default): queued,
     * being handed over, or taken by a receiver and not yet finished, except the one each receiver is
     * on; {@code emit} blocks beyond.
     */
    public EmittingTaskBuilder<E> bufferSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("bufferSize must be at least 1, was " + size);
        }
        return new EmittingTaskBuilder<>(orchestrator, spec.withBufferSize(size));
    }

    /** {@link FinalEvent#collected()} and {@link FinalEvent#errors()} in emission order, whatever the receivers' timing. */
    public EmittingTaskBuilder<E> sequence() {
        return new EmittingTaskBuilder<>(orchestrator, spec.withSequence());
    }

    /** What happens on errors; {@link ErrorStrategy#continueOnError()} by default. */
    public EmittingTaskBuilder<E> errorStrategy(ErrorStrategy strategy) {
        return new EmittingTaskBuilder<>(orchestrator, spec.withErrorStrategy(Objects.requireNonNull(strategy, "strategy")));
    }

    /**
     * A concurrency group each event's receive must get a permit of (waiting in priority order), so an
     * adaptive limit protects what receivers call. A rejected permit (the group at its limit with its
     * queue full, or a wait beyond its maximum) is that attempt's error, a
     * {@link java.util.concurrent.RejectedExecutionException} naming the pipeline, the event and the
     * group, handled by the error strategy like any other: retried, kept in {@link FinalEvent#errors()},
     * or stopping the pipeline; the receiver goes on with the next event. As a task's body does, a receiver
     * gives its permit back while it waits for a task ({@code join()}, {@code get()}, any
     * {@link io.sweetasync.TaskRuntime#managedBlock}) and takes it again as the wait ends, so it may wait for
     * a task of this same group; its latency sample then measures the receive from the end of its last wait.
     * A receive's sample is a task attempt's: one that returns is a latency sample, one that fails is none (a
     * failure that comes fast would read as a healthy downstream), one that failed because something timed out
     * ({@code ...TimeoutException}, its own or a cause's) is a drop.
     */
    public EmittingTaskBuilder<E> group(String group) {
        Names.group("group", group);
        return new EmittingTaskBuilder<>(orchestrator, spec.withGroup(group));
    }

    /**
     * Priority of the pipeline's tasks and of its permit requests ({@link #group}); unset, both take the
     * priority of the task the pipeline is started in, as any task does ({@code NORMAL} for a root).
     */
    public EmittingTaskBuilder<E> priority(TaskPriority priority) {
        return new EmittingTaskBuilder<>(orchestrator, spec.withPriority(Objects.requireNonNull(priority, "priority")));
    }

    /**
     * The runtime of the pipeline's tasks (by default inherited from the task it is started in, else the
     * orchestrator's default runtime: {@code "virtual"} unless configured otherwise). The pipeline task and
     * its workers wait for each other: on {@code virtual}, {@code platform} and {@code single} runtimes a
     * waiting one hands its thread on, but an {@link io.sweetasync.TaskRuntime#executor executor} runtime
     * cannot, so it needs a thread for the pipeline and each of its workers at once (a bounded pool with fewer
     * waits for ever), and on a caller-runs executor the pipeline fails, as its workers cannot run beside it.
     */
    public EmittingTaskBuilder<E> runtime(String runtime) {
        Objects.requireNonNull(runtime, "runtime");
        orchestrator.runtimes().keySet().stream().filter(runtime::equals).findAny().orElseThrow(
                () -> new IllegalArgumentException("unknown runtime '" + runtime + "'; registered runtimes: "
                        + String.join(", ", new TreeSet<>(orchestrator.runtimes().keySet()))));
        return new EmittingTaskBuilder<>(orchestrator, spec.withRuntime(runtime));
    }

    /** The source, run by one sender worker. */
    public SendingStage<E> sender(Sender<E> sender) {
        return sender(SenderStrategy.serial(), sender);
    }

    /** The source, run as {@code strategy} says. */
    public SendingStage<E> sender(SenderStrategy strategy, Sender<E> sender) {
        return new SendingStage<>(orchestrator, spec, Objects.requireNonNull(strategy, "strategy"),
                Objects.requireNonNull(sender, "sender"));
    }
}
