package io.sweetasync.review13;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Waits, cancels, timeouts and retries at once on single and small platform runtimes. */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review13RuntimeFuzzTest {

    private static final String[] RUNTIMES = { "single", "p1", "virtual", "single2" };

    @Test
    void waitsCancelsTimeoutsAndRetriesTogether() throws Exception {
        Map<String, List<TaskStatus>> finished = new ConcurrentHashMap<>();
        TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.platform("p1", 1))
                .runtime(TaskRuntime.single("single2"))
                .listener(new TaskListener() {
                    @Override
                    public void onFinished(TaskInfo task) {
                        finished.computeIfAbsent(task.id().toString(), k -> new CopyOnWriteArrayList<>()).add(task.status());
                    }
                }).build();
        ScheduledExecutorService canceller = Executors.newScheduledThreadPool(2);
        List<String> problems = new CopyOnWriteArrayList<>();
        long base = Long.getLong("seed", System.nanoTime());
        try {
            for (int round = 0; round < Integer.getInteger("rounds", 60); round++) {
                long seed = base + round;
                SplittableRandom rnd = new SplittableRandom(seed);
                int n = 12;
                AtomicReferenceArray<SpawningTask<Integer>> handles = new AtomicReferenceArray<>(n);
                List<Boolean[]> answers = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int self = i;
                    long taskSeed = rnd.nextLong();
                    SpawningTaskBuilder<Integer> b = o.to(Integer.class).named("t" + i)
                            .runtime(RUNTIMES[rnd.nextInt(RUNTIMES.length)])
                            .priority(TaskPriority.values()[rnd.nextInt(5)]);
                    if (rnd.nextInt(3) == 0) {
                        b = b.timeout(Duration.ofMillis(1 + rnd.nextInt(40)));
                    }
                    if (rnd.nextInt(3) == 0) {
                        b = b.retry(RetryPolicy.fixed(2, Duration.ofMillis(rnd.nextInt(3))));
                    }
                    handles.set(i, b.run(() -> body(o, self, new SplittableRandom(taskSeed), handles)));
                    Boolean[] answer = new Boolean[1];
                    answers.add(answer);
                    if (rnd.nextInt(4) == 0) {
                        SpawningTask<Integer> t = handles.get(i);
                        canceller.schedule(() -> {
                            answer[0] = t.cancel();
                        }, rnd.nextInt(30), TimeUnit.MILLISECONDS);
                    }
                }
                for (int i = 0; i < n; i++) {
                    handles.get(i).result();
                }
                canceller.schedule(() -> { }, 40, TimeUnit.MILLISECONDS).get();
                Thread.sleep(5);
                for (int i = 0; i < n; i++) {
                    SpawningTask<Integer> t = handles.get(i);
                    TaskStatus s = t.status();
                    Boolean a = answers.get(i)[0];
                    if (a != null && a != (s == TaskStatus.CANCELLED)) {
                        problems.add("seed " + seed + " t" + i + ": cancel() " + a + " but " + s);
                    }
                    List<TaskStatus> f = finished.get(t.id().toString());
                    if (f == null || f.size() != 1 || f.get(0) != s) {
                        problems.add("seed " + seed + " t" + i + ": onFinished " + f + " vs " + s);
                    }
                }
            }
        }
        finally {
            canceller.shutdownNow();
            o.close();
        }
        problems.stream().limit(20).forEach(p -> System.out.println("PROBLEM " + p));
        assertThat(problems).isEmpty();
    }

    private static int body(TaskOrchestrator o, int self, SplittableRandom rnd,
            AtomicReferenceArray<SpawningTask<Integer>> handles) throws Exception {
        int sum = 1;
        int steps = rnd.nextInt(4);
        for (int s = 0; s < steps; s++) {
            int kind = rnd.nextInt(8);
            try {
                if (kind <= 3 && self > 0) {
                    SpawningTask<Integer> other = handles.get(rnd.nextInt(self));
                    sum += switch (kind) {
                        case 0 -> other.result().orElse(0);
                        case 1 -> other.toCompletableFuture().thenApply(x -> x).exceptionally(e -> 0).join();
                        case 2 -> other.get(5, TimeUnit.SECONDS);
                        default -> other.join();
                    };
                }
                else if (kind == 4) {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    SpawningTask<Integer> child = ctx.child(Integer.class)
                            .runtime(RUNTIMES[rnd.nextInt(RUNTIMES.length)]).run(() -> {
                                LockSupport.parkNanos(200_000);
                                return 1;
                            });
                    sum += child.result().orElse(0);
                }
                else if (kind == 5) {
                    LockSupport.parkNanos(rnd.nextInt(2_000_000));
                }
                else if (kind == 6) {
                    if (rnd.nextBoolean()) {
                        throw new java.io.IOException("x");
                    }
                }
                else {
                    Thread.onSpinWait();
                }
            }
            catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException
                    | java.util.concurrent.TimeoutException | java.util.concurrent.CompletionException
                    | io.sweetasync.AsyncTaskException ignored) {
                // fine
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
        }
        return sum;
    }
}
