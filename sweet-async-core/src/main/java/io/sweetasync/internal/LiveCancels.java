package io.sweetasync.internal;

import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Not API. Joins the Spring Boot starter's {@code asynctasks} endpoint to the engine: a cancel that also says how a
 * task it came too late for ends, read from the task this member holds in memory. {@link TaskOrchestrator#cancel}
 * answers only a boolean; reading the task by id to know whether it was live, and again after a lost cancel, built
 * its whole subtree, and a task that had just left memory was then read from the task store, whose record may still
 * say {@code RUNNING} until the writer's next flush. The engine installs the implementation as its orchestrator class
 * loads, before any orchestrator exists.
 */
public final class LiveCancels {

    private static volatile BiFunction<TaskOrchestrator, TaskId, Outcome> engine;

    private LiveCancels() {
    }

    /**
     * What a cancel of a task this member holds in memory came to.
     *
     * @param cancelled as {@link TaskOrchestrator#cancel} answers: the task ends {@code CANCELLED}, by this request or
     *                  an earlier cancellation
     * @param status    the task's status read from it just after the cancel: terminal when it finished first, a live
     *                  one when it was already ending otherwise and has not finished yet
     */
    public record Outcome(boolean cancelled, TaskStatus status) {

        public Outcome {
            Objects.requireNonNull(status, "status");
        }
    }

    /**
     * Called once, by the engine.
     *
     * @throws IllegalStateException if an implementation is installed already
     */
    public static synchronized void install(BiFunction<TaskOrchestrator, TaskId, Outcome> implementation) {
        Objects.requireNonNull(implementation, "implementation");
        if (engine != null) {
            throw new IllegalStateException("the engine's live cancels are installed already");
        }
        engine = implementation;
    }

    /**
     * Cancels the task of {@code id} if {@code orchestrator} holds it live (found in its live trees, its end not
     * complete), as {@link TaskOrchestrator#cancel} does for a task live on this member, and answers how it ends,
     * read from the task just after the cancel; null when it holds none live (unknown here, or finished): the caller
     * asks the cluster, or answers that there is no such task. One look at the live trees: never reads the task
     * store, nor builds a snapshot of the task or of its subtree.
     */
    public static Outcome cancel(TaskOrchestrator orchestrator, TaskId id) {
        Objects.requireNonNull(orchestrator, "orchestrator");
        Objects.requireNonNull(id, "id");
        BiFunction<TaskOrchestrator, TaskId, Outcome> bound = engine;
        if (bound == null) {
            throw new IllegalStateException("the engine's live cancels are not installed");
        }
        return bound.apply(orchestrator, id);
    }
}
