package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.RejectionReason;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * README sentences checked as a new user would check them: the calls as the README shows them, and the wrong
 * input a user plausibly gives.
 */
@Timeout(60)
class ReadmeClaimsTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // "its messages say which task failed, where in the tree, after how many attempts and why:
    // task import-users#42 (in nightly-sync#41) failed after 3 attempts: IOException: connection reset"
    @Test
    void failureMessageNamesTaskTreeAttemptsAndCause() {
        Throwable thrown = catchThrowable(() -> orchestrator.to(String.class).named("nightly-sync").await(() -> {
            SpawningTask<String> child = orchestrator.to(String.class).named("import-users")
                    .retry(RetryPolicy.fixed(2, Duration.ofMillis(1)).retryOn(IOException.class))
                    .run(() -> {
                        throw new IOException("connection reset");
                    });
            return child.join();
        }));
        assertThat(thrown).isInstanceOf(TaskFailedException.class);
        // the parent fails with the child's failure; the child's own message is the cause chain's
        Throwable childFailure = thrown.getCause();
        assertThat(childFailure).isInstanceOf(TaskFailedException.class);
        assertThat(childFailure.getMessage()).matches(
                "task import-users#\\S+ \\(in nightly-sync#\\S+\\) failed after 3 attempts: IOException: connection reset");
    }

    // "Cancelled or timed-out tasks are never retried."
    @Test
    void timedOutTaskIsNotRetried() {
        // the deadline runs from submission: on a loaded machine it can pass before the first attempt's body
        // has started (no attempt at all proves nothing), so a run whose body never started is run again with
        // a deadline twice as long
        AtomicInteger attempts = new AtomicInteger();
        for (Duration timeout = Duration.ofMillis(100); attempts.get() == 0 && timeout.toSeconds() < 30;
                timeout = timeout.multipliedBy(2)) {
            SpawningTask<String> task = orchestrator.to(String.class)
                    .timeout(timeout)
                    .retry(RetryPolicy.fixed(3, Duration.ofMillis(1)))
                    .run(() -> {
                        attempts.incrementAndGet();
                        Thread.sleep(10_000);
                        return "late";
                    });
            assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class);
            assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
        assertThat(attempts).hasValue(1);
    }

    // "cancel() returns true exactly when the task ends CANCELLED ... isDone() and isCancelled() are true and
    // get() throws CancellationException as soon as cancel() has returned true"
    @Test
    void cancelIsVisibleAtOnceAndTerminalAfterTheBodyReturns() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            started.countDown();
            while (true) {
                try {
                    release.await();
                    return "done";
                } catch (InterruptedException ignored) {
                    // a body that ignores its interrupt
                }
            }
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(task.cancel()).isTrue();
        assertThat(task.isDone()).isTrue();
        assertThat(task.isCancelled()).isTrue();
        assertThatThrownBy(task::get).isInstanceOf(CancellationException.class);
        // "(join() and result() wait for that; status() says RUNNING until then)": status() does not wait
        // (the body waits for release, so a status() that waited for it would never return)
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(30), task::status)).isEqualTo(TaskStatus.RUNNING);
        CompletableFuture<TaskResult<String>> result = CompletableFuture.supplyAsync(task::result);
        Thread.sleep(100);
        assertThat(result).as("result() waits for the body").isNotDone();
        release.countDown();
        assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(result.get(5, TimeUnit.SECONDS).isOk()).isFalse();
        assertThat(task.cancel()).isTrue();
    }

    // "Future.get() throws ExecutionException whose cause is the AsyncTaskException" (SPEC 1.3)
    @Test
    void getWrapsTheAsyncTaskException() {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            throw new IOException("boom");
        });
        Throwable thrown = catchThrowable(task::get);
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(TaskFailedException.class);
        assertThat(thrown.getCause().getCause()).isInstanceOf(IOException.class).hasMessage("boom");
    }

    // "if the interrupted body has not returned 100 ms after the deadline, the task and its unfinished subtree
    // end at once (TIMED_OUT, children CANCELLED) and every waiter is released with TaskTimeoutException (or the
    // fallback's value). Such a body is a runaway: info().runaway() is true, orchestrator.runaways() lists it"
    @Test
    void runawayReleasesItsWaitersAndIsListed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean started = new AtomicBoolean();
        // the deadline runs from submission: on a loaded machine it can pass before the body has started, and a
        // body that never started is no runaway; such a task is run again with a deadline twice as long
        SpawningTask<String> task = null;
        for (Duration timeout = Duration.ofMillis(200); !started.get() && timeout.toSeconds() < 30;
                timeout = timeout.multipliedBy(2)) {
            task = orchestrator.to(String.class).named("stubborn")
                    .timeout(timeout)
                    .fallback(error -> "fallback: " + error.getClass().getSimpleName())
                    .run(() -> {
                        started.set(true);
                        while (release.getCount() > 0) {
                            try {
                                release.await();
                            } catch (InterruptedException ignored) {
                                // ignored
                            }
                        }
                        return "late";
                    });
            // (the body returns only once released below: join() returning at all is the release)
            assertThat(task.join()).isEqualTo("fallback: TaskTimeoutException");
        }
        assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(task.info().runaway()).isTrue();
        assertThat(orchestrator.runaways()).extracting(TaskInfo::id).contains(task.id());
        release.countDown();
    }

    // "Durations are honoured however large: a timeout, retry delay or group maxWait of 100 years or more (up to
    // Duration.ofSeconds(Long.MAX_VALUE)) means "never"."
    @Test
    void hugeDurationsMeanNever() throws Exception {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
        assertThat(orchestrator.to(String.class).timeout(forever).await(() -> "ok")).isEqualTo("ok");
        assertThat(orchestrator.to(String.class).timeout(Duration.ofDays(365L * 100)).await(() -> "ok"))
                .isEqualTo("ok");

        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<String> retried = orchestrator.to(String.class)
                .retry(RetryPolicy.fixed(1, forever))
                .run(() -> {
                    attempts.incrementAndGet();
                    throw new IOException("again");
                });
        Thread.sleep(200);
        assertThat(retried.status().isTerminal()).isFalse();
        assertThat(attempts).hasValue(1);
        assertThat(retried.cancel()).isTrue();

        RetryPolicy exponential = RetryPolicy.exponential(3, forever, forever).withJitter(0.5);
        assertThat(exponential.nextDelay(3, new IOException())).isPresent();

        try (TaskOrchestrator grouped = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                        .withMaxWait(forever))
                .build()) {
            CountDownLatch hold = new CountDownLatch(1);
            SpawningTask<String> holder = grouped.to(String.class).group("g").run(() -> {
                hold.await();
                return "held";
            });
            SpawningTask<String> waiter = grouped.to(String.class).group("g").run(() -> "waited");
            Thread.sleep(200);
            assertThat(waiter.status()).as("still waiting for the permit").isEqualTo(TaskStatus.QUEUED);
            hold.countDown();
            assertThat(holder.join()).isEqualTo("held");
            assertThat(waiter.join()).isEqualTo("waited");
        }
    }

    // SPEC 1.5: "Any Duration a user passes ... is either rejected at configuration with a message naming it or
    // honoured"
    @Test
    void badTimeoutsAreRefusedNamingThem() {
        SpawningTaskBuilder<String> builder = orchestrator.to(String.class);
        assertThat(catchThrowable(() -> builder.timeout(Duration.ofSeconds(-1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout")
                .hasMessageContaining("-1");
        Throwable zero = catchThrowable(() -> builder.timeout(Duration.ZERO).await(() -> "x"));
        assertThat(zero).as("a zero timeout: refused or timing out at once").isNotNull();
        assertThat(zero.getMessage()).contains("timeout");
        assertThat(catchThrowable(() -> builder.timeout(null))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
    }

    @Test
    void badRetryPoliciesAreRefusedNamingTheValue() {
        assertThat(catchThrowable(() -> RetryPolicy.fixed(-1, Duration.ofMillis(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThat(catchThrowable(() -> RetryPolicy.fixed(1, Duration.ofMillis(-5))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
        assertThat(catchThrowable(() -> RetryPolicy.fixed(1, null)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("delay");
        assertThat(catchThrowable(() -> RetryPolicy.exponential(1, Duration.ofSeconds(2), Duration.ofSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT2S").hasMessageContaining("PT1S");
        assertThat(catchThrowable(() -> RetryPolicy.fixed(1, Duration.ofMillis(1)).withJitter(1.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
        assertThat(catchThrowable(() -> RetryPolicy.fixed(1, Duration.ofMillis(1)).withJitter(-0.1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-0.1");
        assertThat(catchThrowable(() -> RetryPolicy.when(null, RetryPolicy.none())))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void unknownRuntimeIsRefusedNamingItAndTheKnownOnes() {
        Throwable thrown = catchThrowable(() -> orchestrator.to(String.class).runtime("cpu").await(() -> "x"));
        assertThat(thrown).isNotNull();
        assertThat(thrown.getMessage()).contains("'cpu'").containsAnyOf("virtual", "register", "runtime(");
    }

    @Test
    void badNamesAndGroupsAreRefusedNamingThem() {
        SpawningTaskBuilder<String> builder = orchestrator.to(String.class);
        assertThat(catchThrowable(() -> builder.named(null))).hasMessageContaining("name");
        assertThat(catchThrowable(() -> builder.named(""))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThat(catchThrowable(() -> builder.group(""))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group");
        assertThat(catchThrowable(() -> builder.priority(null))).hasMessageContaining("priority");
        assertThat(catchThrowable(() -> builder.run(null))).hasMessageContaining("work");
    }

    // "Register more with TaskOrchestrator.builder().runtime(TaskRuntime.platform("cpu", 4)) or wrap an executor
    // with TaskRuntime.executor("legacy", pool)."
    @Test
    void registeredRuntimesRunTasks() {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (TaskOrchestrator custom = TaskOrchestrator.builder()
                .runtime(TaskRuntime.platform("cpu", 4))
                .runtime(TaskRuntime.executor("legacy", pool))
                .build()) {
            assertThat(custom.to(String.class).runtime("cpu").await(() -> TaskContext.current().orElseThrow()
                    .runtime().name())).isEqualTo("cpu");
            assertThat(custom.to(String.class).runtime("legacy").await(() -> "legacy ran")).isEqualTo("legacy ran");
            assertThat(custom.runtimes()).containsKeys("virtual", "platform", "single", "cpu", "legacy");
        } finally {
            pool.shutdownNow();
        }
        assertThat(catchThrowable(() -> TaskRuntime.platform("cpu", 0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
        assertThat(catchThrowable(() -> TaskRuntime.platform("cpu", -3))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-3");
    }

    // "single: one platform thread, tasks one at a time in priority order"
    @Test
    void singleRuntimeRunsQueuedTasksInPriorityOrder() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        SpawningTask<String> first = orchestrator.to(String.class).runtime("single").run(() -> {
            holding.countDown();
            hold.await();
            return "first";
        });
        assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
        List<SpawningTask<String>> queued = new ArrayList<>();
        for (TaskPriority priority : List.of(TaskPriority.LOW, TaskPriority.BACKGROUND, TaskPriority.CRITICAL,
                TaskPriority.NORMAL, TaskPriority.HIGH)) {
            queued.add(orchestrator.to(String.class).runtime("single").priority(priority).run(() -> {
                order.add(priority.name());
                return priority.name();
            }));
        }
        hold.countDown();
        first.join();
        queued.forEach(SpawningTask::join);
        assertThat(order).containsExactly("CRITICAL", "HIGH", "NORMAL", "LOW", "BACKGROUND");
    }

    // "after(taskA, taskB) starts a task only once both completed, and cancels it (saying which) if one did not."
    @Test
    void afterCancelsSayingWhichDependencyFailed() {
        SpawningTask<String> ok = orchestrator.to(String.class).named("fine").run(() -> "a");
        SpawningTask<String> bad = orchestrator.to(String.class).named("broken").run(() -> {
            throw new IOException("no");
        });
        SpawningTask<String> both = orchestrator.to(String.class).named("both").after(ok, bad).run(() -> "ran");
        Throwable thrown = catchThrowable(both::join);
        assertThat(thrown).isInstanceOf(TaskCancelledException.class);
        assertThat(thrown.getMessage()).contains("broken");
        assertThat(both.status()).isEqualTo(TaskStatus.CANCELLED);

        SpawningTask<String> after = orchestrator.to(String.class).after(ok,
                orchestrator.to(String.class).run(() -> "b")).run(() -> "ran after");
        assertThat(after.join()).isEqualTo("ran after");
    }

    // "The cycles the engine can see are refused at once with an IllegalArgumentException or
    // IllegalStateException naming both tasks: a body that waits for its own task or an ancestor's"
    @Test
    void waitingForAnAncestorIsRefusedNamingBothTasks() {
        AtomicReference<SpawningTask<String>> parent = new AtomicReference<>();
        CountDownLatch published = new CountDownLatch(1);
        SpawningTask<String> handle = orchestrator.to(String.class).named("the-parent").run(() -> {
            published.await();
            return orchestrator.to(String.class).named("the-child").await(() -> parent.get().join());
        });
        parent.set(handle);
        published.countDown();
        Throwable thrown = catchThrowable(handle::join);
        assertThat(thrown).isInstanceOf(TaskFailedException.class);
        Throwable refusal = thrown;
        while (refusal != null && !(refusal instanceof IllegalArgumentException)
                && !(refusal instanceof IllegalStateException)) {
            refusal = refusal.getCause();
        }
        assertThat(refusal).as("cause chain of %s", thrown).isNotNull();
        assertThat(refusal.getMessage()).contains("the-parent").contains("the-child");
    }

    // "Children of a finished parent cannot be added (clear IllegalStateException)" (SPEC 1.8)
    @Test
    void childOfFinishedParentIsRefused() {
        TaskContext ctx = orchestrator.to(TaskContext.class).named("gone")
                .await(() -> TaskContext.current().orElseThrow());
        Throwable thrown = catchThrowable(() -> ctx.child(String.class).run(() -> "x"));
        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessageContaining("gone");
    }

    // "a deep task's path shows the root, how many levels it leaves out, and the last nine"
    @Test
    void deepPathShowsRootOmittedLevelsAndLastNine() {
        String path = orchestrator.to(String.class).named("level0").await(() -> deeper(1, 15));
        assertThat(path).startsWith("level0#");
        assertThat(path).contains("level14#").contains("level6#").doesNotContain("level5#");
        assertThat(path).contains("5");
    }

    private String deeper(int level, int levels) {
        if (level == levels - 1) {
            return orchestrator.to(String.class).named("level" + level)
                    .await(() -> TaskContext.current().orElseThrow().children().isEmpty()
                            ? orchestrator.find(TaskContext.current().orElseThrow().id()).orElseThrow().path()
                            : "");
        }
        return orchestrator.to(String.class).named("level" + level).await(() -> deeper(level + 1, levels));
    }

    // "shutdown(grace) stops admission, waits, then cancels what is left" ; SPEC: "returns whether everything
    // finished"; TaskRejectedException reason SHUTDOWN
    @Test
    void shutdownCancelsWhatIsLeftAndRejectsNewWork() {
        TaskOrchestrator own = TaskOrchestrator.builder().build();
        SpawningTask<String> sleeper = own.to(String.class).run(() -> {
            Thread.sleep(30_000);
            return "woke";
        });
        assertThat(own.shutdown(Duration.ofMillis(100))).isFalse();
        assertThat(sleeper.status()).isEqualTo(TaskStatus.CANCELLED);
        Throwable thrown = catchThrowable(() -> own.to(String.class).await(() -> "late"));
        assertThat(thrown).isInstanceOf(TaskRejectedException.class);
        assertThat(((TaskRejectedException) thrown).reason()).isEqualTo(RejectionReason.SHUTDOWN);
        own.close();
    }

    // "a full queue or a too-long wait ends it with TaskRejectedException naming the group and why"
    @Test
    void rejectionNamesTheGroupAndReason() throws Exception {
        try (TaskOrchestrator grouped = TaskOrchestrator.builder()
                .group("pricing", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                        .withQueueCapacity(1).withMaxWait(Duration.ofSeconds(2)))
                .build()) {
            CountDownLatch hold = new CountDownLatch(1);
            SpawningTask<String> holder = grouped.to(String.class).group("pricing").run(() -> {
                hold.await();
                return "held";
            });
            SpawningTask<String> waiting = grouped.to(String.class).group("pricing").run(() -> "w");
            await().alias("the second task queued for the permit").atMost(Duration.ofSeconds(30))
                    .until(() -> waiting.status() == TaskStatus.QUEUED);
            Throwable full = catchThrowable(() -> grouped.to(String.class).group("pricing").await(() -> "x"));
            assertThat(full).isInstanceOf(TaskRejectedException.class).hasMessageContaining("pricing");
            assertThat(((TaskRejectedException) full).reason()).isEqualTo(RejectionReason.QUEUE_FULL);
            Throwable timedOut = catchThrowable(waiting::join);
            assertThat(timedOut).isInstanceOf(TaskRejectedException.class).hasMessageContaining("pricing");
            assertThat(((TaskRejectedException) timedOut).reason()).isEqualTo(RejectionReason.WAIT_TIMEOUT);
            hold.countDown();
            holder.join();
        }
    }

    // "Groups used without configuration get TaskOrchestrator.Builder.defaultGroupConfig(...)"; and
    // "LimiterConfig.defaults() // ADAPTIVE, initial 20, 1..1000"
    @Test
    void unconfiguredGroupsGetTheDefaultGroupConfig() {
        LimiterConfig defaults = LimiterConfig.defaults();
        assertThat(defaults.algorithm()).isEqualTo(LimitAlgorithm.ADAPTIVE);
        assertThat(defaults.initialLimit()).isEqualTo(20);
        assertThat(defaults.minLimit()).isEqualTo(1);
        assertThat(defaults.maxLimit()).isEqualTo(1000);
        try (TaskOrchestrator own = TaskOrchestrator.builder()
                .defaultGroupConfig(LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(3, 1, 3))
                .build()) {
            own.to(String.class).group("adhoc").await(() -> "x");
            assertThat(own.limiters()).singleElement().satisfies(g -> {
                assertThat(g.group()).isEqualTo("adhoc");
                assertThat(g.limit()).isEqualTo(3);
            });
        }
    }

    // "Builders are immutable: keep a configured one as a template and call run on it many times."
    @Test
    void buildersAreReusableTemplates() {
        SpawningTaskBuilder<String> template = orchestrator.to(String.class).named("tmpl");
        SpawningTaskBuilder<String> other = template.named("other").priority(TaskPriority.LOW);
        assertThat(template.await(() -> TaskContext.current().orElseThrow().name())).isEqualTo("tmpl");
        assertThat(template.await(() -> TaskContext.current().orElseThrow().name())).isEqualTo("tmpl");
        assertThat(other.run(() -> "x").info().priority()).isEqualTo(TaskPriority.LOW);
        assertThat(template.run(() -> "x").info().priority()).isEqualTo(TaskPriority.NORMAL);
    }

    // "joinChildren() returns every child started so far" (SPEC: in start order)
    @Test
    void joinChildrenInStartOrder() {
        List<Object> values = orchestrator.to(List.class).await(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            for (int i = 0; i < 20; i++) {
                int n = i;
                ctx.child(Integer.class).run(() -> {
                    Thread.sleep(20 - n);
                    return n;
                });
            }
            return ctx.joinChildren().stream().map(TaskResult::orElseThrow).toList();
        });
        assertThat(values).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    }

    // "a listener ... that throws is logged and skipped: it cannot change a task's outcome"
    @Test
    void throwingListenerCannotChangeTheOutcome() {
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onStarted(TaskInfo task) {
                throw new IllegalStateException("listener broke");
            }

            @Override
            public void onFinished(TaskInfo task) {
                throw new IllegalStateException("listener broke");
            }
        });
        assertThat(orchestrator.to(String.class).await(() -> "fine")).isEqualTo("fine");
    }

    // "Completion callbacks (toCompletableFuture().thenApply(...)), listeners and fallbacks never run as if
    // inside the finished task: a task started from them is a new root."
    @Test
    void tasksStartedFromFallbacksAreRoots() {
        String result = orchestrator.to(String.class).named("failing")
                .fallback(error -> orchestrator.to(String.class).named("from-fallback")
                        .await(() -> TaskContext.current().orElseThrow().parent().isPresent() ? "child" : "root"))
                .await(() -> {
                    throw new IOException("x");
                });
        assertThat(result).isEqualTo("root");
    }

    // Streaming: "Names are checked at configuration (at most 91 characters ...)"; stopOnFirst
    @Test
    void pipelineNameLimitAndStopOnFirst() {
        String ok = "p".repeat(91);
        assertThat(orchestrator.emits(Integer.class).named(ok)).isNotNull();
        Throwable tooLong = catchThrowable(() -> orchestrator.emits(Integer.class).named("p".repeat(92)));
        assertThat(tooLong).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("91");

        Throwable stopped = catchThrowable(() -> orchestrator.emits(Integer.class)
                .named("stopper")
                .errorStrategy(ErrorStrategy.stopOnFirst())
                .sender(SenderStrategy.serial(), emitter -> emitter.emitAll(List.of(1, 2, 3)))
                .receiver(ReceiverStrategy.serial(), (event, collector) -> {
                    if (event.data() == 2) {
                        throw new IOException("bad event");
                    }
                    collector.collect(event.data(), event.data());
                })
                .awaitFinalEvent());
        assertThat(stopped).isInstanceOf(TaskFailedException.class);

        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                .sender(SenderStrategy.serial(), emitter -> emitter.emitAll(List.of(1, 2, 3)))
                .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                    if (event.data() == 2) {
                        throw new IOException("bad event");
                    }
                    collector.collect(event.data(), event.data() * 10);
                })
                .awaitFinalEvent();
        assertThat(done.collected()).containsOnlyKeys(1, 3);
        assertThat(done.errors()).hasSize(1);
        assertThat(done.emitted()).isEqualTo(3);
    }

    @Test
    void badPipelineArgumentsNameTheValue() {
        assertThat(catchThrowable(() -> orchestrator.emits(Integer.class).bufferSize(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThat(catchThrowable(() -> ReceiverStrategy.parallel(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThat(catchThrowable(() -> io.sweetasync.emit.MinMax.of(5, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5").hasMessageContaining("2");
        assertThat(catchThrowable(() -> ReceiverStrategy.batched(10, Duration.ofMillis(-1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-");
        assertThat(catchThrowable(() -> orchestrator.emits(Integer.class).runtime("nope")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }

    @Test
    void badLimiterConfigNamesTheValue() {
        assertThat(catchThrowable(() -> LimiterConfig.defaults().withLimits(10, 20, 30)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10").hasMessageContaining("20");
        assertThat(catchThrowable(() -> LimiterConfig.defaults().withQueueCapacity(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThat(catchThrowable(() -> LimiterConfig.defaults().withMaxWait(Duration.ofSeconds(-2))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-2");
        assertThat(catchThrowable(() -> TaskOrchestrator.builder().group("", LimiterConfig.defaults())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // "Workers live under the pipeline's timeout (never the orchestrator's default timeout)": the pipeline
    // itself is a task, so one that sets no timeout takes the orchestrator's default
    @Test
    void aPipelineWithoutTimeoutTakesTheDefaultTimeoutItsWorkersDoNot() {
        try (TaskOrchestrator bounded = TaskOrchestrator.builder().defaultTimeout(Duration.ofMillis(200)).build()) {
            Throwable thrown = catchThrowable(() -> bounded.emits(Integer.class).named("slow-import")
                    .sender(emitter -> {
                        Thread.sleep(5_000);
                        emitter.emit(1);
                    })
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent());
            assertThat(thrown).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("slow-import");

            FinalEvent<Integer, Integer> done = bounded.emits(Integer.class).named("long-import")
                    .timeout(Duration.ofSeconds(10))
                    .sender(emitter -> {
                        Thread.sleep(400);
                        emitter.emit(1);
                    })
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.collected()).containsEntry(1, 1);
        }
    }

    // "MEASURED (exact per-thread counters, platform threads)" with the default ResourceTracking.MEASURE
    @Test
    void platformThreadFiguresAreMeasuredByDefault() {
        SpawningTask<Long> task = orchestrator.to(Long.class).runtime("platform").run(() -> {
            long sum = 0;
            for (int i = 0; i < 5_000_000; i++) {
                sum += Integer.toString(i).length();
            }
            return sum;
        });
        task.join();
        TaskMetrics metrics = task.metrics();
        assertThat(metrics.cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.MEASURED);
        assertThat(metrics.cpuTimeNanos().amount()).isPositive();
        assertThat(metrics.allocatedBytes().source()).isEqualTo(ResourceValue.Source.MEASURED);
        assertThat(metrics.allocatedBytes().amount()).isPositive();
        assertThat(metrics.runTime()).isPositive();
    }

    record Price(long cents) {
    }

    interface Pricing {
        Price quote(String item);
    }

    // The README's concurrency-groups snippet as written (ReadmeSnippetsTest has an older, shorter println)
    @Test
    void concurrencyGroupsSnippetAsWritten() {
        Pricing pricing = anItem -> new Price(anItem.length());
        String item = "book";
        List<String> printed = new ArrayList<>();
        // --- README: Concurrency groups and adaptive limits ---
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("pricing", LimiterConfig.defaults()                 // ADAPTIVE, initial 20, 1..1000
                        .withLimits(8, 2, 64)
                        .withQueueCapacity(200)
                        .withMaxWait(Duration.ofSeconds(2)))
                .build();
        Price price = orchestrator.to(Price.class).group("pricing").await(() -> pricing.quote(item));
        orchestrator.limiters().forEach(g -> printed.add(g.group() + " limit " + g.limit() + " (" + g.phase()
                + ", baseline " + g.baselineLatency() + ", capacity " + g.estimatedCapacity() + "/s), " + g.queued() + " queued"));
        // --- end ---
        assertThat(price.cents()).isEqualTo(4);
        assertThat(printed).singleElement().asString().startsWith("pricing limit 8 (").endsWith(", 0 queued");
        orchestrator.close();
    }

    // "A task with group("pricing") waits QUEUED (priority order, then FIFO) for a permit"
    @Test
    void groupQueueAdmitsInPriorityOrderThenFifo() throws Exception {
        try (TaskOrchestrator grouped = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1))
                .build()) {
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch holding = new CountDownLatch(1);
            SpawningTask<String> holder = grouped.to(String.class).group("g").run(() -> {
                holding.countDown();
                hold.await();
                return "held";
            });
            assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            List<SpawningTask<String>> queued = new ArrayList<>();
            String[][] plan = { { "LOW", "low-1" }, { "HIGH", "high-1" }, { "LOW", "low-2" }, { "CRITICAL", "crit" },
                    { "HIGH", "high-2" } };
            for (String[] step : plan) {
                queued.add(grouped.to(String.class).group("g").priority(TaskPriority.valueOf(step[0])).run(() -> {
                    order.add(step[1]);
                    return step[1];
                }));
                while (queued.getLast().status() != TaskStatus.QUEUED) {
                    Thread.sleep(1);
                }
            }
            hold.countDown();
            holder.join();
            queued.forEach(SpawningTask::join);
            assertThat(order).containsExactly("crit", "high-1", "high-2", "low-1", "low-2");
        }
    }

    // "Errors: ErrorStrategy.continueOnError() (default; in done.errors()), stopOnFirst(), each with
    // .withRetry(policy) per event."
    @Test
    void perEventRetry() {
        Map<Integer, AtomicInteger> tries = new java.util.concurrent.ConcurrentHashMap<>();
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ofMillis(1))))
                .sender(emitter -> emitter.emitAll(List.of(1, 2, 3)))
                .receiver((event, collector) -> {
                    int attempt = tries.computeIfAbsent(event.data(), k -> new AtomicInteger()).incrementAndGet();
                    if (event.data() == 2 && attempt < 3) {
                        throw new IOException("flaky " + attempt);
                    }
                    if (event.data() == 3) {
                        throw new IOException("always");
                    }
                    collector.collect(event.data(), attempt);
                })
                .awaitFinalEvent();
        assertThat(done.collected()).containsEntry(1, 1).containsEntry(2, 3).doesNotContainKey(3);
        assertThat(done.errors()).hasSize(1);
        assertThat(tries.get(3)).hasValue(3);
    }

    // "The rules are tried in the order written and the first whose type matches the error decides"
    @Test
    void retryRulesFirstMatchWins() {
        RetryPolicy subclassFirst = RetryPolicy
                .when(java.net.SocketTimeoutException.class, RetryPolicy.fixed(5, Duration.ofMillis(50)))
                .when(IOException.class, RetryPolicy.exponential(2, Duration.ofMillis(200), Duration.ofSeconds(1)));
        RetryPolicy superclassFirst = RetryPolicy
                .when(IOException.class, RetryPolicy.exponential(2, Duration.ofMillis(200), Duration.ofSeconds(1)))
                .when(java.net.SocketTimeoutException.class, RetryPolicy.fixed(5, Duration.ofMillis(50)));
        java.net.SocketTimeoutException timeout = new java.net.SocketTimeoutException();
        assertThat(subclassFirst.nextDelay(5, timeout)).hasValue(Duration.ofMillis(50));
        assertThat(superclassFirst.nextDelay(1, timeout)).hasValue(Duration.ofMillis(200));
        assertThat(superclassFirst.nextDelay(3, timeout)).as("the IOException rule's 2 retries").isEmpty();
        assertThat(subclassFirst.nextDelay(1, new IllegalStateException())).isEmpty();
    }

    // A handler's name names the tasks that run it ("The work runs on its member as a root task with the same
    // name"; a durable task is named after its handler), and task names take no '/' or '#' (path separators):
    // TaskOrchestrator.builder().handler("billing/send-invoice", ...) was accepted and ran tasks of that name
    @Test
    void aHandlerNameThatNoTaskCouldHaveIsRefused() {
        for (String name : List.of("billing/send-invoice", "send#invoice")) {
            assertThat(catchThrowable(() -> TaskOrchestrator.builder().handler(name, String.class, s -> s)))
                    .as(name).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + name + "'")
                    .hasMessageContaining("'/' or '#'");
        }
        try (TaskOrchestrator withHandler = TaskOrchestrator.builder()
                .handler("billing.send-invoice", String.class, String::toUpperCase).build()) {
            SpawningTask<String> task = withHandler.to(String.class).anywhere().run("billing.send-invoice", "x");
            assertThat(task.join()).isEqualTo("X");
            assertThat(task.name()).isEqualTo("billing.send-invoice");
        }
    }

    /** A primitive argument type was registered, then every call failed ("takes a int, was given a java.lang.Integer"). */
    @Test
    void aHandlerOfAPrimitiveArgumentTypeIsRefusedNamingItsWrapper() {
        assertThat(catchThrowable(() -> TaskOrchestrator.builder().handler("square", int.class, n -> n * n)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'square'")
                .hasMessageContaining("int").hasMessageContaining("Integer.class");
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .handler("square", Integer.class, n -> n * n).build()) {
            assertThat(orchestrator.to(Integer.class).anywhere().await("square", 7)).isEqualTo(49);
        }
    }
}
