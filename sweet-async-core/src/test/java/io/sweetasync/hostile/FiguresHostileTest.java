package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.ManualClock;
import io.sweetasync.ResourceTracking;
import io.sweetasync.ResourceValue;
import io.sweetasync.RetryPolicy;
import io.sweetasync.RunsAlone;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskMetrics;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 1.10 and the javadoc of {@link TaskMetrics} ("summed over its attempts") and {@link ResourceTracking}
 * (MEASURE: exact per-thread counters around each attempt on a platform thread). No timing assertions: only
 * what the thread's own counters say the body did.
 */
@RunsAlone
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FiguresHostileTest {

    private static final long MB = 1024 * 1024;
    static volatile Object sink;

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.executor("direct", Runnable::run))
            .resourceTracking(ResourceTracking.MEASURE)
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static boolean allocationCounted() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled();
    }

    private static boolean cpuCounted() {
        var t = ManagementFactory.getThreadMXBean();
        return t.isCurrentThreadCpuTimeSupported() && t.isThreadCpuTimeEnabled();
    }

    static void allocate(long bytes) {
        for (long done = 0; done < bytes; done += 64) {
            sink = new byte[48];
        }
    }

    static void burn(long cpuNanos) {
        var threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        double v = 0;
        while (threads.getCurrentThreadCpuTime() - start < cpuNanos) {
            for (int i = 0; i < 20_000; i++) {
                v += Math.sqrt(v + i);
            }
        }
        sink = v;
    }

    /**
     * A child run nested on its parent's thread (a caller-runs executor) is charged to the child only: the
     * parent's figures exclude what the child allocated and burned.
     */
    @Test
    void aChildRunNestedOnACallerRunsExecutorIsNotChargedToItsParent() {
        AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).runtime("direct").run(() -> {
            child.set(TaskContext.current().orElseThrow().runChild(() -> {
                allocate(64 * MB);
                burn(200_000_000L);
                return 1;
            }));
            return child.get().join();
        });
        assertThat(parent.join()).isEqualTo(1);
        TaskMetrics p = parent.metrics();
        TaskMetrics c = child.get().metrics();
        if (allocationCounted()) {
            assertThat(c.allocatedBytes().source()).isEqualTo(ResourceValue.Source.MEASURED);
            assertThat(c.allocatedBytes().amount()).isGreaterThan(48 * MB);
            assertThat(p.allocatedBytes().amount()).as("parent's allocation excludes the nested child's")
                    .isLessThan(c.allocatedBytes().amount() / 4);
        }
        if (cpuCounted()) {
            assertThat(c.cpuTimeNanos().amount()).isGreaterThanOrEqualTo(200_000_000L);
            assertThat(p.cpuTimeNanos().amount()).as("parent's CPU excludes the nested child's")
                    .isLessThan(c.cpuTimeNanos().amount() / 3);
        }
    }

    /** "summed over its attempts": three attempts of 24 MB each, the first two failing. */
    @Test
    void aRetriedTasksFiguresAreSummedOverItsAttempts() {
        AtomicInteger attempts = new AtomicInteger();
        for (String runtime : new String[] {"platform", "single", "direct"}) {
            attempts.set(0);
            SpawningTask<Integer> task = orchestrator.to(Integer.class).runtime(runtime)
                    .retry(RetryPolicy.fixed(2, Duration.ZERO)).run(() -> {
                        allocate(24 * MB);
                        if (attempts.incrementAndGet() < 3) {
                            throw new IllegalStateException("attempt " + attempts.get() + " fails");
                        }
                        return 1;
                    });
            assertThat(task.join()).isEqualTo(1);
            if (allocationCounted()) {
                // On "direct" the first attempt runs on this (platform) thread, the retries on the clock's
                // virtual thread, whose counters cannot be read: the sum is then no measurement at all.
                ResourceValue allocated = task.metrics().allocatedBytes();
                if (!runtime.equals("direct")) {
                    assertThat(allocated.source()).as(runtime).isEqualTo(ResourceValue.Source.MEASURED);
                }
                if (allocated.source() == ResourceValue.Source.MEASURED) {
                    assertThat(allocated.amount()).as("%s: 3 attempts of 24 MB, MEASURED", runtime)
                            .isGreaterThan(60 * MB);
                }
            }
        }
    }

    /** A failed task and a cancelled one still report what their bodies did, measured, never negative. */
    @Test
    void failedAndCancelledTasksKeepTheirFigures() throws Exception {
        SpawningTask<Integer> failed = orchestrator.to(Integer.class).runtime("platform").run(() -> {
            allocate(32 * MB);
            throw new IllegalStateException("fails after allocating");
        });
        assertThat(failed.result().isOk()).isFalse();
        CountDownLatch allocated = new CountDownLatch(1);
        SpawningTask<Integer> cancelled = orchestrator.to(Integer.class).runtime("platform").run(() -> {
            allocate(32 * MB);
            allocated.countDown();
            new CountDownLatch(1).await();
            return 1;
        });
        assertThat(allocated.await(30, TimeUnit.SECONDS)).isTrue();
        cancelled.cancel();
        cancelled.result();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cancelled.status() != TaskStatus.CANCELLED && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        for (SpawningTask<Integer> task : java.util.List.of(failed, cancelled)) {
            TaskMetrics m = task.metrics();
            assertThat(m.queueWait().isNegative()).isFalse();
            assertThat(m.runTime().isNegative()).isFalse();
            for (ResourceValue v : java.util.List.of(m.cpuTimeNanos(), m.allocatedBytes(), m.bytesRead(),
                    m.bytesWritten())) {
                assertThat(v.amount()).as("%s: %s", task.status(), v).isGreaterThanOrEqualTo(-1);
                if (v.isAvailable()) {
                    assertThat(v.amount()).isNotNegative();
                }
            }
            if (allocationCounted()) {
                assertThat(m.allocatedBytes().source()).as("%s", task.status())
                        .isEqualTo(ResourceValue.Source.MEASURED);
                assertThat(m.allocatedBytes().amount()).as("%s", task.status()).isGreaterThan(24 * MB);
            }
        }
    }

    /**
     * {@link TaskMetrics#queueWait()}: "time spent QUEUED (waiting for a runtime slot or permit)". A task that
     * waited 10 s for a permit and was then rejected (WAIT_TIMEOUT), or cancelled after 5 s in the queue,
     * spent that time QUEUED just as one that got its permit after 5 s; a manual clock makes it exact.
     */
    @Test
    void queueWaitCountsTheWaitOfTasksThatNeverGotTheirPermit() throws Exception {
        ManualClock clock = new ManualClock();
        TaskOrchestrator manual = TaskOrchestrator.builder().clock(clock)
                .group("one", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(10)))
                .build();
        try {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> holder = manual.to(Integer.class).group("one").runtime("platform").run(() -> {
                holding.countDown();
                release.await();
                return 0;
            });
            assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
            SpawningTask<Integer> rejected = manual.to(Integer.class).named("rejected").group("one")
                    .runtime("platform").run(() -> 1);
            awaitStatus(rejected, TaskStatus.QUEUED);
            clock.advance(Duration.ofSeconds(5));
            SpawningTask<Integer> cancelled = manual.to(Integer.class).named("cancelled").group("one")
                    .runtime("platform").run(() -> 1);
            awaitStatus(cancelled, TaskStatus.QUEUED);
            clock.advance(Duration.ofSeconds(5)); // "rejected" has now waited 10 s: its maxWait
            assertThat(rejected.result().isOk()).isFalse();
            clock.advance(Duration.ofSeconds(1));
            SpawningTask<Integer> granted = manual.to(Integer.class).named("granted").group("one")
                    .runtime("platform").run(() -> 1);
            awaitStatus(granted, TaskStatus.QUEUED);
            clock.advance(Duration.ofSeconds(4)); // "cancelled" has waited 10 s
            cancelled.cancel();
            cancelled.result();
            clock.advance(Duration.ofSeconds(1)); // "granted" has waited 5 s
            release.countDown();
            holder.result();
            assertThat(granted.join()).isEqualTo(1);
            assertThat(granted.metrics().queueWait()).as("granted after 5 s").isEqualTo(Duration.ofSeconds(5));
            assertThat(cancelled.metrics().queueWait()).as("cancelled after 10 s in the queue")
                    .isEqualTo(Duration.ofSeconds(10));
            assertThat(rejected.metrics().queueWait()).as("rejected (WAIT_TIMEOUT) after 10 s in the queue")
                    .isEqualTo(Duration.ofSeconds(10));
        }
        finally {
            release(manual);
        }
    }

    private static void release(TaskOrchestrator orchestrator) {
        orchestrator.close();
    }

    private static void awaitStatus(SpawningTask<?> task, TaskStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (task.status() != status && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(task.status()).as("%s", task).isEqualTo(status);
    }

    /**
     * {@link io.sweetasync.ResourceUsage}: "Resource totals of all tasks of one name, measured and sampled
     * figures together". A task on a platform thread under MEASURE_AND_SAMPLE allocates 128 MB: measured, and
     * also seen by the TLAB events the stream attributes to its slice. The name's total must count those bytes
     * once, not once measured plus once sampled. Waits for the task's sampled figures to be final
     * (onResourcesUpdated), then gives late events 3 s more; no timing is asserted.
     */
    @Test
    void totalsPerNameCountAPlatformTasksAllocationOnce() throws Exception {
        CountDownLatch settled = new CountDownLatch(1);
        TaskOrchestrator sampling = TaskOrchestrator.builder()
                .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).build();
        sampling.addListener(new io.sweetasync.TaskListener() {
            @Override
            public void onResourcesUpdated(io.sweetasync.TaskInfo task) {
                settled.countDown();
            }
        });
        try {
            SpawningTask<Integer> task = sampling.to(Integer.class).named("alloc128").runtime("platform").run(() -> {
                allocate(128 * MB);
                return 1;
            });
            assertThat(task.join()).isEqualTo(1);
            ResourceValue measured = task.metrics().allocatedBytes();
            org.junit.jupiter.api.Assumptions.assumeTrue(measured.source() == ResourceValue.Source.MEASURED,
                    "allocation counters on platform threads");
            settled.await(30, TimeUnit.SECONDS);
            Thread.sleep(3_000);
            long total = sampling.resourceUsage().stream().filter(u -> u.name().equals("alloc128")).findFirst()
                    .orElseThrow().allocatedBytes();
            assertThat(total).as("the name's allocation total, the task's own (MEASURED) figure being %d",
                    measured.amount()).isLessThan(measured.amount() * 3 / 2);
        }
        finally {
            sampling.close();
        }
    }

    /**
     * A task's end is read from the clock once for its body's end and its own. Giving back a group permit hands it
     * to the next waiter; on a caller-runs runtime that waiter's body runs on a thread of its own, not inside the
     * first task's end, so the first task ends as its body did. With a manual clock: the second task's body waits
     * for the first task (it could not end while the second ran on its thread) and then takes 7 s.
     */
    @Test
    void aTaskEndsAsItsBodyDidThoughItsPermitWasHandedToACallerRunsWaiter() throws Exception {
        ManualClock clock = new ManualClock();
        TaskOrchestrator manual = TaskOrchestrator.builder().clock(clock)
                .runtime(TaskRuntime.executor("direct", Runnable::run))
                .group("one", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(60)))
                .build();
        try {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Thread> firstRanOn = new AtomicReference<>();
            SpawningTask<Integer> first = manual.to(Integer.class).named("first").group("one").runtime("platform")
                    .run(() -> {
                        firstRanOn.set(Thread.currentThread());
                        holding.countDown();
                        release.await();
                        return 1;
                    });
            assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
            AtomicReference<Thread> secondRanOn = new AtomicReference<>();
            SpawningTask<Integer> second = manual.to(Integer.class).named("second").group("one").runtime("direct")
                    .detached().run(() -> {
                        secondRanOn.set(Thread.currentThread());
                        assertThat(first.join()).isEqualTo(1);
                        clock.advance(Duration.ofSeconds(7));
                        return 2;
                    });
            awaitStatus(second, TaskStatus.QUEUED);
            release.countDown();
            assertThat(first.join()).isEqualTo(1);
            assertThat(second.join()).isEqualTo(2);
            assertThat(secondRanOn.get()).as("the hand-over ran the second task on the first one's thread")
                    .isNotSameAs(firstRanOn.get());
            assertThat(first.metrics().runTime()).as("the first body took no time").isEqualTo(Duration.ZERO);
            assertThat(Duration.between(first.info().startedAt(), first.info().completedAt()))
                    .as("the first task ended as its body did").isEqualTo(Duration.ZERO);
        }
        finally {
            manual.close();
        }
    }

    /**
     * A task queued as it is created takes its creation time as its queue time; a listener's
     * {@code onCreated} runs in between, and its time is not time QUEUED. With a manual clock: a listener that
     * takes 3 s, a task started at once on its caller's thread: queueWait 0.
     */
    @Test
    void aSlowOnCreatedListenerIsNotQueueWait() {
        ManualClock clock = new ManualClock();
        TaskOrchestrator manual = TaskOrchestrator.builder().clock(clock)
                .runtime(TaskRuntime.executor("direct", Runnable::run)).build();
        manual.addListener(new io.sweetasync.TaskListener() {
            @Override
            public void onCreated(io.sweetasync.TaskInfo task) {
                clock.advance(Duration.ofSeconds(3));
            }
        });
        try {
            SpawningTask<Integer> task = manual.to(Integer.class).runtime("direct").run(() -> 1);
            assertThat(task.join()).isEqualTo(1);
            assertThat(task.metrics().queueWait()).isEqualTo(Duration.ZERO);
        }
        finally {
            manual.close();
        }
    }

    /**
     * {@link TaskMetrics}: runTime is "summed over attempts (not counting retry back-off)", queueWait the time
     * spent QUEUED. With a manual clock: attempts of 2 s and 3 s, a back-off of 10 s between them, in a group
     * whose permit the retry gets at once: runTime 5 s exactly, queueWait 0.
     */
    @Test
    void runTimeSumsAttemptsWithoutBackOffAndQueueWaitExcludesIt() throws Exception {
        ManualClock clock = new ManualClock();
        TaskOrchestrator manual = TaskOrchestrator.builder().clock(clock)
                .group("g", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(60)))
                .build();
        try {
            AtomicInteger attempt = new AtomicInteger();
            CountDownLatch firstFailed = new CountDownLatch(1);
            SpawningTask<Integer> task = manual.to(Integer.class).group("g").runtime("platform")
                    .retry(RetryPolicy.fixed(1, Duration.ofSeconds(10))).run(() -> {
                        if (attempt.incrementAndGet() == 1) {
                            clock.advance(Duration.ofSeconds(2));
                            firstFailed.countDown();
                            throw new IllegalStateException("first attempt fails");
                        }
                        clock.advance(Duration.ofSeconds(3));
                        return 1;
                    });
            assertThat(firstFailed.await(30, TimeUnit.SECONDS)).isTrue();
            clock.awaitRequests(1); // the back-off is scheduled
            clock.advance(Duration.ofSeconds(10));
            assertThat(task.join()).isEqualTo(1);
            assertThat(task.metrics().runTime()).isEqualTo(Duration.ofSeconds(5));
            assertThat(task.metrics().queueWait()).isEqualTo(Duration.ZERO);
        }
        finally {
            manual.close();
        }
    }
}
