package io.sweetasync.review13;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review13CancelProbeTest {

    private final Map<String, AtomicInteger> finished = new ConcurrentHashMap<>();
    private final TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.platform("p1", 1))
            .listener(new TaskListener() {
                @Override
                public void onFinished(TaskInfo task) {
                    finished.computeIfAbsent(task.id().toString(), k -> new AtomicInteger()).incrementAndGet();
                }
            }).build();

    @AfterEach
    void close() {
        o.close();
    }

    /** cancel() racing an immediate retry loop: one end, cancel() == CANCELLED, no attempt after the end. */
    @Test
    void cancelRacingImmediateRetries() throws Exception {
        for (String runtime : List.of("virtual", "single", "p1")) {
            for (int round = 0; round < 300; round++) {
                AtomicInteger attempts = new AtomicInteger();
                SpawningTask<Integer> t = o.to(Integer.class).runtime(runtime)
                        .retry(RetryPolicy.fixed(1_000_000, Duration.ZERO))
                        .run(() -> {
                            attempts.incrementAndGet();
                            throw new IllegalStateException("again");
                        });
                LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(200_000));
                boolean c = t.cancel();
                t.result();
                TaskStatus s = t.status();
                assertThat(c).as("%s round %d: cancel() %s, status %s", runtime, round, c, s)
                        .isEqualTo(s == TaskStatus.CANCELLED);
                int after = attempts.get();
                Thread.sleep(1);
                assertThat(attempts.get()).as("%s round %d: attempts after the end", runtime, round).isEqualTo(after);
                awaitOne(t);
            }
        }
    }

    /** A timeout racing an immediate retry loop. */
    @Test
    void timeoutRacingImmediateRetries() throws Exception {
        for (String runtime : List.of("virtual", "single", "p1")) {
            for (int round = 0; round < 100; round++) {
                AtomicInteger attempts = new AtomicInteger();
                SpawningTask<Integer> t = o.to(Integer.class).runtime(runtime).timeout(Duration.ofMillis(1))
                        .retry(RetryPolicy.fixed(1_000_000, Duration.ZERO))
                        .run(() -> {
                            attempts.incrementAndGet();
                            throw new IllegalStateException("again");
                        });
                t.result();
                assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
                int after = attempts.get();
                Thread.sleep(1);
                assertThat(attempts.get()).as("%s round %d: attempts after the end", runtime, round).isEqualTo(after);
                awaitOne(t);
            }
        }
    }

    private void awaitOne(SpawningTask<?> t) throws InterruptedException {
        for (int i = 0; i < 1000 && finished.get(t.id().toString()) == null; i++) {
            Thread.sleep(1);
        }
        Thread.sleep(1);
        assertThat(finished.get(t.id().toString())).as("onFinished of %s", t.name()).hasValue(1);
    }

    /** cancel() of an interrupt-ignoring body that has a deadline: cancel() true must mean CANCELLED. */
    @Test
    void cancelOfAStubbornBodyWithADeadline() throws Exception {
        for (String runtime : List.of("virtual", "single", "p1")) {
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            SpawningTask<Integer> t = o.to(Integer.class).runtime(runtime).timeout(Duration.ofMillis(300)).run(() -> {
                started.countDown();
                while (true) {
                    try {
                        hold.await();
                        return 1;
                    }
                    catch (InterruptedException ignored) {
                    }
                }
            });
            started.await();
            boolean c = t.cancel();
            try {
                t.result();
                TaskStatus s = t.status();
                System.out.println(runtime + ": cancel()=" + c + " status=" + s + " runaway=" + t.info().runaway());
                assertThat(c).isEqualTo(s == TaskStatus.CANCELLED);
            }
            finally {
                hold.countDown();
            }
        }
    }

    /** A user blocker whose block() throws: the single runtime's own thread takes the later tasks again. */
    @Test
    void aThrowingBlockerLeavesTheSingleRuntimeWhole() throws Exception {
        Thread own = o.to(Thread.class).runtime("single").run(Thread::currentThread).join();
        for (int i = 0; i < 20; i++) {
            SpawningTask<String> t = o.to(String.class).runtime("single").run(() -> {
                try {
                    TaskRuntime.managedBlock(new ForkJoinPool.ManagedBlocker() {
                        @Override
                        public boolean block() {
                            throw new IllegalStateException("blocker broke");
                        }

                        @Override
                        public boolean isReleasable() {
                            return false;
                        }
                    });
                }
                catch (IllegalStateException expected) {
                    return "caught";
                }
                return "no";
            });
            assertThat(t.join()).isEqualTo("caught");
        }
        for (int i = 0; i < 50; i++) {
            assertThat(o.to(Thread.class).runtime("single").run(Thread::currentThread).join()).isSameAs(own);
        }
        System.out.println(o.runtimes().get("single").snapshot());
    }

    /** An onStarted listener (on the single thread) joins a task queued behind it. */
    @Test
    void anOnStartedListenerJoinsATaskQueuedBehind() throws Exception {
        List<SpawningTask<String>> behind = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(1);
        TaskOrchestrator o2 = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onStarted(TaskInfo task) {
                if (task.name().equals("first")) {
                    try {
                        ready.await();
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                    behind.get(0).join();
                }
            }
        }).build();
        try {
            SpawningTask<String> first = o2.to(String.class).named("first").runtime("single").run(() -> "f");
            behind.add(o2.to(String.class).named("behind").runtime("single").run(() -> "b"));
            ready.countDown();
            assertThat(first.join()).isEqualTo("f");
        }
        finally {
            o2.close();
        }
    }
}
