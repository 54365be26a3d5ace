package io.sweetasync.emit;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@link SharedSource} of each {@code Iterable} or {@code Stream} instance parallel sender workers
 * have passed to {@code emitAll}, looked up by identity and held weakly: a source object is kept alive
 * by the senders using it, never by the pipeline. A sender that emits page after page
 * ({@code emitAll(page)} per page) thus leaves each page to the garbage collector once it is emitted,
 * however long the pipeline runs.
 *
 * <h2>Invariants</h2>
 * All state is guarded by {@code this}.
 * <ul>
 * <li>An entry lives while its source object is reachable from elsewhere: a {@link SharedSource}
 * drops its iterator and closer once closed, so the entry's value never keeps its own key alive. An
 * entry whose source was collected is removed at the next lookup; nobody can pass that object to
 * {@code emitAll} again, so dropping it loses nothing.</li>
 * <li>While its source object is reachable, the entry stays, closed or not: a worker that comes to a
 * closed source emits nothing from it ({@link SharedSource#join}), never its elements a second time.</li>
 * </ul>
 */
final class SharedSources {

    /** A source object, weakly, compared by identity. */
    private static final class Key extends WeakReference<Object> {

        private final int hash;

        Key(Object source, ReferenceQueue<Object> queue) {
            super(source, queue);
            this.hash = System.identityHashCode(source);
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            Object source = get();
            return other instanceof Key key && source != null && source == key.get();
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Map<Key, SharedSource> sources = new HashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    /** The shared source of {@code source}, made by {@code create} at its first use. */
    synchronized SharedSource get(Object source, Supplier<SharedSource> create) {
        for (Reference<?> gone = collected.poll(); gone != null; gone = collected.poll()) {
            sources.remove(gone);
        }
        SharedSource shared = sources.get(new Key(source, null));
        if (shared == null) {
            shared = create.get();
            sources.put(new Key(source, collected), shared);
        }
        return shared;
    }
}
