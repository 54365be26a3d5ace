package io.sweetasync.boot.observation;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.sweetasync.TaskInfo;
import io.sweetasync.spi.ContextPropagator;

/**
 * Carries every thread-local that Micrometer's context-propagation knows (its {@code ContextRegistry}:
 * the SLF4J MDC, the current observation, and whatever libraries register) from where a task is created
 * into its attempts and fallback.
 */
public class MicrometerContextPropagator implements ContextPropagator {

    private final ContextSnapshotFactory snapshots;

    public MicrometerContextPropagator(ContextSnapshotFactory snapshots) {
        this.snapshots = snapshots;
    }

    @Override
    public Captured capture(TaskInfo task) {
        ContextSnapshot snapshot = snapshots.captureAll();
        return () -> {
            ContextSnapshot.Scope scope = snapshot.setThreadLocals();
            return scope::close;
        };
    }
}
