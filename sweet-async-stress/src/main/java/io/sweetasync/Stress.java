package io.sweetasync;

import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.temporal.ChronoUnit;

/**
 * Shared set-up: one orchestrator whose {@value #MANUAL} runtime does not run attempts but hands them
 * to the test, which runs them in an actor, and whose group {@value #FULL_GROUP} never has a permit free.
 */
final class Stress {

    static final String MANUAL = "manual";
    /**
     * A group whose one permit is held for good ({@link #FULL_GROUP} is taken once, never given back): a task of it
     * queues, for ever (no {@code maxWait}), until withdrawn.
     */
    static final String FULL_GROUP = "full";

    private static final ThreadLocal<Runnable> CAPTURED = new ThreadLocal<>();
    private static final TaskOrchestrator ORCHESTRATOR = TaskOrchestrator.builder()
            .runtime(TaskRuntime.executor(MANUAL, CAPTURED::set))
            .historySize(0)
            .resourceTracking(ResourceTracking.OFF)
            .group(FULL_GROUP, LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                    .withQueueCapacity(Integer.MAX_VALUE).withMaxWait(ChronoUnit.FOREVER.getDuration()))
            .build();

    static {
        ORCHESTRATOR.parts().groups.limiter(FULL_GROUP).tryAcquire().orElseThrow(); // held for good
    }

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
