package io.sweetasync;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The orchestrator's runtimes by name ({@link TaskOrchestrator#runtimes()}): the three built-ins
 * ({@code virtual}, {@code platform} sized to the cores, {@code single}) unless one of the same name was
 * registered, every registered one, and the default; a lookup whose error names the registered runtimes;
 * closing them all.
 *
 * <p>Invariants: fixed once built (an immutable map, read from any thread without a lock); the default
 * runtime is one of them, or the orchestrator is not built. {@link #close} closes every runtime and gives
 * them 10 s in all to stop their threads (one deadline, not 10 s each), or no wait when the close's cancel left
 * bodies running (they ignore their interrupts: their threads end when they return, and waiting for them would
 * only hold the close); an interrupt (restored) ends the waiting, never the closing: a close
 * called from a cancelled task body, whose thread the shutdown's sweep has just interrupted, still stops
 * every runtime's threads.
 */
final class Runtimes {

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());
    private static final long CLOSE_MILLIS = TimeUnit.SECONDS.toMillis(10);

    private final Map<String, TaskRuntime> byName;
    private final TaskRuntime defaultRuntime;

    /**
     * @throws IllegalArgumentException if no runtime is named {@code defaultName}
     */
    Runtimes(Map<String, TaskRuntime> registered, String defaultName) {
        Map<String, TaskRuntime> all = new LinkedHashMap<>();
        all.put("virtual", TaskRuntime.virtual("virtual"));
        all.put("platform", TaskRuntime.platform("platform", Runtime.getRuntime().availableProcessors()));
        all.put("single", TaskRuntime.single("single"));
        all.putAll(registered);
        this.byName = Map.copyOf(all);
        TaskRuntime chosen = byName.get(defaultName);
        if (chosen == null) {
            throw new IllegalArgumentException("default runtime '" + defaultName + "' is not registered; runtimes: "
                    + String.join(", ", all.keySet()));
        }
        this.defaultRuntime = chosen;
    }

    /** Every runtime, by name. */
    Map<String, TaskRuntime> byName() {
        return byName;
    }

    /** The runtime of tasks that name none and have no parent. */
    TaskRuntime defaultRuntime() {
        return defaultRuntime;
    }

    /**
     * @throws IllegalArgumentException naming the registered runtimes, if none is named {@code name}
     */
    TaskRuntime named(String name) {
        Objects.requireNonNull(name, "runtime");
        TaskRuntime runtime = byName.get(name);
        if (runtime == null) {
            throw new IllegalArgumentException("unknown runtime '" + name + "'; registered runtimes: "
                    + String.join(", ", new TreeSet<>(byName.keySet())));
        }
        return runtime;
    }

    /**
     * Stops every runtime's threads; with {@code wait}, waits up to 10 s in all for them (a warning names the
     * runtimes that did not stop), else only tells them to stop.
     */
    void close(boolean wait) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_MILLIS);
        for (TaskRuntime runtime : byName.values()) {
            // Once interrupted, or past the deadline, the rest are still closed (their threads told to stop),
            // only not waited for.
            long left = wait && !interrupted ? Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) : 0;
            try {
                if (!runtime.close(left) && left > 0) {
                    LOG.log(Level.WARNING, "runtime {0} did not stop within 10 seconds of the close", runtime.name());
                }
            }
            catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
