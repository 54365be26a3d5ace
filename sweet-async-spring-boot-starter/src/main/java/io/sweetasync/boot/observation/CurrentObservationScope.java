package io.sweetasync.boot.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * The thread's current observation scope, read before a context snapshot is restored and put back if a handler
 * fails while the snapshot opens or closes the creator's observation's scope ({@link MicrometerContextPropagator}).
 * One per thread, whatever the registry (Micrometer keeps it in one thread-local for all). Used only when
 * micrometer-observation is on the classpath: the propagator itself needs only context-propagation.
 */
final class CurrentObservationScope {

    /** Any registry: each reads and writes the one current scope of the thread. */
    private static final ObservationRegistry ANY = ObservationRegistry.create();

    private CurrentObservationScope() {
    }

    /** The current scope, or null. */
    static Object get() {
        return ANY.getCurrentObservationScope();
    }

    /** Makes {@code scope} (from {@link #get()}) current again, if another is. */
    static void putBack(Object scope) {
        if (ANY.getCurrentObservationScope() != scope) {
            ANY.setCurrentObservationScope((Observation.Scope) scope);
        }
    }
}
