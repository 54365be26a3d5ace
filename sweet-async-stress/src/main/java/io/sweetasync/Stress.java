package io.sweetasync;

/**
 * Shared set-up: one orchestrator whose {@value #MANUAL} runtime does not run attempts but hands them
 * to the test, which runs them in an actor.
 */
final class Stress {

    static final String MANUAL = "manual";

    private static final ThreadLocal<Runnable> CAPTURED = new ThreadLocal<>();
    private static final TaskOrchestrator ORCHESTRATOR = TaskOrchestrator.builder()
            .runtime(TaskRuntime.executor(MANUAL, CAPTURED::set))
            .historySize(0)
            .resourceTracking(ResourceTracking.OFF)
            .build();

    private Stress() {
    }

    static TaskOrchestrator orchestrator() {
        return ORCHESTRATOR;
    }

    /** The attempt the manual runtime was last handed on this thread. */
    static Runnable takeCaptured() {
        Runnable attempt = CAPTURED.get();
        CAPTURED.remove();
        if (attempt == null) {
            throw new IllegalStateException("no attempt was handed to the manual runtime on this thread");
        }
        return attempt;
    }
}
