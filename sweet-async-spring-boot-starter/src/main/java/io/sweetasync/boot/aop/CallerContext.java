package io.sweetasync.boot.aop;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import org.springframework.util.ClassUtils;

/**
 * The calling thread's context (MDC and the other thread-locals Micrometer's context-propagation knows) for
 * what the aspect does for a call later, on another thread: the warning that a fire-and-forget call failed
 * carries the caller's MDC (a request id), as the task's own log lines do. Without context-propagation on the
 * classpath the action runs as it is, as tasks then get no context either.
 *
 * <p>Invariants: {@link #capture} takes the thread-locals once, on the caller; {@link Captured#run} makes them
 * current only while the action runs, clearing those the caller did not have, and puts back what the running
 * thread had.
 */
final class CallerContext {

    private static final boolean PROPAGATION = ClassUtils.isPresent("io.micrometer.context.ContextSnapshotFactory",
            CallerContext.class.getClassLoader());

    private CallerContext() {
    }

    /** What runs an action with the context of the thread calling this. */
    @FunctionalInterface
    interface Captured {
        void run(Runnable action);
    }

    static Captured capture() {
        return PROPAGATION ? Snapshots.capture() : Runnable::run;
    }

    /** Only loaded when context-propagation is on the classpath. */
    private static final class Snapshots {

        private static final ContextSnapshotFactory FACTORY = ContextSnapshotFactory.builder().clearMissing(true).build();

        static Captured capture() {
            ContextSnapshot snapshot = FACTORY.captureAll();
            return action -> {
                try (ContextSnapshot.Scope scope = snapshot.setThreadLocals()) {
                    action.run();
                }
            };
        }
    }
}
