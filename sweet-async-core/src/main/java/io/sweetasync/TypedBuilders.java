package io.sweetasync;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The builders an orchestrator's {@link TaskOrchestrator#to(Class)} hands out, one per type: a builder is immutable
 * and knows its type ({@link WrongResultType}), so one serves every {@code to(type).run(work)} of that type, which
 * allocates none. A builder is kept only for a type its class loader keeps at least as long as this library's
 * classes (the bootstrap loader's, this library's, or a parent of it), and for 256 types at most: a type of a
 * redeployed application's loader must not be pinned by a longer-lived orchestrator; other types get a new builder
 * per call. Thread-safe: two first calls for one type may each make one, and either is kept (they are alike).
 */
final class TypedBuilders {

    private static final int MAX_KEPT = 256;

    private final TaskOrchestrator orchestrator;
    private final ConcurrentHashMap<Class<?>, SpawningTaskBuilder<?>> kept = new ConcurrentHashMap<>();

    TypedBuilders(TaskOrchestrator orchestrator) {
        this.orchestrator = orchestrator;
    }

    <T> SpawningTaskBuilder<T> of(Class<T> type) {
        SpawningTaskBuilder<?> builder = kept.get(type);
        if (builder == null) {
            builder = new SpawningTaskBuilder<>(orchestrator, TaskSpec.empty(), type);
            if (kept.size() < MAX_KEPT && outlives(type.getClassLoader())) {
                kept.putIfAbsent(type, builder);
            }
        }
        @SuppressWarnings("unchecked") // made for this very type
        SpawningTaskBuilder<T> typed = (SpawningTaskBuilder<T>) builder;
        return typed;
    }

    /** Whether a class of {@code loader} lives at least as long as this library's classes. */
    private static boolean outlives(ClassLoader loader) {
        if (loader == null) {
            return true; // the bootstrap loader's: String, Integer, List...
        }
        for (ClassLoader own = TypedBuilders.class.getClassLoader(); own != null; own = own.getParent()) {
            if (own == loader) {
                return true;
            }
        }
        return false;
    }
}
