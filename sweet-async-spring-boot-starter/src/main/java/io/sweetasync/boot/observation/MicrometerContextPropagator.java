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
 * task left on a pooled thread (an MDC key its body never removed) would reach the next task run there. The
 * thread's current observation is put back when the context is closed, also when an observation handler failed
 * while the creator's observation was made current or put away.
 */
public class MicrometerContextPropagator implements ContextPropagator {

    /** Whether micrometer-observation is on the classpath: then the current observation is one of the thread-locals. */
    private static final boolean OBSERVATIONS = observationsPresent();

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
        if (!OBSERVATIONS) {
            return () -> {
                ContextSnapshot.Scope scope = snapshot.setThreadLocals();
                return scope::close;
            };
        }
        // The creator's current observation is restored by opening a scope of it, calling the handlers: guarded
        return () -> CurrentObservationScope.guarded(() -> {
            ContextSnapshot.Scope scope = snapshot.setThreadLocals();
            return scope::close;
        });
    }

    private static boolean observationsPresent() {
        try {
            Class.forName("io.micrometer.observation.ObservationRegistry", false,
                    MicrometerContextPropagator.class.getClassLoader());
            return true;
        }
        catch (ClassNotFoundException | LinkageError ex) {
            return false;
        }
    }
}
