package io.sweetasync.emit;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The {@link SharedSource}s of each {@code Iterable} or {@code Stream} instance parallel sender workers
 * have passed to {@code emitAll}, looked up by identity and held weakly. Each worker's {@code n}-th
 * {@code emitAll} of one object joins that object's {@code n}-th pass: the workers running the same body
 * share each of its calls, and a body that emits one list twice emits it twice. A source object is held weakly: a source object is kept alive
 * by the senders using it, never by the pipeline. A sender that emits page after page
 * ({@code emitAll(page)} per page) thus leaves each page to the garbage collector once it is emitted,
 * however long the pipeline runs.
 *
 * <h2>Invariants</h2>
 * All state is guarded by {@code lock}, which is held while a pass is opened ({@code iterator()}, user code that
 * may take long or wait for a task) and so is waited for as a managed, interruptible wait ({@link Waits#lock}):
 * a worker waiting for a sibling's opening hands its runtime slot on, as the sibling waiting in it did.
 * <ul>
 * <li>An entry lives while its source object is reachable from elsewhere: a {@link SharedSource}
 * drops its iterator and closer once closed, so the entry's value never keeps its own key alive. An
 * entry whose source was collected is removed at the next lookup; nobody can pass that object to
 * {@code emitAll} again, so dropping it loses nothing.</li>
 * <li>While its source object is reachable, the entry stays, closed or not: a worker that comes to a
 * closed pass emits nothing from it ({@link SharedSource#join}), never its elements a second time. Closed passes
 * at the front of an entry are dropped ({@code dropped} counts them) and a worker that comes to one is handed
 * {@link SharedSource#CLOSED}, which it joins no more than the pass itself: a body that refills one list and emits
 * it page after page keeps the passes still open, not one per page for as long as the list lives.</li>
 * <li>A worker's passes over one object are joined in order, one per call: pass {@code n} is made by the
 * first worker to come to it, and every worker comes to it at most once. A call whose pass could not be
 * made (the source threw as it was opened) joins none: its worker's next call comes to the same pass.</li>
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

    /**
     * The passes over one source object: the {@code n}-th is what every worker's {@code n}-th
     * {@code emitAll} of that object shares, so a sender body that emits the same list twice emits it
     * twice, as it would alone.
     */
    private static final class Passes {

        /** Pass {@code dropped + i} at index {@code i}: the first ones kept, from the first not closed. */
        final List<SharedSource> passes = new ArrayList<>(1);
        /** The passes before the first kept: closed, and dropped. */
        int dropped;
        /** How many passes each worker (by index) has joined. */
        int[] joined = new int[4];
    }

    private final Map<Key, Passes> sources = new HashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final ReentrantLock lock = new ReentrantLock();

    /**
     * The shared source for {@code worker}'s next {@code emitAll} of {@code source}: the pass after the
     * last one this worker joined, made by {@code create} if no worker has come to it yet.
     *
     * @param worker the sender worker's index, from 0
     * @throws InterruptedException if interrupted while a sibling opens a pass
     */
    SharedSource get(Object source, int worker, Supplier<SharedSource> create) throws InterruptedException {
        Waits.lock(lock);
        try {
            return pass(source, worker, create);
        }
        finally {
            lock.unlock();
        }
    }

    private SharedSource pass(Object source, int worker, Supplier<SharedSource> create) {
        for (Reference<?> gone = collected.poll(); gone != null; gone = collected.poll()) {
            sources.remove(gone);
        }
        Passes passes = sources.get(new Key(source, null));
        if (passes == null) {
            passes = new Passes();
            sources.put(new Key(source, collected), passes);
        }
        if (worker >= passes.joined.length) {
            passes.joined = Arrays.copyOf(passes.joined, Math.max(worker + 1, 2 * passes.joined.length));
        }
        while (!passes.passes.isEmpty() && passes.passes.getFirst().isClosed()) {
            passes.passes.removeFirst();
            passes.dropped++;
        }
        int pass = passes.joined[worker];
        if (pass < passes.dropped) {
            passes.joined[worker] = pass + 1;
            return SharedSource.CLOSED; // as the pass it stands for: closed, nothing to emit
        }
        if (pass == passes.dropped + passes.passes.size()) {
            passes.passes.add(create.get());
        }
        // Counted once the pass exists: a call whose source threw as it was opened (say its iterator()) joined
        // nothing, so this worker's next call of the same object comes to the same pass, as a serial sender's would.
        passes.joined[worker] = pass + 1;
        return passes.passes.get(pass - passes.dropped);
    }
}
