package io.sweetasync;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Known work for resource tests, each returning the truth it measured itself: bytes moved, or the CPU
 * time and allocation counters of the thread that ran it. On a virtual thread those are its carrier's
 * (named in the virtual thread's {@code toString()}), read while the body stays mounted: CPU-bound and
 * allocating loops do not park, and the body checks that its carrier did not change.
 */
public final class Work {

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
            .getThreadMXBean();
    static volatile Object sink;

    private Work() {
    }

    /** Skips the calling test unless this JVM counts each thread's CPU time and allocation (and has them on). */
    static void assumeCounters() {
        org.junit.jupiter.api.Assumptions.assumeTrue(THREADS.isCurrentThreadCpuTimeSupported()
                && THREADS.isThreadCpuTimeEnabled() && THREADS.isThreadAllocatedMemorySupported()
                && THREADS.isThreadAllocatedMemoryEnabled(), "thread CPU and allocation counters");
    }

    /** Burns at least {@code nanos} of CPU; returns the CPU time it used. */
    static long spinCpu(long nanos) {
        Counters counters = Counters.ofCurrentThread();
        long start = counters.cpu();
        double value = 0;
        long used;
        do {
            for (int i = 0; i < 50_000; i++) {
                value += Math.sqrt(value + i);
            }
            used = counters.cpu() - start;
        } while (used < nanos);
        counters.checkStillMounted();
        sink = value;
        return used;
    }

    /** Allocates about {@code bytes} in small objects (through TLABs); returns the bytes the thread allocated. */
    static long allocate(long bytes) {
        Counters counters = Counters.ofCurrentThread();
        long start = counters.allocated();
        for (long done = 0; done < bytes; done += 64) {
            sink = new byte[48]; // 64 bytes with the array header
        }
        long used = counters.allocated() - start;
        counters.checkStillMounted();
        return used;
    }

    /** Reads {@code file} {@code times} times; returns the bytes read. */
    static long read(Path file, int times) throws Exception {
        long read = 0;
        for (int i = 0; i < times; i++) {
            try (InputStream in = Files.newInputStream(file)) {
                read += in.readAllBytes().length;
            }
        }
        return read;
    }

    /** Waits for {@code latch}, ignoring interrupts (a body that ignores its cancellation); re-asserts the interrupt. */
    public static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            }
            catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns once {@code done} says so, polling every 5 ms and swallowing interrupts: a body deaf to its
     * cancellation (a runaway receiver, a driver stuck in a socket read), let go by the test.
     */
    public static void ignoringInterruptsUntil(java.util.function.BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            try {
                Thread.sleep(5);
            }
            catch (InterruptedException ignored) {
                // deaf
            }
        }
    }

    /** The counters of the platform thread that runs the current code. */
    private record Counters(long threadId, String carrier) {

        static Counters ofCurrentThread() {
            Thread current = Thread.currentThread();
            if (!current.isVirtual()) {
                return new Counters(current.threadId(), null);
            }
            String carrier = carrierName();
            return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(carrier)).findFirst()
                    .map(t -> new Counters(t.threadId(), carrier))
                    .orElseThrow(() -> new IllegalStateException("no carrier thread named " + carrier));
        }

        private static String carrierName() {
            String text = Thread.currentThread().toString(); // VirtualThread[#22,name]/runnable@ForkJoinPool-1-worker-1
            int at = text.lastIndexOf('@');
            if (at < 0) {
                throw new IllegalStateException("cannot tell the carrier of " + text);
            }
            return text.substring(at + 1);
        }

        long cpu() {
            return THREADS.getThreadCpuTime(threadId);
        }

        long allocated() {
            return THREADS.getThreadAllocatedBytes(threadId);
        }

        void checkStillMounted() {
            if (carrier != null && !carrier.equals(carrierName())) {
                throw new IllegalStateException("moved from " + carrier + " to " + carrierName() + ": no truth");
            }
        }
    }
}
