package io.sweetasync.boot.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.sweetasync.spi.ContextPropagator;
import java.util.function.Supplier;

/**
 * The thread's current observation scope, kept across code that opens and closes another one and calls the
 * observation handlers (user code) as it does: a task's own observation ({@link ObservationContextPropagator}), or
 * the creator's, made current again by a context snapshot ({@link MicrometerContextPropagator}). Micrometer makes
 * the new scope current before it tells the handlers and puts the previous one back only after, so a handler that
 * throws left that observation current on the runtime's thread for good, the parent of whatever the thread observed
 * next. One per thread, whatever the registry (Micrometer keeps it in one thread-local for all). Used only when
 * micrometer-observation is on the classpath: {@link MicrometerContextPropagator} itself needs only
 * context-propagation.
 */
final class CurrentObservationScope {

    /** Any registry: each reads and writes the one current scope of the thread. */
    private static final ObservationRegistry ANY = ObservationRegistry.create();

    private CurrentObservationScope() {
    }

    /** As {@link #guarded(ObservationRegistry, Supplier)}, through any registry. */
    static ContextPropagator.Scope guarded(Supplier<ContextPropagator.Scope> open) {
        return guarded(ANY, open);
    }

    /**
     * Opens a scope with {@code open}, and gives the thread back the observation scope it had before, through
     * {@code registry}, if opening throws or once the returned scope closes (also when closing throws).
     */
    static ContextPropagator.Scope guarded(ObservationRegistry registry, Supplier<ContextPropagator.Scope> open) {
        Observation.Scope before = registry.getCurrentObservationScope();
        ContextPropagator.Scope scope;
        try {
            scope = open.get();
        }
        catch (RuntimeException | Error ex) {
            putBack(registry, before);
            throw ex;
        }
        return () -> {
            try {
                scope.close();
            }
            finally {
                putBack(registry, before);
            }
        };
    }

    private static void putBack(ObservationRegistry registry, Observation.Scope scope) {
        if (registry.getCurrentObservationScope() != scope) {
            registry.setCurrentObservationScope(scope);
        }
    }
}
