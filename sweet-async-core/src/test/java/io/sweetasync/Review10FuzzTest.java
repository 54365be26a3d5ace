package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Random single tasks, chains and cancels: every view of each task's end must agree. */
@Timeout(300)
class Review10FuzzTest {

    record Seen(SpawningTask<Integer> task, boolean hasFallback, boolean fallbackThrows, Boolean[] cancelAnswer,
            SpawningTask<Integer> upstream, String label) {
    }

    @Test
    void allViewsAgree() throws Exception {
        Map<String, List<TaskStatus>> finished = new ConcurrentHashMap<>();
        TaskOrchestrator o = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                finished.computeIfAbsent(task.id().toString(), k -> new CopyOnWriteArrayList<>()).add(task.status());
            }
        }).build();
        ScheduledExecutorService canceller = Executors.newScheduledThreadPool(2);
        List<String> problems = new CopyOnWriteArrayList<>();
        try {
            SplittableRandom rnd = new SplittableRandom(Long.getLong("seed", 42));
            for (int round = 0; round < 30; round++) {
                List<Seen> all = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    String runtime = List.of("virtual", "platform", "single").get(rnd.nextInt(3));
                    int sleep = rnd.nextInt(15);
                    int mode = rnd.nextInt(5); // 0 ok, 1 throw, 2 ignore interrupts, 3 throw late, 4 ok fast
                    boolean fallback = rnd.nextInt(3) == 0;
                    boolean fallbackThrows = fallback && rnd.nextInt(4) == 0;
                    SpawningTaskBuilder<Integer> b = o.to(Integer.class).named("f" + i).runtime(runtime);
                    if (rnd.nextBoolean()) {
                        b = b.timeout(Duration.ofMillis(1 + rnd.nextInt(25)));
                    }
                    if (rnd.nextInt(3) == 0) {
                        b = b.retry(RetryPolicy.fixed(2, Duration.ofMillis(rnd.nextInt(5))));
                    }
                    if (fallback) {
                        b = b.fallback(e -> {
                            if (fallbackThrows) {
                                throw new IllegalStateException("fallback");
                            }
                            return -1;
                        });
                    }
                    SpawningTask<Integer> t = b.run(() -> {
                        switch (mode) {
                            case 1 -> {
                                Thread.sleep(sleep);
                                throw new IOException("x");
                            }
                            case 2 -> {
                                long end = System.nanoTime() + sleep * 1_000_000L;
                                while (System.nanoTime() < end) {
                                    LockSupport.parkNanos(100_000);
                                }
                                Thread.interrupted();
                                return 2;
                            }
                            case 3 -> {
                                try {
                                    Thread.sleep(sleep);
                                }
                                finally {
                                    if (sleep % 2 == 0) {
                                        throw new IOException("late");
                                    }
                                }
                                return 3;
                            }
                            case 4 -> {
                                return 4;
                            }
                            default -> {
                                Thread.sleep(sleep);
                                return 0;
                            }
                        }
                    });
                    Boolean[] answer = new Boolean[1];
                    if (rnd.nextBoolean()) {
                        int delay = rnd.nextInt(20);
                        boolean viaFuture = rnd.nextBoolean();
                        canceller.schedule(() -> {
                            answer[0] = viaFuture ? t.toCompletableFuture().cancel(true) : t.cancel();
                        }, delay, TimeUnit.MILLISECONDS);
                    }
                    all.add(new Seen(t, fallback, fallbackThrows, answer, null, "task"));
                    if (rnd.nextInt(3) == 0) {
                        SpawningTask<Integer> c = t.chain(x -> x + 100);
                        Boolean[] ca = new Boolean[1];
                        if (rnd.nextInt(3) == 0) {
                            canceller.schedule(() -> {
                                ca[0] = c.cancel();
                            }, rnd.nextInt(20), TimeUnit.MILLISECONDS);
                        }
                        all.add(new Seen(c, false, false, ca, t, "chain"));
                    }
                }
                for (Seen s : all) {
                    check(s, problems, finished);
                }
                canceller.schedule(() -> { }, 0, TimeUnit.MILLISECONDS).get(); // let pending cancels run
                Thread.sleep(30);
                for (Seen s : all) {
                    if (s.cancelAnswer()[0] != null && s.cancelAnswer()[0] && s.task().status() != TaskStatus.CANCELLED) {
                        problems.add(s.label() + " " + s.task().info().path() + ": cancel() true but " + s.task().status());
                    }
                    if (s.cancelAnswer()[0] != null && !s.cancelAnswer()[0] && s.task().status() == TaskStatus.CANCELLED) {
                        problems.add(s.label() + " " + s.task().info().path() + ": cancel() false but CANCELLED");
                    }
                    List<TaskStatus> f = finished.get(s.task().id().toString());
                    if (f == null || f.size() != 1 || f.get(0) != s.task().status()) {
                        problems.add(s.label() + " " + s.task().info().path() + ": onFinished " + f + " vs " + s.task().status());
                    }
                }
            }
        }
        finally {
            canceller.shutdownNow();
            o.close();
        }
        problems.stream().limit(30).forEach(p -> System.out.println("PROBLEM " + p));
        assertThat(problems).isEmpty();
    }

    private static void check(Seen s, List<String> problems, Map<String, List<TaskStatus>> finished) throws Exception {
        SpawningTask<Integer> t = s.task();
        TaskResult<Integer> r = t.result();
        TaskStatus st = t.status();
        String who = s.label() + " " + t.info().path() + " " + st + " " + r;
        if (!st.isTerminal()) {
            problems.add(who + ": not terminal after result()");
        }
        if (t.info().status() != st) {
            problems.add(who + ": info " + t.info().status());
        }
        if (!t.isDone()) {
            problems.add(who + ": not done");
        }
        if ((st == TaskStatus.CANCELLED) != t.isCancelled()) {
            problems.add(who + ": isCancelled " + t.isCancelled());
        }
        CompletableFuture<Integer> cf = t.toCompletableFuture();
        if (!cf.isDone()) {
            problems.add(who + ": future not done");
        }
        Object got;
        try {
            got = t.get(5, TimeUnit.SECONDS);
        }
        catch (CancellationException e) {
            got = "cancelled";
        }
        catch (ExecutionException e) {
            got = e.getCause();
        }
        Object joined;
        try {
            joined = t.join();
        }
        catch (AsyncTaskException e) {
            joined = e;
        }
        switch (r) {
            case TaskResult.Ok<Integer> ok -> {
                if (st == TaskStatus.CANCELLED) {
                    problems.add(who + ": Ok but CANCELLED");
                }
                if (st != TaskStatus.COMPLETED && !(s.hasFallback() && ok.value() != null && ok.value() == -1)
                        && !(s.upstream() != null && s.upstream().result().isOk())) {
                    problems.add(who + ": Ok with status " + st);
                }
                if (!java.util.Objects.equals(got, ok.value()) || !java.util.Objects.equals(joined, ok.value())
                        || !java.util.Objects.equals(cf.getNow(null), ok.value())) {
                    problems.add(who + ": get " + got + " join " + joined);
                }
            }
            case TaskResult.Err<Integer> err -> {
                AsyncTaskException e = err.error();
                boolean typeOk = switch (st) {
                    case CANCELLED -> e instanceof TaskCancelledException && "cancelled".equals(got);
                    case TIMED_OUT -> (e instanceof TaskTimeoutException || ((s.fallbackThrows() || s.upstream() != null) && e instanceof TaskFailedException)) && got == e;
                    case FAILED -> (e instanceof TaskFailedException || e instanceof TaskRejectedException) && got == e;
                    default -> false;
                };
                if (!typeOk) {
                    problems.add(who + ": error " + e.getClass().getSimpleName() + " get " + got);
                }
                if (joined != e) {
                    problems.add(who + ": join threw another " + joined);
                }
                if (s.upstream() == null && (!e.task().id().equals(t.id()) || e.task().status() != st)) {
                    problems.add(who + ": error's task " + e.task().path() + " " + e.task().status());
                }
                if (s.upstream() != null && s.upstream().result() instanceof TaskResult.Err<Integer> ue && ue.error() != e
                        && st != TaskStatus.CANCELLED) {
                    problems.add(who + ": chain did not pass the upstream's error through");
                }
                if (s.upstream() != null && !s.upstream().result().isOk() && st != s.upstream().status()
                        && st != TaskStatus.CANCELLED) {
                    problems.add(who + ": chain status " + st + " upstream " + s.upstream().status());
                }
            }
        }
    }
}
