package io.sweetasync.boot.observation;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.sweetasync.TaskInfo;
import io.sweetasync.spi.ContextPropagator;
import java.util.function.Supplier;

/**
 * Carries every thread-local that Micrometer's context-propagation knows (its {@code ContextRegistry}:
 * the SLF4J MDC, the current observation, and whatever libraries register) from where a task is created
 * into its attempts and fallback. Build the factory with {@code clearMissing(true)} (as the starter does), so
 * that a thread-local the creating thread did not have is cleared while the task runs: else what an earlier
 * task left on a pooled thread (an MDC key its body never removed) would reach the next task run there.
 */
public class MicrometerContextPropagator implements ContextPropagator {

    private final ContextSnapshotFactory snapshots;
    /** Whether a subclass overrides {@link #capture}: then {@link #captureLazily} calls it (see {@link CaptureOverride}). */
    private final boolean captureOverridden = CaptureOverride.of(getClass(), MicrometerContextPropagator.class);

    public MicrometerContextPropagator(ContextSnapshotFactory snapshots) {
        this.snapshots = snapshots;
    }

    @Override
    public Captured capture(TaskInfo task) {
        return captureAll();
    }

    /**
     * Captures every registered thread-local; the task is not read (no snapshot is made for it), unless a subclass
     * overrides {@link #capture}, which is then called with it.
     */
    @Override
    public Captured captureLazily(Supplier<TaskInfo> task) {
        return captureOverridden ? capture(task.get()) : captureAll();
    }

    private Captured captureAll() {
        ContextSnapshot snapshot = snapshots.captureAll();
        return () -> {
            ContextSnapshot.Scope scope = snapshot.setThreadLocals();
            return scope::close;
        };
    }
}
