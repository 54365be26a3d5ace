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
 * finishes, and from then on the last values are shown and no supplier is called again (so a finished
 * task retains none of the user's objects). A supplier that throws is left out of that snapshot, and said
 * once per task.
 */
final class TaskProgress {

    private final TaskNode<?> task;
    private volatile Map<String, LongSupplier> suppliers = Map.of();
    private volatile Map<String, Long> frozen;
    private volatile boolean failed;

    TaskProgress(TaskNode<?> task) {
        this.task = task;
    }

    synchronized void put(String key, LongSupplier value) {
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
        frozen = Collections.unmodifiableMap(now());
        suppliers = Map.of();
    }
}
