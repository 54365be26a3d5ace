package io.sweetasync.jdbc.trial;

import static io.sweetasync.jdbc.trial.TrialSupport.member;
import static io.sweetasync.jdbc.trial.TrialSupport.pool;
import static io.sweetasync.jdbc.trial.TrialSupport.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.sweetasync.AsyncTaskException;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.jdbc.JdbcTaskStore;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's hostile trial of durable tasks on a file-based H2: a "restart" is a new store and orchestrator on
 * the same file. Only what the README and javadoc promise is asserted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TrialDurableTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private JdbcTaskStore newStore() {
        HikariDataSource pool = pool(dir);
        closing.add(pool);
        return store(pool);
    }

    private TaskOrchestrator open(TaskOrchestrator.Builder builder) {
        TaskOrchestrator orchestrator = builder.build();
        closing.add(orchestrator);
        return orchestrator;
    }

    // ---- the result type given to the builder ---------------------------------------------------------------

    // ---- null, blank, huge arguments ------------------------------------------------------------------------

    @Test
    void wrongArgumentsToTheDurableApiAreRefusedNamingThem() {
        JdbcTaskStore store = newStore();
        TaskOrchestrator orchestrator = open(member(store, "a").handler("greet", String.class, who -> "hello " + who));
        assertThatThrownBy(() -> orchestrator.to(String.class).durable(null, "x")).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("handler");
        assertThatThrownBy(() -> orchestrator.to(String.class).durable("", "x").run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("''").hasMessageContaining("greet");
        assertThatThrownBy(() -> orchestrator.to(String.class).durable("   ", "x").run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("greet");
        assertThatThrownBy(() -> orchestrator.to(String.class).durable("g".repeat(100_000), "x").run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("greet");
        assertThatThrownBy(() -> orchestrator.handler("greet", String.class, who -> "again"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("greet");
        assertThatThrownBy(() -> orchestrator.handler(" ", String.class, who -> "blank"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> orchestrator.handler(null, String.class, who -> "null"))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> orchestrator.storedResult(null, String.class)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("id");
        // nothing was stored or started for any of the refused submissions
        assertThat(orchestrator.roots()).isEmpty();
        assertThat(orchestrator.flushStore()).isTrue();
        assertThat(orchestrator.stored(new TaskQuery(null, null, null, 0, 1000))).isEmpty();
    }

    /** "empty while it runs, or if no durable task has that id": unknown ids, an ordinary task's id, a running one. */
    @Test
    void storedResultIsEmptyForUnknownOrdinaryAndRunningTasks() throws Exception {
        JdbcTaskStore store = newStore();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        TaskOrchestrator orchestrator = open(member(store, "a").handler("wait", String.class, s -> {
            running.countDown();
            finish.await();
            return s;
        }));
        assertThat(orchestrator.storedResult(TaskId.parse("999999-1"), String.class)).isEmpty();
        assertThat(orchestrator.find(TaskId.parse("999999-1"))).isEmpty();
        assertThat(orchestrator.cancel(TaskId.parse("999999-1"))).isFalse();
        SpawningTask<String> ordinary = orchestrator.to(String.class).named("plain").run(() -> "plain");
        assertThat(ordinary.join()).isEqualTo("plain");
        SpawningTask<String> durable = orchestrator.to(String.class).durable("wait", "w").run();
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(orchestrator.flushStore()).isTrue();
        assertThat(orchestrator.storedResult(ordinary.id(), String.class)).as("an ordinary task has no stored result")
                .isEmpty();
        assertThat(orchestrator.storedResult(durable.id(), String.class)).as("running").isEmpty();
        finish.countDown();
        assertThat(durable.join()).isEqualTo("w");
        assertThat(orchestrator.flushStore()).isTrue();
        assertThat(orchestrator.storedResult(durable.id(), String.class).orElseThrow().orElseThrow()).isEqualTo("w");
    }

    @Test
    void hostileQueriesAreRefusedOrAnsweredEmpty() {
        JdbcTaskStore store = newStore();
        TaskOrchestrator orchestrator = open(member(store, "a").handler("greet", String.class, who -> "hello " + who));
        orchestrator.to(String.class).durable("greet", "bob").run().join();
        assertThat(orchestrator.flushStore()).isTrue();
        assertThatThrownBy(() -> new TaskQuery(null, null, null, -1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> new TaskQuery(null, null, null, 0, -5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-5");
        assertThatThrownBy(() -> new TaskQuery(null, null, null, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> orchestrator.stored(null)).isInstanceOf(NullPointerException.class);
        assertThat(orchestrator.stored(new TaskQuery(null, null, null, Integer.MAX_VALUE, 1000))).isEmpty();
        assertThat(orchestrator.stored(new TaskQuery(null, null, Instant.MAX, 0, 10))).isEmpty();
        assertThat(orchestrator.stored(new TaskQuery(null, null, Instant.MIN, 0, 10))).hasSize(1);
        assertThat(orchestrator.stored(new TaskQuery(null, null, Instant.EPOCH, 0, 10))).hasSize(1);
        assertThat(orchestrator.stored(new TaskQuery(null, "x".repeat(100_000), null, 0, 10))).isEmpty();
        assertThat(orchestrator.stored(new TaskQuery(null, "greet'; drop table x; --", null, 0, 10))).isEmpty();
        assertThat(orchestrator.stored(new TaskQuery("completed", "greet", null, 0, 10))).hasSize(1);
    }

    // ---- huge durations ------------------------------------------------------------------------------------

    /**
     * "Durations are honoured however large ... (up to Duration.ofSeconds(Long.MAX_VALUE)) means never", and "a
     * re-run keeps the ... timeout and retry policy it was submitted with": a durable task with the largest timeout
     * and retry delay, handed over by a close, re-runs on the next start under those settings.
     */
    @Test
    void hugeDurationsSurviveTheStoreAndAHandOver() throws Exception {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
        CountDownLatch started = new CountDownLatch(1);
        TaskId id;
        TaskOrchestrator first = member(newStore(), "first").handler("long", String.class, s -> {
            started.countDown();
            new CountDownLatch(1).await(); // until the close interrupts it
            return "never";
        }).build();
        try {
            SpawningTask<String> task = first.to(String.class).timeout(forever)
                    .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(3, forever))).durable("long", "x").run();
            id = task.id();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(task.isDone()).isFalse();
        }
        finally {
            first.close();
        }
        AtomicInteger attempt = new AtomicInteger();
        TaskOrchestrator second = open(member(newStore(), "second").handler("long", String.class, s -> {
            attempt.set(TaskContext.current().orElseThrow().attempt());
            return "done " + s;
        }));
        await().atMost(Duration.ofSeconds(20)).until(() -> second.storedResult(id, String.class).isPresent());
        assertThat(second.storedResult(id, String.class).orElseThrow().orElseThrow()).isEqualTo("done x");
        assertThat(attempt).hasValue(2);
        assertThat(second.shutdown(forever)).as("shutdown with a huge grace and nothing running").isTrue();
    }

    // ---- a handler that throws, hangs, ignores interrupts; retries and timeouts -----------------------------

    @Test
    void retriesOfADurableTaskAreCountedAndItsResultAndAttemptsReadableAfterARestart() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("flaky", String.class, s -> {
            int attempt = TaskContext.current().orElseThrow().attempt();
            attempts.add(attempt);
            if (attempt < 3) {
                throw new IOException("busy " + attempt);
            }
            return s + " on attempt " + attempt;
        }).build()) {
            SpawningTask<String> task = first.to(String.class).timeout(Duration.ofSeconds(30))
                    .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(3, Duration.ofMillis(5))))
                    .durable("flaky", "mail").run();
            assertThat(task.join()).isEqualTo("mail on attempt 3");
            id = task.id();
        }
        assertThat(attempts).containsExactly(1, 2, 3);
        TaskOrchestrator second = open(member(newStore(), "second"));
        assertThat(second.storedResult(id, String.class).orElseThrow().orElseThrow()).isEqualTo("mail on attempt 3");
        TaskInfo info = second.find(id).orElseThrow();
        assertThat(info.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(info.attempts()).isEqualTo(3);
        assertThat(info.name()).isEqualTo("flaky");
    }

    /**
     * A durable handler that ignores its interrupt past its timeout: the task ends TIMED_OUT (a runaway), the
     * store says TIMED_OUT, the body's late return changes nothing, and no later start runs it again.
     */
    @Test
    void aTimedOutRunawayDurableTaskEndsTimedOutForGood() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch letItReturn = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("stubborn", String.class, s -> {
            runs.incrementAndGet();
            started.countDown();
            while (true) { // ignores interrupts
                try {
                    if (letItReturn.await(10, TimeUnit.SECONDS)) {
                        return "late";
                    }
                }
                catch (InterruptedException ignored) {
                    // a stubborn body
                }
            }
        }).build()) {
            SpawningTask<String> task = first.to(String.class).timeout(Duration.ofMillis(200)).durable("stubborn", "x")
                    .run();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            TaskResult<String> result = task.result();
            assertThat(result.isOk()).isFalse();
            assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(task.info().runaway()).isTrue();
            id = task.id();
            assertThat(first.flushStore()).isTrue();
            assertThat(first.storedResult(id, String.class).orElseThrow())
                    .isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                            .isInstanceOf(TaskTimeoutException.class));
            letItReturn.countDown(); // the runaway returns a value
            await().atMost(Duration.ofSeconds(10)).until(() -> first.runawayCount() == 0);
            assertThat(first.flushStore()).isTrue();
        }
        LookCountingStore looks = new LookCountingStore(newStore());
        TaskOrchestrator second = open(member(looks, "second").handler("stubborn", String.class, s -> {
            runs.incrementAndGet();
            return "re-run";
        }));
        assertThat(second.storedResult(id, String.class).orElseThrow().isOk()).isFalse();
        assertThat(second.find(id).orElseThrow().status()).isEqualTo(TaskStatus.TIMED_OUT);
        looks.awaitOrphanLooks(2); // the start looked for orphans at least twice (at its start, at renewals)
        assertThat(runs).as("not run again").hasValue(1);
    }

    /**
     * A handler whose exception's getMessage() itself throws (hostile user code): the task must still end, and
     * its end, and other tasks' ends, reach the store.
     */
    @Test
    void anExceptionWhoseMessageThrowsDoesNotStrandTheTaskOrTheStore() {
        TaskId bad;
        TaskId good;
        try (TaskOrchestrator first = member(newStore(), "first").handler("hostile", String.class, s -> {
            throw new IllegalStateException() {
                @Override
                public String getMessage() {
                    throw new UnsupportedOperationException("getMessage is hostile");
                }
            };
        }).handler("fine", String.class, s -> "fine " + s).build()) {
            SpawningTask<String> hostile = first.to(String.class).durable("hostile", "x").run();
            SpawningTask<String> fine = first.to(String.class).durable("fine", "y").run();
            TaskResult<String> result = hostile.result();
            assertThat(result.isOk()).isFalse();
            assertThat(fine.join()).isEqualTo("fine y");
            bad = hostile.id();
            good = fine.id();
            assertThat(first.flushStore()).isTrue();
        }
        TaskOrchestrator second = open(member(newStore(), "second"));
        assertThat(second.storedResult(good, String.class).orElseThrow().orElseThrow()).isEqualTo("fine y");
        assertThat(second.storedResult(bad, String.class)).as("the hostile task's end is stored")
                .hasValueSatisfying(r -> assertThat(r.isOk()).isFalse());
    }

    /** A failure message far over the store's column: cut, and it does not poison the ends stored beside it. */
    @Test
    void aHugeFailureMessageAndAHugeResultAreStoredBesideOthers() {
        TaskId failed;
        TaskId big;
        TaskId small;
        String huge = "r".repeat(3_000_000);
        try (TaskOrchestrator first = member(newStore(), "first").maxResultSize(Integer.MAX_VALUE)
                .handler("fail", String.class, s -> {
                    throw new IOException("m".repeat(1_000_000));
                }).handler("big", String.class, s -> huge).handler("small", String.class, s -> "small").build()) {
            SpawningTask<String> f = first.to(String.class).durable("fail", "x").run();
            SpawningTask<String> b = first.to(String.class).durable("big", "x").run();
            SpawningTask<String> s = first.to(String.class).durable("small", "x").run();
            f.result();
            b.join();
            s.join();
            failed = f.id();
            big = b.id();
            small = s.id();
            assertThat(first.flushStore()).isTrue();
            assertThat(first.storeStatistics().orElseThrow().failedWrites()).isZero();
        }
        TaskOrchestrator second = open(member(newStore(), "second"));
        assertThat(second.storedResult(small, String.class).orElseThrow().orElseThrow()).isEqualTo("small");
        assertThat(second.storedResult(big, String.class).orElseThrow().orElseThrow()).isEqualTo(huge);
        TaskResult<String> failure = second.storedResult(failed, String.class).orElseThrow();
        assertThat(failure).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                .isInstanceOf(TaskFailedException.class).hasMessageContaining("IOException"));
    }

    /** maxResultSize(0): no result is kept, every completed result reads as Ok(null) (as the README says). */
    @Test
    void maxResultSizeZeroKeepsNoResult() {
        TaskOrchestrator orchestrator = open(member(newStore(), "a").maxResultSize(0)
                .handler("one", String.class, s -> "1"));
        SpawningTask<String> task = orchestrator.to(String.class).durable("one", "x").run();
        assertThat(task.join()).isEqualTo("1");
        assertThat(orchestrator.flushStore()).isTrue();
        assertThat(orchestrator.storedResult(task.id(), String.class)).hasValueSatisfying(r -> {
            assertThat(r.isOk()).isTrue();
            assertThat(r.orElseThrow()).isNull();
        });
        assertThatThrownBy(() -> member(newStore(), "b").maxResultSize(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    // ---- cancel before, while and after a restart -----------------------------------------------------------

    /**
     * A durable task cancelled while it waits for its group's permit (before it runs): it ends CANCELLED, is
     * never run, and a restart does not run it either.
     */
    @Test
    void aDurableTaskCancelledBeforeItRunsNeverRuns() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger queuedRuns = new AtomicInteger();
        TaskId queuedId;
        try (TaskOrchestrator first = member(newStore(), "first")
                .group("one", LimiterConfig.defaults().withLimits(1, 1, 1))
                .handler("hold", String.class, s -> {
                    holding.countDown();
                    release.await();
                    return s;
                }).handler("queued", String.class, s -> {
                    queuedRuns.incrementAndGet();
                    return s;
                }).build()) {
            SpawningTask<String> holder = first.to(String.class).group("one").durable("hold", "h").run();
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> queued = first.to(String.class).group("one").durable("queued", "q").run();
            await().atMost(Duration.ofSeconds(10)).until(() -> queued.status() == TaskStatus.QUEUED);
            assertThat(queued.cancel()).isTrue();
            assertThat(queued.result().isOk()).isFalse();
            assertThat(queued.status()).isEqualTo(TaskStatus.CANCELLED);
            release.countDown();
            assertThat(holder.join()).isEqualTo("h");
            queuedId = queued.id();
            assertThat(first.flushStore()).isTrue();
        }
        LookCountingStore looks = new LookCountingStore(newStore());
        TaskOrchestrator second = open(member(looks, "second").handler("queued", String.class, s -> {
            queuedRuns.incrementAndGet();
            return s;
        }).handler("hold", String.class, s -> s));
        assertThat(second.storedResult(queuedId, String.class)).hasValueSatisfying(r -> assertThat(r)
                .isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                        .isInstanceOf(TaskCancelledException.class)));
        looks.awaitOrphanLooks(2); // the start looked for orphans at least twice (at its start, at renewals)
        assertThat(queuedRuns).hasValue(0);
    }

    /**
     * A durable task re-run after a restart (handed over by a graceful close) is cancelled through the new
     * orchestrator by its id: it ends CANCELLED for good, and a third start does not run it.
     */
    @Test
    void aReRunAfterARestartCanBeCancelledByIdForGood() throws Exception {
        CountDownLatch firstRun = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("job", String.class, s -> {
            firstRun.countDown();
            new CountDownLatch(1).await();
            return "never";
        }).build()) {
            id = first.to(String.class).durable("job", "x").run().id();
            assertThat(firstRun.await(10, TimeUnit.SECONDS)).isTrue();
        }
        CountDownLatch secondRun = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicInteger attempt = new AtomicInteger();
        try (TaskOrchestrator second = member(newStore(), "second").handler("job", String.class, s -> {
            attempt.set(TaskContext.current().orElseThrow().attempt());
            secondRun.countDown();
            try {
                new CountDownLatch(1).await();
            }
            catch (InterruptedException ex) {
                interrupted.set(true);
                throw ex;
            }
            return "never";
        }).build()) {
            assertThat(secondRun.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(attempt).hasValue(2);
            TaskInfo live = second.find(id).orElseThrow();
            assertThat(live.status()).isEqualTo(TaskStatus.RUNNING);
            assertThat(second.cancel(id)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> second.find(id).orElseThrow().status()
                    == TaskStatus.CANCELLED);
            assertThat(interrupted).isTrue();
            assertThat(second.flushStore()).isTrue();
        }
        AtomicInteger thirdRuns = new AtomicInteger();
        LookCountingStore looks = new LookCountingStore(newStore());
        TaskOrchestrator third = open(member(looks, "third").handler("job", String.class, s -> {
            thirdRuns.incrementAndGet();
            return "third";
        }));
        assertThat(third.storedResult(id, String.class)).hasValueSatisfying(r -> assertThat(r)
                .isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                        .isInstanceOf(TaskCancelledException.class)));
        assertThat(third.find(id).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
        looks.awaitOrphanLooks(2); // the start looked for orphans at least twice (at its start, at renewals)
        assertThat(thirdRuns).hasValue(0);
    }

    // ---- shutdown(Duration) with durable tasks running ------------------------------------------------------

    /**
     * shutdown(grace): a durable task that ends within the grace completes and is stored; one that does not is
     * cancelled by the shutdown and handed over (the next start runs it, attempt 2, same id); a durable
     * submission after the shutdown began is rejected and never stored, so no later start runs it.
     */
    @Test
    void shutdownWithDurableTasksRunning() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        CountDownLatch quickMayEnd = new CountDownLatch(1);
        AtomicInteger lateRuns = new AtomicInteger();
        TaskId quickId;
        TaskId slowId;
        TaskId lateId;
        TaskOrchestrator first = member(newStore(), "first").handler("quick", String.class, s -> {
            bothRunning.countDown();
            quickMayEnd.await();
            return "quick";
        }).handler("slow", String.class, s -> {
            bothRunning.countDown();
            new CountDownLatch(1).await();
            return "never";
        }).handler("late", String.class, s -> {
            lateRuns.incrementAndGet();
            return "late";
        }).build();
        try {
            SpawningTask<String> quick = first.to(String.class).durable("quick", "q").run();
            SpawningTask<String> slow = first.to(String.class).durable("slow", "s").run();
            quickId = quick.id();
            slowId = slow.id();
            assertThat(bothRunning.await(10, TimeUnit.SECONDS)).isTrue();
            Thread shutter = Thread.ofPlatform().start(() -> first.shutdown(Duration.ofSeconds(1)));
            await().atMost(Duration.ofSeconds(10)).until(() -> !first.isAccepting());
            quickMayEnd.countDown();
            SpawningTask<String> rejected = first.to(String.class).durable("late", "l").run();
            assertThat(rejected.result()).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .isInstanceOf(io.sweetasync.TaskRejectedException.class).hasMessageContaining("shutting down"));
            shutter.join(10_000);
            assertThat(quick.join()).isEqualTo("quick");
            assertThat(slow.result().isOk()).isFalse();
        }
        finally {
            first.close();
        }
        AtomicInteger slowAttempt = new AtomicInteger();
        LookCountingStore looks = new LookCountingStore(newStore());
        TaskOrchestrator second = open(member(looks, "second").handler("slow", String.class, s -> {
            slowAttempt.set(TaskContext.current().orElseThrow().attempt());
            return "slow done";
        }).handler("quick", String.class, s -> "quick again").handler("late", String.class, s -> {
            lateRuns.incrementAndGet();
            return "late";
        }));
        assertThat(second.storedResult(quickId, String.class).orElseThrow().orElseThrow()).isEqualTo("quick");
        await().atMost(Duration.ofSeconds(20)).until(() -> second.storedResult(slowId, String.class).isPresent());
        assertThat(second.storedResult(slowId, String.class).orElseThrow().orElseThrow()).isEqualTo("slow done");
        assertThat(slowAttempt).hasValue(2);
        looks.awaitOrphanLooks(2); // the start looked for orphans at least twice (at its start, at renewals)
        assertThat(lateRuns).as("a durable task rejected by the shutdown never runs").hasValue(0);
    }

    // ---- the DataSource closed under a running orchestrator -------------------------------------------------

    /**
     * The pool closed under a running orchestrator (a misordered application shutdown): tasks run on; a durable
     * submission fails at run() saying it was not stored; close() stays bounded; the durable task that was
     * running and whose end could not be written stays pending and runs again on the next start ("a durable
     * task among them stays pending and runs again").
     */
    @Test
    void theStoresPoolClosedUnderARunningOrchestrator() throws Exception {
        HikariDataSource pool = pool(dir);
        JdbcTaskStore store = store(pool);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        TaskId id;
        TaskOrchestrator first = member(store, "first").handler("job", String.class, s -> {
            attempts.add(TaskContext.current().orElseThrow().attempt());
            running.countDown();
            finish.await();
            return "first";
        }).build();
        try {
            SpawningTask<String> task = first.to(String.class).durable("job", "x").run();
            id = task.id();
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            pool.close();
            assertThat(first.to(String.class).run(() -> "ordinary").join()).isEqualTo("ordinary");
            assertThatThrownBy(() -> first.to(String.class).durable("job", "y").run())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not started");
            finish.countDown();
            assertThat(task.join()).isEqualTo("first");
            assertThat(first.flushStore()).isFalse();
        }
        finally {
            long start = System.nanoTime();
            first.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        }
        TaskOrchestrator second = open(member(newStore(), "second").handler("job", String.class, s -> {
            attempts.add(TaskContext.current().orElseThrow().attempt());
            return "second";
        }));
        await().atMost(Duration.ofSeconds(20)).until(() -> second.storedResult(id, String.class).isPresent());
        assertThat(second.storedResult(id, String.class).orElseThrow().orElseThrow()).isEqualTo("second");
        assertThat(attempts).containsExactly(1, 2);
    }


    /**
     * cancel() of a durable task whose body ignores the interrupt: true, the task ends CANCELLED once the body
     * returns (whatever it returns), the store says CANCELLED, and the next start does not run it again.
     */
    @Test
    void aDurableTaskCancelledWhileItsBodyIgnoresTheInterruptIsCancelledForGood() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch letItReturn = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("stubborn", String.class, s -> {
            runs.incrementAndGet();
            started.countDown();
            while (true) {
                try {
                    if (letItReturn.await(10, TimeUnit.SECONDS)) {
                        return "returned anyway";
                    }
                }
                catch (InterruptedException ignored) {
                    // ignores it
                }
            }
        }).build()) {
            SpawningTask<String> task = first.to(String.class).durable("stubborn", "x").run();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(task.cancel()).isTrue();
            assertThat(task.isDone()).isTrue();
            letItReturn.countDown();
            assertThat(task.result().isOk()).isFalse();
            assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
            id = task.id();
            assertThat(first.flushStore()).isTrue();
        }
        LookCountingStore looks = new LookCountingStore(newStore());
        TaskOrchestrator second = open(member(looks, "second").handler("stubborn", String.class, s -> {
            runs.incrementAndGet();
            return "again";
        }));
        assertThat(second.storedResult(id, String.class)).hasValueSatisfying(r -> assertThat(r)
                .isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                        .isInstanceOf(TaskCancelledException.class)));
        assertThat(second.find(id).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
        looks.awaitOrphanLooks(2); // the start looked for orphans at least twice (at its start, at renewals)
        assertThat(runs).hasValue(1);
    }

    @Test
    void hugeOrInvalidStoreSettingsAreRefusedNamingThem() {
        JdbcTaskStore store = newStore();
        assertThatThrownBy(() -> member(store, "a").storeLease(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeLease");
        assertThatThrownBy(() -> member(store, "a").storeLease(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> member(store, "a").storeFlushInterval(Duration.ofDays(365)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> member(store, "a").storeFlushInterval(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> member(store, "a").storeMaxPending(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaskId.parse("not-an-id")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not-an-id");
        assertThatThrownBy(() -> TaskId.parse(null)).isInstanceOf(NullPointerException.class);
        // the orchestrator still builds after the refused settings
        try (TaskOrchestrator orchestrator = member(store, "a").build()) {
            assertThat(orchestrator.storeStatistics()).isPresent();
        }
    }

    /** A handler throwing an Error (not an Exception): the task ends FAILED and its end reaches the store. */
    @Test
    void aHandlerThrowingAnErrorEndsFailedInTheStore() {
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("error", String.class, s -> {
            throw new AssertionError("handler error " + s);
        }).build()) {
            SpawningTask<String> task = first.to(String.class).durable("error", "e").run();
            assertThat(task.result().isOk()).isFalse();
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            id = task.id();
            assertThat(first.flushStore()).isTrue();
        }
        TaskOrchestrator second = open(member(newStore(), "second"));
        TaskInfo info = second.find(id).orElseThrow();
        assertThat(info.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(info.failure().type()).isEqualTo("AssertionError");
        assertThat(second.storedResult(id, String.class)).hasValueSatisfying(r -> assertThat(r)
                .isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                        .isInstanceOf(TaskFailedException.class).hasMessageContaining("handler error e")));
    }


    /**
     * A durable task rejected by its group (queue full) or timed out while it waits for a permit: it never runs,
     * its end is stored, and the next start does not run it.
     */
    @Test
    void aDurableTaskRejectedOrTimedOutBeforeItRunsIsNotRunLater() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger otherRuns = new AtomicInteger();
        TaskId rejectedId;
        TaskId timedOutId;
        try (TaskOrchestrator first = member(newStore(), "first")
                .group("none-waits", LimiterConfig.defaults().withLimits(1, 1, 1).withQueueCapacity(0))
                .group("one", LimiterConfig.defaults().withLimits(1, 1, 1))
                .handler("hold", String.class, s -> {
                    holding.countDown();
                    release.await();
                    return s;
                }).handler("other", String.class, s -> {
                    otherRuns.incrementAndGet();
                    return s;
                }).build()) {
            SpawningTask<String> holder1 = first.to(String.class).group("none-waits").durable("hold", "h1").run();
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> rejected = first.to(String.class).group("none-waits").durable("other", "r").run();
            TaskResult<String> rejectedResult = rejected.result();
            assertThat(rejectedResult).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .isInstanceOf(io.sweetasync.TaskRejectedException.class).hasMessageContaining("none-waits"));
            SpawningTask<String> holder2 = first.to(String.class).group("one").durable("hold", "h2").run();
            await().atMost(Duration.ofSeconds(10)).until(() -> holder2.status() == TaskStatus.RUNNING);
            SpawningTask<String> timedOut = first.to(String.class).group("one").timeout(Duration.ofMillis(100))
                    .durable("other", "t").run();
            assertThat(timedOut.result().isOk()).isFalse();
            assertThat(timedOut.status()).isEqualTo(TaskStatus.TIMED_OUT);
            release.countDown();
            holder1.join();
            holder2.join();
            rejectedId = rejected.id();
            timedOutId = timedOut.id();
            assertThat(first.flushStore()).isTrue();
        }
        LookCountingStore looks = new LookCountingStore(newStore());
        TaskOrchestrator second = open(member(looks, "second").handler("other", String.class, s -> {
            otherRuns.incrementAndGet();
            return s;
        }).handler("hold", String.class, s -> s));
        assertThat(second.storedResult(rejectedId, String.class)).hasValueSatisfying(r -> assertThat(r.isOk()).isFalse());
        assertThat(second.storedResult(timedOutId, String.class)).hasValueSatisfying(r -> assertThat(r)
                .isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                        .isInstanceOf(TaskTimeoutException.class)));
        looks.awaitOrphanLooks(2); // the start looked for orphans at least twice (at its start, at renewals)
        assertThat(otherRuns).hasValue(0);
    }

    /**
     * A durable task waiting out a huge retry delay when its member closes: handed over, the next start runs the
     * retry (attempt 2), which fails too, and the policy's one retry is used up: it ends FAILED there, for good.
     */
    @Test
    void aDurableTaskWaitingForAHugeRetryDelayIsHandedOverAndEnds() throws Exception {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        CountDownLatch failedOnce = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("down", String.class, s -> {
            attempts.add(TaskContext.current().orElseThrow().attempt());
            failedOnce.countDown();
            throw new IOException("server down");
        }).build()) {
            SpawningTask<String> task = first.to(String.class)
                    .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(1, forever))).durable("down", "x").run();
            id = task.id();
            assertThat(failedOnce.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(task.isDone()).isFalse();
        }
        TaskOrchestrator second = open(member(newStore(), "second").handler("down", String.class, s -> {
            attempts.add(TaskContext.current().orElseThrow().attempt());
            throw new IOException("still down");
        }));
        await().atMost(Duration.ofSeconds(20)).until(() -> second.storedResult(id, String.class).isPresent());
        assertThat(second.storedResult(id, String.class).orElseThrow().isOk()).isFalse();
        assertThat(attempts).containsExactly(1, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> second.find(id).orElseThrow().status() == TaskStatus.FAILED);
    }

    /** storedResult on an orchestrator built without a codec: an error saying what is missing. */
    @Test
    void storedResultWithoutACodecSaysSo() {
        TaskId id;
        try (TaskOrchestrator first = open(member(newStore(), "first").handler("one", String.class, s -> "1"))) {
            SpawningTask<String> task = first.to(String.class).durable("one", "x").run();
            task.join();
            id = task.id();
            assertThat(first.flushStore()).isTrue();
        }
        TaskOrchestrator noCodec = open(TaskOrchestrator.builder().store(newStore()).member("plain"));
        assertThatThrownBy(() -> noCodec.storedResult(id, String.class)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("codec");
        assertThat(noCodec.find(id).map(TaskInfo::status)).hasValue(TaskStatus.COMPLETED);
    }

    /** A 5 MB argument is stored, read back by a re-run after a hand-over, and passed whole to the handler. */
    @Test
    void aHugeArgumentSurvivesAHandOver() throws Exception {
        String huge = "a".repeat(5_000_000);
        CountDownLatch started = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("len", String.class, s -> {
            started.countDown();
            new CountDownLatch(1).await();
            return -1;
        }).build()) {
            id = first.to(Integer.class).durable("len", huge).run().id();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        }
        TaskOrchestrator second = open(member(newStore(), "second").handler("len", String.class, String::length));
        await().atMost(Duration.ofSeconds(20)).until(() -> second.storedResult(id, Integer.class).isPresent());
        assertThat(second.storedResult(id, Integer.class).orElseThrow().orElseThrow()).isEqualTo(5_000_000);
    }

    /**
     * A deploy changed a handler's argument type: the stored argument of a handed-over invocation cannot be
     * decoded as the new type. The re-run must end (FAILED, saying why), not be claimed again and again.
     */
    @Test
    void aStoredArgumentTheNewHandlerCannotDecodeEndsTheTask() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("job", String.class, s -> {
            started.countDown();
            new CountDownLatch(1).await();
            return "never";
        }).build()) {
            id = first.to(String.class).durable("job", "not a number").run().id();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        }
        AtomicInteger runs = new AtomicInteger();
        TaskOrchestrator second = open(member(newStore(), "second").handler("job", Integer.class, n -> {
            runs.incrementAndGet();
            return "number " + n;
        }));
        await().atMost(Duration.ofSeconds(20)).until(() -> second.storedResult(id, String.class).isPresent());
        TaskResult<String> result = second.storedResult(id, String.class).orElseThrow();
        assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                .isInstanceOf(TaskFailedException.class).hasMessageContaining("Integer"));
        assertThat(runs).hasValue(0);
        TaskInfo info = second.find(id).orElseThrow();
        assertThat(info.status()).isEqualTo(TaskStatus.FAILED);
    }

    /** Many durable submissions from many threads at once: unique ids, all run once, all results stored. */
    @Test
    void concurrentDurableSubmissionsAllRunOnceAndAreStored() throws Exception {
        int threads = 8;
        int each = 25;
        AtomicInteger runs = new AtomicInteger();
        List<SpawningTask<Integer>> tasks = new CopyOnWriteArrayList<>();
        TaskOrchestrator orchestrator = open(member(newStore(), "a").handler("square", Integer.class, n -> {
            runs.incrementAndGet();
            return n * n;
        }));
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> submitters = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * each;
            submitters.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                }
                catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
                for (int i = 0; i < each; i++) {
                    tasks.add(orchestrator.to(Integer.class).durable("square", base + i).run());
                }
            }));
        }
        go.countDown();
        for (Thread submitter : submitters) {
            submitter.join(20_000);
        }
        assertThat(tasks).hasSize(threads * each);
        assertThat(tasks.stream().map(SpawningTask::id).distinct()).hasSize(threads * each);
        long sum = 0;
        for (SpawningTask<Integer> task : tasks) {
            sum += task.join();
        }
        long expected = 0;
        for (int n = 0; n < threads * each; n++) {
            expected += (long) n * n;
        }
        assertThat(sum).isEqualTo(expected);
        assertThat(runs).hasValue(threads * each);
        assertThat(orchestrator.flushStore()).isTrue();
        for (SpawningTask<Integer> task : tasks) {
            assertThat(orchestrator.storedResult(task.id(), Integer.class)).isPresent();
        }
        assertThat(orchestrator.stored(new TaskQuery("COMPLETED", "square", null, 0, 1000))).hasSize(threads * each);
    }

    /**
     * A durable task with a fallback that fails for good: its handle yields the fallback's value, its status says
     * FAILED; the stored result reads as the failure (the fallback, a lambda, is not stored: a re-run has none).
     */
    @Test
    void aFailedDurableTaskWithAFallback() {
        TaskOrchestrator orchestrator = open(member(newStore(), "a").handler("boom", String.class, s -> {
            throw new IOException("boom " + s);
        }));
        SpawningTask<String> task = orchestrator.to(String.class).fallback(error -> "fallback").durable("boom", "x").run();
        TaskResult<String> live = task.result();
        assertThat(orchestrator.flushStore()).isTrue();
        TaskResult<String> stored = orchestrator.storedResult(task.id(), String.class).orElseThrow();
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(live.orElseThrow()).isEqualTo("fallback");
        assertThat(stored).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                .isInstanceOf(TaskFailedException.class).hasMessageContaining("boom x"));
    }


    record Statement(String customer, java.math.BigDecimal amount, long big, Instant at, Duration term,
            java.util.Map<String, List<Integer>> lines, TaskStatus status, java.util.Optional<String> note) {
    }

    /** What the handler returned is what storedResult gives after a restart: JSON types at their edges. */
    @Test
    void aStoredResultReadsBackAsTheHandlerReturnedIt() {
        Statement statement = new Statement("Zoë \u0000 \uD83D\uDE00 \"quoted\"", new java.math.BigDecimal("12345678901234567890.000001"),
                Long.MAX_VALUE, Instant.parse("2026-12-05T17:00:00.123456789Z"), Duration.ofDays(40).plusNanos(1),
                java.util.Map.of("a", List.of(1, 2, 3)), TaskStatus.TIMED_OUT, java.util.Optional.of("n"));
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("statement", String.class, s -> statement)
                .build()) {
            SpawningTask<Statement> task = first.to(Statement.class).durable("statement", "x").run();
            assertThat(task.join()).isEqualTo(statement);
            id = task.id();
            assertThat(first.flushStore()).isTrue();
        }
        TaskOrchestrator second = open(member(newStore(), "second"));
        assertThat(second.storedResult(id, Statement.class).orElseThrow().orElseThrow()).isEqualTo(statement);
    }

    /** The orchestrator's read side after its own close, and shutdown's argument checks. */
    @Test
    void readsAfterCloseAndShutdownArguments() {
        TaskOrchestrator orchestrator = member(newStore(), "a").handler("one", String.class, s -> "1").build();
        SpawningTask<String> task = orchestrator.to(String.class).durable("one", "x").run();
        assertThat(task.join()).isEqualTo("1");
        assertThatThrownBy(() -> orchestrator.shutdown(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> orchestrator.shutdown(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        orchestrator.close();
        orchestrator.flushStore(); // answers, does not throw
        assertThat(orchestrator.storedResult(task.id(), String.class).orElseThrow().orElseThrow()).isEqualTo("1");
        assertThat(orchestrator.find(task.id()).map(TaskInfo::status)).hasValue(TaskStatus.COMPLETED);
        TaskOrchestrator second = open(member(newStore(), "second"));
        assertThat(second.storedResult(task.id(), String.class).orElseThrow().orElseThrow()).isEqualTo("1");
    }


    /**
     * Handlers interrupted mid-way (cancelled) while the store writes: many durable tasks cancelled at once on a
     * file-based H2; the store stays usable and every cancellation is stored.
     */
    @Test
    void manyDurableTasksCancelledAtOnceLeaveTheStoreUsable() throws Exception {
        int count = 40;
        CountDownLatch started = new CountDownLatch(count);
        TaskOrchestrator orchestrator = open(member(newStore(), "a").handler("wait", Integer.class, n -> {
            started.countDown();
            new CountDownLatch(1).await();
            return n;
        }).handler("one", String.class, s -> "one " + s));
        List<SpawningTask<Integer>> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            tasks.add(orchestrator.to(Integer.class).durable("wait", i).run());
        }
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        for (SpawningTask<Integer> task : tasks) {
            assertThat(task.cancel()).isTrue();
        }
        for (SpawningTask<Integer> task : tasks) {
            assertThat(task.result().isOk()).isFalse();
        }
        assertThat(orchestrator.flushStore()).isTrue();
        for (SpawningTask<Integer> task : tasks) {
            assertThat(orchestrator.storedResult(task.id(), Integer.class)).hasValueSatisfying(r -> assertThat(r)
                    .isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                            .isInstanceOf(TaskCancelledException.class)));
        }
        assertThat(orchestrator.to(String.class).durable("one", "z").run().join()).isEqualTo("one z");
        assertThat(orchestrator.storeStatistics().orElseThrow().failedWrites()).isZero();
    }

    /** A handler returning null: Ok(null) live and after a restart. */
    @Test
    void aNullResultIsStoredAsOkNull() {
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("nothing", String.class, s -> null).build()) {
            SpawningTask<String> task = first.to(String.class).durable("nothing", "x").run();
            assertThat(task.join()).isNull();
            id = task.id();
            assertThat(first.flushStore()).isTrue();
        }
        TaskOrchestrator second = open(member(newStore(), "second"));
        assertThat(second.storedResult(id, String.class)).hasValueSatisfying(r -> {
            assertThat(r.isOk()).isTrue();
            assertThat(r.orElseThrow()).isNull();
        });
    }

    /** storedResult called on an interrupted thread (a poller being stopped): answered, and the store stays usable. */
    @Test
    void aStoredResultReadFromAnInterruptedThreadLeavesTheStoreUsable() {
        TaskOrchestrator orchestrator = open(member(newStore(), "a").handler("one", String.class, s -> "one " + s));
        SpawningTask<String> done = orchestrator.to(String.class).durable("one", "x").run();
        assertThat(done.join()).isEqualTo("one x");
        assertThat(orchestrator.flushStore()).isTrue();
        Thread.currentThread().interrupt();
        try {
            assertThat(orchestrator.storedResult(done.id(), String.class).orElseThrow().orElseThrow()).isEqualTo("one x");
        }
        finally {
            Thread.interrupted();
        }
        assertThat(orchestrator.storedResult(done.id(), String.class).orElseThrow().orElseThrow()).isEqualTo("one x");
        assertThat(orchestrator.to(String.class).durable("one", "y").run().join()).isEqualTo("one y");
    }

    /**
     * The documented order (close the orchestrator, then its pool) with a durable task running: the close hands the
     * run over, so the next start runs it at once and counts no lost run.
     */
    @Test
    void aCloseThenThePoolsCloseHandsTheRunOver() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        TaskId id;
        HikariDataSource firstPool = pool(dir);
        TaskOrchestrator first = member(store(firstPool), "first").handler("job", String.class, s -> {
            started.countDown();
            new CountDownLatch(1).await();
            return "never";
        }).build();
        try {
            id = first.to(String.class).durable("job", "x").run().id();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        }
        finally {
            first.close();
            firstPool.close();
        }
        HikariDataSource pool = pool(dir);
        closing.add(pool);
        TaskOrchestrator second = open(member(store(pool), "second").handler("job", String.class, s -> "done"));
        await().atMost(Duration.ofSeconds(20)).until(() -> second.storedResult(id, String.class).isPresent());
        try (java.sql.Connection connection = pool.getConnection();
                java.sql.PreparedStatement read = connection.prepareStatement(
                        "SELECT lost_runs FROM sweet_async_durable WHERE id = ?")) {
            read.setLong(1, id.value());
            try (java.sql.ResultSet row = read.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getInt(1)).as("runs counted as lost").isZero();
            }
        }
    }

    /**
     * "A re-run keeps the name, tags, priority, group, runtime, timeout and retry policy it was submitted with":
     * the runtime and priority, read in the re-run's own context and in its stored record.
     */
    @Test
    void aReRunKeepsItsRuntimeAndPriority() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").runtime(io.sweetasync.TaskRuntime.platform("reports", 2))
                .handler("report", String.class, s -> {
                    started.countDown();
                    new CountDownLatch(1).await();
                    return "never";
                }).build()) {
            id = first.to(String.class).runtime("reports").priority(io.sweetasync.TaskPriority.HIGH)
                    .durable("report", "x").run().id();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        }
        List<String> seen = new CopyOnWriteArrayList<>();
        TaskOrchestrator second = open(member(newStore(), "second").runtime(io.sweetasync.TaskRuntime.platform("reports", 2))
                .handler("report", String.class, s -> {
                    seen.add(TaskContext.current().orElseThrow().runtime().name() + " " + Thread.currentThread().isVirtual());
                    return "done";
                }));
        await().atMost(Duration.ofSeconds(20)).until(() -> second.storedResult(id, String.class).isPresent());
        assertThat(seen).containsExactly("reports false");
        await().atMost(Duration.ofSeconds(10)).until(() -> second.find(id).orElseThrow().status() == TaskStatus.COMPLETED);
        TaskInfo info = second.find(id).orElseThrow();
        assertThat(info.runtime()).isEqualTo("reports");
        assertThat(info.priority()).isEqualTo(io.sweetasync.TaskPriority.HIGH);
    }

    /** Without a store: storedResult "@throws IllegalStateException", stored(...) is empty, durable run() refused. */
    @Test
    void withoutAStoreTheDurableApiSaysSo() {
        try (TaskOrchestrator plain = TaskOrchestrator.builder().build()) {
            assertThatThrownBy(() -> plain.storedResult(TaskId.parse("1-1"), String.class))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("store");
            assertThat(plain.stored(new TaskQuery(null, null, null, 0, 10))).isEmpty();
            assertThat(plain.storeStatistics()).isEmpty();
        }
    }

    /**
     * A durable handler that uses its own orchestrator: flushStore() and storedResult of itself (empty: it runs),
     * then shutdown(grace), which "waits for everything but that task's tree": the task completes, its result is
     * stored, and no later start runs it again.
     */
    @Test
    void aDurableHandlerThatShutsItsOwnOrchestratorDownCompletesOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        TaskOrchestrator[] self = new TaskOrchestrator[1];
        List<String> seen = new CopyOnWriteArrayList<>();
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("last", String.class, s -> {
            runs.incrementAndGet();
            TaskOrchestrator orchestrator = self[0];
            seen.add("flushed " + orchestrator.flushStore());
            seen.add("own result " + orchestrator.storedResult(TaskContext.current().orElseThrow().id(), String.class));
            seen.add("shutdown " + orchestrator.shutdown(Duration.ofSeconds(5)));
            return "last " + s;
        }).build()) {
            self[0] = first;
            SpawningTask<String> task = first.to(String.class).durable("last", "x").run();
            assertThat(task.join()).isEqualTo("last x");
            id = task.id();
            assertThat(first.flushStore()).isTrue();
        }
        assertThat(seen).containsExactly("flushed true", "own result Optional.empty", "shutdown true");
        LookCountingStore looks = new LookCountingStore(newStore());
        TaskOrchestrator second = open(member(looks, "second").handler("last", String.class, s -> {
            runs.incrementAndGet();
            return "again";
        }));
        assertThat(second.storedResult(id, String.class).orElseThrow().orElseThrow()).isEqualTo("last x");
        looks.awaitOrphanLooks(2);
        assertThat(runs).hasValue(1);
    }

    /**
     * Retry and timeout together: "the deadline for the whole task ... through all attempts and back-off delays".
     * The timeout passes during a long back-off: the task ends TIMED_OUT there, is stored so, and is not run again.
     */
    @Test
    void aTimeoutDuringARetryBackOffEndsTheDurableTaskForGood() {
        AtomicInteger runs = new AtomicInteger();
        TaskId id;
        try (TaskOrchestrator first = member(newStore(), "first").handler("flaky", String.class, s -> {
            runs.incrementAndGet();
            throw new IOException("busy");
        }).build()) {
            SpawningTask<String> task = first.to(String.class).timeout(Duration.ofMillis(300))
                    .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(5, Duration.ofHours(1))))
                    .durable("flaky", "x").run();
            assertThat(task.result().isOk()).isFalse();
            assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
            id = task.id();
            assertThat(first.flushStore()).isTrue();
        }
        assertThat(runs).hasValue(1);
        LookCountingStore looks = new LookCountingStore(newStore());
        TaskOrchestrator second = open(member(looks, "second").handler("flaky", String.class, s -> {
            runs.incrementAndGet();
            return "ran again";
        }));
        assertThat(second.storedResult(id, String.class)).hasValueSatisfying(r -> assertThat(r)
                .isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                        .isInstanceOf(TaskTimeoutException.class).hasMessageContaining("PT0.3S")));
        looks.awaitOrphanLooks(2);
        assertThat(runs).hasValue(1);
    }
}
