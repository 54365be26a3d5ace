package io.sweetasync;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The live values a task publishes ({@link TaskContext#progress}), shown in its snapshots.
 *
 * <p>Invariants: values keep their registration order; registration copies the map under this object's
 * monitor (registrations are rare, reads are lock-free); {@link #freeze(boolean)} runs once, when the task
 * finishes, and from then on the last values are shown, no supplier is called again and none is taken,
 * even from a context kept past its task (so a finished task retains none of the user's objects); a task
 * that published nothing is given the shared, frozen {@link #NONE} then. A supplier that throws is left out of that snapshot, and said
 * once per task. A task ended at its deadline while its body still runs (a runaway) is frozen with the
 * values its last snapshot read, without calling the suppliers: one may wait for a lock the runaway body
 * holds, and the deadline's forced end must not wait for the body (SPEC 1.5); so is every task that forced
 * end ends (an ancestor's supplier may wait for a lock its runaway descendant holds).
 */
final class TaskProgress {

    /** The progress of a task that finished without publishing any: frozen, shared, ignores later values. */
    static final TaskProgress NONE = new TaskProgress(null);

    static {
        NONE.frozen = Map.of();
    }

    private final TaskNode<?> task;
    private volatile Map<String, LongSupplier> suppliers = Map.of();
    private volatile Map<String, Long> frozen;
    private volatile boolean failed;
    /** The values the last snapshot read, for a freeze that must not call the suppliers; null until read. */
    private volatile Map<String, Long> lastRead;

    TaskProgress(TaskNode<?> task) {
        this.task = task;
    }

    /**
     * The most names a task publishes. Each registration copies the map, and every snapshot reads every
     * supplier: a name per row (100,000 of them) took minutes to register, and made each snapshot as long.
     */
    static final int MAX_NAMES = 1_000;

    /**
     * Adds or replaces a value; ignored once frozen (a context kept past its task may still publish).
     *
     * @throws IllegalStateException if {@code key} would be the task's {@value #MAX_NAMES}+1st name
     */
    synchronized void put(String key, LongSupplier value) {
        if (frozen != null) {
            return;
        }
        if (suppliers.size() >= MAX_NAMES && !suppliers.containsKey(key)) {
            throw new IllegalStateException("task " + task.label() + " publishes " + MAX_NAMES + " progress values "
                    + "already, the most a task may: '" + key + "' is refused (publish counts under a few fixed names, "
                    + "such as \"rows\", not a name per item)");
        }
        Map<String, LongSupplier> next = new LinkedHashMap<>(suppliers);
        next.put(key, value);
        suppliers = next;
    }

    /** The values now (the last ones once frozen). */
    Map<String, Long> now() {
        Map<String, Long> last = frozen;
        if (last != null) {
            return last;
        }
        Map<String, Long> values = new LinkedHashMap<>();
        suppliers.forEach((key, supplier) -> {
            try {
                values.put(key, supplier.getAsLong());
            }
            catch (Throwable t) {
                if (!failed) {
                    failed = true;
                    task.orchestrator().parts().warn("progress value '" + key + "' of task " + task.label()
                            + " threw; left out of snapshots", t);
                }
            }
        });
        lastRead = values;
        return values;
    }

    /**
     * Keeps the values for good; called once, when the task finishes: those of now, or, if
     * {@code bodyStillRuns}, those the last snapshot read (the suppliers are not called).
     */
    synchronized void freeze(boolean bodyStillRuns) {
        if (frozen != null) {
            return;
        }
        Map<String, Long> last = lastRead;
        frozen = Collections.unmodifiableMap(!bodyStillRuns ? now() : last == null ? Map.of() : last);
        suppliers = Map.of();
        lastRead = null;
    }
}
