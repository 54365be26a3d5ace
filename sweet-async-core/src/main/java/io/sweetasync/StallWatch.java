package io.sweetasync;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says in the log when a pooled runtime ({@code PLATFORM}, {@code SINGLE}) has stopped starting its queued tasks
 * because every thread it has runs a body that waits for something the engine cannot see: a body waiting on
 * {@code CompletableFuture.allOf(...).get()}, a latch or a lock for a task queued behind it on the same runtime waits
 * for ever (a wait on a task's handle, or {@code joinChildren()}, frees its thread for the tasks it waits for; these
 * do not). Nothing can end such a wait but the user's own code, so the warning names the runtime, the tasks holding
 * its threads and where each one waits, once per stall (again after a queued task started).
 *
 * <p>A runtime whose threads are all busy computing or in I/O (a thread state of {@code RUNNABLE}) is saturated, not
 * stalled, and is not warned about: its queued tasks start as its bodies end.
 *
 * <p>One daemon thread for the JVM ({@code sweet-async-stall-watch}), started with the first pooled runtime's threads,
 * looks at every open pooled runtime about once a second and ends when none is left; a runtime costs it nothing
 * between looks (its count of started tasks is kept under the lock its queue takes anyway).
 *
 * <p>Invariants: {@link #RUNTIMES} holds the pooled runtimes whose threads started and that are not closed; the
 * thread ({@link #thread}, guarded by this class's monitor) runs while that set is not empty: it ends once it sees the
 * set empty, or itself no longer {@link #thread}, under the monitor; {@link #watch} adds before it looks at the thread
 * under the monitor (so a runtime added as the thread ends gets a new one), and {@link #unwatch} of the last runtime
 * clears {@link #thread} and waits for that thread to end. A {@link Stall}'s fields are the watching thread's only.
 */
final class StallWatch {

    private static final System.Logger LOG = System.getLogger(StallWatch.class.getName());
    private static final long LOOK_MILLIS = 1_000;
    /** How long queued tasks wait with none started before a warning; shortened by tests only. */
    static volatile Duration stallAfter = Duration.ofSeconds(10);
    private static final Set<PooledRuntime> RUNTIMES = ConcurrentHashMap.newKeySet();
    /** Guarded by the class's monitor. */
    private static Thread thread;

    private StallWatch() {
    }

    /** Watches {@code runtime} from now until {@link #unwatch}. */
    static void watch(PooledRuntime runtime) {
        RUNTIMES.add(runtime);
        synchronized (StallWatch.class) {
            if (thread == null) {
                try {
                    thread = Thread.ofPlatform().daemon().name("sweet-async-stall-watch").start(StallWatch::loop);
                }
                catch (OutOfMemoryError | RuntimeException ex) {
                    // no native thread left: the runtime runs on unwatched (the next runtime to start tries again)
                    RUNTIMES.remove(runtime);
                    LOG.log(Level.WARNING, "could not start the stall watch for runtime '" + runtime.name() + "'", ex);
                }
            }
        }
    }

    /**
     * Stops watching {@code runtime}; the last one's close stops the thread before it returns (a closed orchestrator
     * leaves no thread of its own behind).
     */
    static void unwatch(PooledRuntime runtime) {
        RUNTIMES.remove(runtime);
        Thread stopped = null;
        synchronized (StallWatch.class) {
            if (RUNTIMES.isEmpty() && thread != null) {
                stopped = thread;
                thread = null;
            }
        }
        if (stopped != null && stopped != Thread.currentThread()) {
            stopped.interrupt();
            try {
                stopped.join(Duration.ofSeconds(1)); // it ends at its next check: at most a look of a runtime away
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void loop() {
        Thread self = Thread.currentThread();
        while (true) {
            try {
                Thread.sleep(LOOK_MILLIS);
            }
            catch (InterruptedException ex) {
                // the last runtime closed (or the JVM ends): the check below ends this thread
            }
            synchronized (StallWatch.class) {
                if (thread != self) {
                    return; // replaced: stopped by unwatch, a new one started since
                }
                if (RUNTIMES.isEmpty()) {
                    thread = null;
                    return;
                }
            }
            long now = System.nanoTime();
            for (PooledRuntime runtime : RUNTIMES) {
                try {
                    runtime.stall.look(runtime, now);
                }
                catch (Exception | LinkageError ex) {
                    // a checked exception too: the log's handler is the user's, maybe in a language without them
                    LOG.log(Level.DEBUG, "could not look at runtime '" + runtime.name() + "'", ex);
                }
            }
        }
    }

    /** What one runtime's threads are doing: the thread, the task whose body it runs (may be null). */
    record Holder(Thread thread, TaskNode<?> task) {
    }

    /** A runtime's progress as last seen: its tasks started so far, queued tasks, whether it is open. */
    record Progress(boolean open, int queued, long started) {
    }

    /** One runtime's stall, as the watching thread saw it. */
    static final class Stall {
        /** The runtime's workers' carriers, each from its thread's start to its end: what holds the slots. */
        private final Set<ThreadCarrier> carriers = ConcurrentHashMap.newKeySet();
        private long lastStarted = -1;
        private long since;
        private boolean warned;
        /** Each slot holder's CPU time at the last look (platform threads only): a thread that computed between looks is not stalled. */
        private Map<Thread, Long> cpu = Map.of();

        /** A worker of the runtime starts, with its carrier. */
        void entered(ThreadCarrier carrier) {
            carriers.add(carrier);
        }

        /** A worker of the runtime ends. */
        void left(ThreadCarrier carrier) {
            carriers.remove(carrier);
        }

        /**
         * The threads that hold a slot and the tasks whose bodies they run: read without the threads' help
         * ({@code holdsSlot} is their own plain field), so a thread taking or giving up a slot at that moment may be
         * read either way: good enough for a warning that follows seconds without change.
         */
        private List<Holder> holders() {
            List<Holder> holders = new ArrayList<>();
            for (ThreadCarrier carrier : carriers) {
                if (carrier.holdsSlot) {
                    holders.add(new Holder(carrier.thread(), carrier.top()));
                }
            }
            return holders;
        }

        void look(PooledRuntime runtime, long now) {
            Progress progress = runtime.progress();
            if (!progress.open()) {
                return;
            }
            if (progress.queued() == 0 || progress.started() != lastStarted) {
                boolean startedOne = progress.started() != lastStarted;
                lastStarted = progress.started();
                since = now;
                cpu = Map.of();
                if (warned) {
                    warned = false;
                    LOG.log(Level.INFO, "runtime ''{0}'' is no longer stalled: {1}", runtime.name(),
                            startedOne ? "it starts its queued tasks again" : "no task is queued on it now (cancelled)");
                }
                return;
            }
            if (warned) {
                return;
            }
            List<Holder> holders = holders();
            List<Thread.State> states = new ArrayList<>(holders.size());
            for (Holder holder : holders) {
                Thread.State state = holder.thread().getState();
                if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING
                        && state != Thread.State.BLOCKED) {
                    // computing or in I/O: saturated, its queue moves as bodies end. The stall's clock starts
                    // again: it measures how long every thread has waited, not how long since the last start.
                    since = now;
                    return;
                }
                states.add(state);
            }
            // Waiting when looked at, but computing between looks (a throttle's sleep, a contended logger, a
            // poll): saturated too. A thread that waits for good uses no CPU.
            Map<Thread, Long> cpuNow = new HashMap<>();
            boolean computed = false;
            for (Holder holder : holders) {
                long used = cpuTime(holder.thread());
                if (used >= 0) {
                    cpuNow.put(holder.thread(), used);
                    Long before = cpu.get(holder.thread());
                    computed |= before == null || used - before > BUSY_NANOS;
                }
            }
            cpu = cpuNow;
            if (computed) {
                since = now;
                return;
            }
            if (holders.isEmpty() || now - since < stallAfter.toNanos()) {
                return;
            }
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < holders.size(); i++) { // stacks walked only once every thread waited that long
                Holder holder = holders.get(i);
                StackTraceElement[] stack = holder.thread().getStackTrace();
                if (waitsForTime(stack)) {
                    // asleep, or waiting for the network (an HTTP answer, a virtual thread's socket read): it ends by
                    // itself, not by a task queued here. Looked at again a whole stallAfter later.
                    since = now;
                    return;
                }
                lines.add("  - " + holder.thread().getName() + " runs "
                        + (holder.task() == null ? "no task (between two)" : holder.task().label()) + ", "
                        + states.get(i) + where(stack));
            }
            warned = true;
            LOG.log(Level.WARNING, "runtime ''{0}'': {1} task(s) queued and none started, and every thread of it has "
                    + "waited for {2} s for something the engine cannot see; if a task queued here is what such a wait "
                    + "needs, it never starts:\n{3}\nA body that waits for other tasks should wait on their handles "
                    + "(join, get, result) or joinChildren(), which free its thread for them; a wait the engine "
                    + "cannot see (CompletableFuture.allOf(...).get(), a latch, a lock) holds it. Said once until a "
                    + "queued task starts.", runtime.name(), progress.queued(),
                    Duration.ofNanos(now - since).toSeconds(), String.join("\n", lines));
        }
    }

    /**
     * Whether a thread waits for time to pass rather than for another task: asleep ({@code Thread.sleep}), or in the
     * JDK's network code (an {@code HttpClient} call waits in a {@code CompletableFuture.get}, a virtual thread's socket
     * read parks): among the JDK's frames on top of its stack, above the first frame of the body's own code.
     */
    static boolean waitsForTime(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            String type = frame.getClassName();
            if (!jdk(type)) {
                return false;
            }
            if (type.equals("java.lang.Thread") && frame.getMethodName().startsWith("sleep")
                    || type.equals("java.lang.VirtualThread") && frame.getMethodName().startsWith("sleep")
                    || type.startsWith("java.net.") || type.startsWith("sun.nio.ch.")
                    || type.startsWith("java.nio.channels.") || type.startsWith("jdk.internal.net.http.")) {
                return true;
            }
        }
        return false;
    }

    private static final java.lang.management.ThreadMXBean THREADS = threads();
    /** CPU a waiting thread may use between two looks (a second apart) and still be taken for stalled. */
    private static final long BUSY_NANOS = 20_000_000;

    private static java.lang.management.ThreadMXBean threads() {
        try {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            return threads.isThreadCpuTimeSupported() ? threads : null;
        }
        catch (LinkageError | UnsupportedOperationException ex) {
            return null;
        }
    }

    /** {@code thread}'s CPU time, or -1 if it cannot be read (a virtual thread, counters off or missing). */
    private static long cpuTime(Thread thread) {
        if (THREADS == null || thread.isVirtual()) {
            return -1;
        }
        try {
            return THREADS.getThreadCpuTime(thread.threadId());
        }
        catch (UnsupportedOperationException ex) {
            return -1;
        }
    }

    /**
     * Where a thread waits: the call into the JDK it waits in, from the first frame of other code (the body's own:
     * the engine's waits on tasks are managed blocks, which free the thread's slot and never stall it), else the
     * top frames.
     */
    static String where(StackTraceElement[] stack) {
        for (int at = 0; at < stack.length; at++) {
            if (!jdk(stack[at].getClassName())) {
                String call = at > 0 ? " in " + stack[at - 1].getClassName() + "." + stack[at - 1].getMethodName() : "";
                return call + " called from " + stack[at];
            }
        }
        StringBuilder top = new StringBuilder(" at");
        for (int at = 0; at < Math.min(3, stack.length); at++) {
            top.append(at == 0 ? " " : " < ").append(stack[at]);
        }
        return stack.length == 0 ? "" : top.toString();
    }

    private static boolean jdk(String className) {
        return className.startsWith("java.") || className.startsWith("jdk.") || className.startsWith("sun.");
    }
}
