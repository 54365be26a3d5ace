package io.sweetasync;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The live values a task publishes ({@link TaskContext#progress}), shown in its snapshots.
 *
 * <p>Invariants: values keep their registration order; registration copies the map under this object's
 * monitor (registrations are rare, reads are lock-free); {@link #freeze()} runs once, when the task
 * finishes, and from then on the last values are shown, no supplier is called again and none is taken,
 * even from a context kept past its task (so a finished task retains none of the user's objects); a task
 * that published nothing is given the shared, frozen {@link #NONE} then. A supplier that throws is left out of that snapshot, and said
 * once per task.
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

    TaskProgress(TaskNode<?> task) {
        this.task = task;
    }

    /** Adds or replaces a value; ignored once frozen (a context kept past its task may still publish). */
    synchronized void put(String key, LongSupplier value) {
        if (frozen != null) {
            return;
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
                    task.orchestrator().warn("progress value '" + key + "' of task " + task.label()
                            + " threw; left out of snapshots", t);
                }
            }
        });
        return values;
    }

    /** Keeps the values of now for good; called once, when the task finishes. */
    synchronized void freeze() {
        if (frozen != null) {
            return;
        }
        frozen = Collections.unmodifiableMap(now());
        suppliers = Map.of();
    }
}
