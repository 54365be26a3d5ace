package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

@Timeout(value = 150)
class Hunt4Test {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    record Case(SpawningTask<String> t, boolean fallback, AtomicReference<Boolean> cancelAnswer, String desc,
            SpawningTask<Integer> chained) {}

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void randomisedOutcomeAgreement(long seed) throws Exception {
        Map<TaskId, Long> finishSeq = new ConcurrentHashMap<>();
        AtomicLong seq = new AtomicLong();
        List<Object[]> kids = Collections.synchronizedList(new ArrayList<>());
        Map<TaskId, List<TaskStatus>> finished = new ConcurrentHashMap<>();
        orch = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withLimits(4, 1, 4).withQueueCapacity(20).withMaxWait(Duration.ofMillis(20)))
                .listener(new TaskListener() {
                    @Override public void onFinished(TaskInfo t) {
                        finished.computeIfAbsent(t.id(), k -> Collections.synchronizedList(new ArrayList<>())).add(t.status());
                        finishSeq.put(t.id(), seq.incrementAndGet());
                    }
                }).build();
        Random rnd = new Random(seed);
        ScheduledExecutorService ses = Executors.newScheduledThreadPool(3);
        List<Case> cases = new ArrayList<>();
        List<SpawningTask<?>> prev = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            SpawningTaskBuilder<String> b = orch.to(String.class).named("t" + i);
            StringBuilder d = new StringBuilder();
            if (rnd.nextInt(3) == 0) { int ms = 1 + rnd.nextInt(4); b = b.timeout(Duration.ofMillis(ms)); d.append(" timeout=" + ms); }
            if (rnd.nextInt(3) == 0) { b = b.retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(2, Duration.ofMillis(rnd.nextInt(2))))); d.append(" retry"); }
            boolean fb = rnd.nextInt(3) == 0;
            if (fb) { b = b.fallback(e -> "fb"); d.append(" fallback"); }
            if (rnd.nextInt(3) == 0) { b = b.group("g"); d.append(" group"); }
            if (rnd.nextInt(4) == 0) { b = b.runtime(rnd.nextBoolean() ? "platform" : "single"); d.append(" pooled"); }
            if (rnd.nextInt(6) == 0 && !prev.isEmpty()) { b = b.after(prev.get(prev.size() - 1 - rnd.nextInt(Math.min(prev.size(), 5)))); d.append(" after"); }
            int behaviour = rnd.nextInt(8);
            d.append(" body=" + behaviour);
            int sleep = rnd.nextInt(3);
            SpawningTask<String> t = b.run(() -> switch (behaviour) {
                case 0 -> "ok";
                case 1 -> { Thread.sleep(sleep); yield "ok"; }
                case 2 -> throw new IOException("io");
                case 3 -> { long e = System.nanoTime() + sleep * 1_000_000L; while (System.nanoTime() < e) { } yield "spin"; }
                case 5, 6 -> {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    SpawningTask<String> k1 = ctx.child(String.class).named("k1").run(() -> { Thread.sleep(sleep); return "k"; });
                    SpawningTask<String> k2 = ctx.child(String.class).named("k2").group("g").timeout(Duration.ofMillis(2)).run(() -> { Thread.sleep(sleep * 2L); return "k"; });
                    kids.add(new Object[] {ctx.id(), k1});
                    kids.add(new Object[] {ctx.id(), k2});
                    if (behaviour == 6) throw new IOException("parent fails");
                    k2.result();
                    yield "ok";
                }
                default -> { try { Thread.sleep(sleep); } catch (InterruptedException ie) { throw new IOException("swallowed"); } throw new IllegalStateException("ise"); }
            });
            AtomicReference<Boolean> ans = new AtomicReference<>();
            if (rnd.nextBoolean()) {
                int delay = rnd.nextInt(3000);
                ses.schedule(() -> ans.set(t.cancel()), delay, TimeUnit.MICROSECONDS);
            }
            SpawningTask<Integer> ch = rnd.nextInt(4) == 0 ? t.chain(String::length) : null;
            cases.add(new Case(t, fb, ans, d.toString(), ch));
            prev.add(t);
        }
        ses.shutdown();
        assertThat(ses.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        List<String> bad = new ArrayList<>();
        for (Case c : cases) {
            TaskResult<String> r = CompletableFuture.supplyAsync(c.t()::result).get(20, TimeUnit.SECONDS);
            TaskStatus s = c.t().status();
            String where = c.t().name() + c.desc() + " status=" + s + " result=" + r + " cancel=" + c.cancelAnswer().get();
            if (Boolean.TRUE.equals(c.cancelAnswer().get()) && s != TaskStatus.CANCELLED) bad.add("cancel true but " + where);
            switch (s) {
                case COMPLETED -> { if (!r.isOk() || "fb".equals(r.orElse(null))) bad.add("completed mismatch " + where); }
                case CANCELLED -> { if (r.isOk() || !(((TaskResult.Err<String>) r).error() instanceof TaskCancelledException)) bad.add("cancelled mismatch " + where); }
                case TIMED_OUT -> {
                    if (c.fallback()) { if (!"fb".equals(r.orElse(null))) bad.add("timed out no fallback " + where); }
                    else if (r.isOk() || !(((TaskResult.Err<String>) r).error() instanceof TaskTimeoutException)) bad.add("timedout mismatch " + where);
                }
                case FAILED -> {
                    if (c.fallback()) { if (!"fb".equals(r.orElse(null))) bad.add("failed no fallback " + where); }
                    else if (r.isOk() || !(((TaskResult.Err<String>) r).error() instanceof TaskFailedException
                            || ((TaskResult.Err<String>) r).error() instanceof TaskRejectedException)) bad.add("failed mismatch " + where);
                }
                default -> bad.add("not terminal " + where);
            }
            CompletableFuture<String> cf = c.t().toCompletableFuture();
            try {
                String v = cf.get(5, TimeUnit.SECONDS);
                if (!r.isOk() || !Objects.equals(v, r.orElse(null))) bad.add("future value differs " + where + " cf=" + v);
            } catch (ExecutionException e) {
                if (r.isOk() || e.getCause() != ((TaskResult.Err<String>) r).error()) bad.add("future error differs " + where + " cf=" + e.getCause());
            } catch (CancellationException e) {
                if (s != TaskStatus.CANCELLED) bad.add("future cancelled, task " + where);
            }
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!finished.containsKey(c.t().id()) && System.nanoTime() < deadline) Thread.sleep(1);
            List<TaskStatus> fs = finished.get(c.t().id());
            if (fs == null || fs.size() != 1 || fs.get(0) != s) bad.add("listener " + fs + " " + where);
            if (c.chained() != null) {
                TaskResult<Integer> cr = CompletableFuture.supplyAsync(c.chained()::result).get(20, TimeUnit.SECONDS);
                if (r.isOk() && !(cr.isOk() && cr.orElseThrow() == r.orElseThrow().length())) bad.add("chain of ok " + cr + " " + where);
                if (!r.isOk()) {
                    AsyncTaskException up = ((TaskResult.Err<String>) r).error();
                    if (cr.isOk()) bad.add("chain of failed ran " + where);
                    else {
                        AsyncTaskException down = ((TaskResult.Err<Integer>) cr).error();
                        if (down.getClass() != up.getClass()) bad.add("chain error type " + down.getClass().getSimpleName() + " vs " + up.getClass().getSimpleName() + " " + where);
                        if (c.chained().status() != s) bad.add("chain status " + c.chained().status() + " vs " + where);
                    }
                }
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((orch.liveCount() > 0 || orch.limiters().stream().anyMatch(l -> l.inFlight() > 0 || l.queued() > 0)) && System.nanoTime() < deadline) Thread.sleep(10);
        for (Object[] k : kids) {
            SpawningTask<?> kt = (SpawningTask<?>) k[1];
            TaskId parent = (TaskId) k[0];
            Long ks = finishSeq.get(kt.id());
            Long ps = finishSeq.get(parent);
            if (ks == null || ps == null || ks > ps) bad.add("child " + kt.name() + " " + kt.status() + " finished at " + ks + " after parent " + ps);
            if (!kt.isDone()) bad.add("child not done " + kt.status());
        }
        for (LimiterSnapshot l : orch.limiters()) {
            if (l.inFlight() != 0 || l.queued() != 0) bad.add("limiter " + l);
        }
        if (orch.liveCount() != 0) bad.add("live " + orch.liveCount());
        bad.stream().limit(30).forEach(System.out::println);
        assertThat(bad).isEmpty();
    }
}
