package io.sweetasync.bench.jmh;

import io.sweetasync.TaskOrchestrator;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Heap retained per live, parked task: N tasks blocked on a latch, heap used after full GCs compared
 * with before, for a raw virtual-thread executor and for Sweet Async (default settings).
 */
final class RetainedMemory {

    static final int TASKS = 20_000;

    private RetainedMemory() {
    }

    /** Bytes retained per parked task: {raw, sweetAsync}. */
    static double[] measure() throws InterruptedException {
        double raw;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            raw = perTask(latch -> executor.submit(() -> {
                latch.await();
                return 1;
            }));
        }
        double sweet;
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            sweet = perTask(latch -> orchestrator.to(Integer.class).run(() -> {
                latch.await();
                return 1;
            }));
        }
        return new double[] { raw, sweet };
    }

    private interface Spawner {
        Object spawn(CountDownLatch latch);
    }

    private static double perTask(Spawner spawner) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        Object[] handles = new Object[TASKS];
        long before = usedAfterGc();
        for (int i = 0; i < TASKS; i++) {
            handles[i] = spawner.spawn(latch);
        }
        Thread.sleep(500); // let every task start and park
        long after = usedAfterGc();
        latch.countDown();
        return handles.length > 0 ? (after - before) / (double) TASKS : 0;
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
