package io.sweetasync.internal;

import io.sweetasync.TaskContext;
import java.util.Objects;
import java.util.function.ObjIntConsumer;

/**
 * Not API. Joins {@code io.sweetasync.emit} to the engine ({@code io.sweetasync}): a pipeline's task asks to keep
 * only its newest few ended children. A task keeps every child it started until it finishes (each one's result
 * for {@code joinChildren()}); a pipeline whose adaptive workers retire and start again while it runs would so
 * keep every worker it ever started, without bound for a pipeline that runs for good.
 *
 * <p>The engine binds the one implementation as its task contexts' class loads ({@link #bind}), so it is bound
 * before any task's body can hold a context to pass here.
 */
public final class EndedChildren {

    private static volatile ObjIntConsumer<TaskContext> keeper;

    private EndedChildren() {
    }

    /** Called once by the engine: what {@link #keepAtMost} does. */
    public static void bind(ObjIntConsumer<TaskContext> engine) {
        keeper = Objects.requireNonNull(engine, "engine");
    }

    /**
     * From now on the task of {@code context} keeps, besides its children not ended, only its newest {@code ended}
     * ended ones; the others leave its list and its tree as its next child is added (its snapshots'
     * {@code childCount} still counts every child it started). Their results are then no longer joinable: only for
     * a task that never calls {@code joinChildren()}.
     *
     * @throws IllegalArgumentException if {@code ended} is negative, or {@code context} is not the engine's
     */
    public static void keepAtMost(TaskContext context, int ended) {
        ObjIntConsumer<TaskContext> bound = keeper;
        if (bound == null) {
            throw new IllegalArgumentException("not a context of a task of this engine: " + context);
        }
        bound.accept(context, ended);
    }
}
