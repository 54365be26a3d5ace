package io.sweetasync.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.AsyncTask;
import io.sweetasync.AsyncTaskException;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskLostException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import io.sweetasync.limit.LimiterConfig;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC sections 1 and 2 read sentence by sentence, as an outside suite would test them: only what the
 * other spec tests do not assert already (bad input, what each wait throws after each end, the status
 * a waiting task shows, the shape of the names).
 */
@Timeout(60)
class SpecFromTextTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.single("one"))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // ---- 1.1: the no-argument entry points are bound like the typed ones ----

    @Test
    void typeWitnessEntryPointsWork() {
        String viaGlobal = AsyncTask.<String>to().await(() -> "g");
        String viaOrchestrator = orchestrator.<String>to().await(() -> "o");
        FinalEvent<Integer, Integer> done = orchestrator.<Integer>emits()
                .sender(e -> e.emitAll(List.of(1, 2)))
                .receiver((event, c) -> c.collect(event.data(), event.data()))
                .awaitFinalEvent();
        assertThat(viaGlobal).isEqualTo("g");
        assertThat(viaOrchestrator).isEqualTo("o");
        assertThat(done.collected()).containsOnlyKeys(1, 2);
    }

    // ---- 1.2: every configuration method checks its argument where it is set ----

    @Test
    void badBuilderArgumentsAreRejectedWhereTheyAreSet() {
        SpawningTaskBuilder<String> b = orchestrator.to(String.class);
        assertThatThrownBy(() -> b.named("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.named("  ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.group("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.tag("k", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.after(b.run(() -> "x"), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.awaitResult(() -> "x", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.timeout(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }

    @Test
    void aBuilderUsedForATerminalCallStaysAReusableTemplate() {
        SpawningTaskBuilder<String> template = orchestrator.to(String.class).named("tpl").tag("k", "v");
        assertThat(template.await(() -> "first")).isEqualTo("first");
        SpawningTaskBuilder<String> derived = template.named("derived");
        SpawningTask<String> again = template.run(() -> "second");
        SpawningTask<String> other = derived.run(() -> "third");
        assertThat(again.join()).isEqualTo("second");
        assertThat(again.name()).isEqualTo("tpl");
        assertThat(again.info().tags()).containsExactly(Map.entry("k", "v"));
        assertThat(other.name()).isEqualTo("derived");
        assertThat(again.id()).isNotEqualTo(other.id());
    }

    // ---- 1.3: what each way of waiting gives after each end ----

    @Test
    void aCancelledTaskAnswersEveryWaitWithItsCancellation() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(() -> {
            started.countDown();
            return SpecSupport.sleepLong();
        });
        CompletableFuture<Integer> future = t.toCompletableFuture();
        started.await();
        assertThat(t.cancel()).isTrue();
        assertThatThrownBy(t::get).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> t.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        assertThatThrownBy(t::join).isInstanceOf(TaskCancelledException.class);
        assertThat(t.result()).isInstanceOfSatisfying(TaskResult.Err.class,
                err -> assertThat(err.error()).isInstanceOf(TaskCancelledException.class));
        assertThat(t.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThatThrownBy(future::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(TaskCancelledException.class);
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TaskCancelledException.class);
        assertThat(t.cancel()).as("a second cancel: the task ends CANCELLED").isTrue();
    }

    @Test
    void aTimedOutTaskAnswersEveryWaitWithItsTimeout() {
        SpawningTask<Integer> t = orchestrator.to(Integer.class).timeout(Duration.ofMillis(50)).run(SpecSupport::sleepLong);
        assertThatThrownBy(t::join).isInstanceOf(TaskTimeoutException.class);
        assertThat(t.result()).isInstanceOfSatisfying(TaskResult.Err.class,
                err -> assertThat(err.error()).isInstanceOf(TaskTimeoutException.class));
        assertThatThrownBy(() -> t.toCompletableFuture().join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(TaskTimeoutException.class);
        assertThat(t.isCancelled()).isFalse();
        assertThat(t.cancel()).isFalse();
        boolean timedOut = orchestrator.to(Integer.class).timeout(Duration.ofMillis(50))
                .awaitResult(SpecSupport::sleepLong, r -> r instanceof TaskResult.Err<Integer> err
                        && err.error() instanceof TaskTimeoutException);
        assertThat(timedOut).isTrue();
        assertThatThrownBy(() -> orchestrator.to(Integer.class).timeout(Duration.ofMillis(50)).await(SpecSupport::sleepLong))
                .isInstanceOf(TaskTimeoutException.class);
    }

    @Test
    void aFailedTaskAnswersEveryWaitWithTheUsersException() {
        IOException boom = new IOException("boom");
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(() -> {
            throw boom;
        });
        assertThatThrownBy(t::join).isInstanceOf(TaskFailedException.class).cause().isSameAs(boom);
        assertThatThrownBy(() -> t.toCompletableFuture().join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(TaskFailedException.class).cause().isSameAs(boom);
        assertThatThrownBy(() -> orchestrator.to(Integer.class).await(() -> {
            throw boom;
        })).isInstanceOf(TaskFailedException.class).cause().isSameAs(boom);
        assertThat(t.isCancelled()).isFalse();
        assertThat(t.isDone()).isTrue();
    }

    @Test
    void chainPassesACancellationThroughUnchanged() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> upstream = orchestrator.to(Integer.class).run(() -> {
            started.countDown();
            return SpecSupport.sleepLong();
        });
        SpawningTask<String> next = upstream.chain(String::valueOf);
        started.await();
        upstream.cancel();
        assertThatThrownBy(next::join).isInstanceOf(TaskCancelledException.class);
        assertThat(next.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    // ---- 1.5: statuses ----

    @Test
    void aTaskWaitingForARuntimeSlotIsQueued() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        SpawningTask<String> blocker = orchestrator.to(String.class).runtime("one").run(() -> {
            running.countDown();
            release.await();
            return "b";
        });
        running.await();
        SpawningTask<String> waiting = orchestrator.to(String.class).runtime("one").run(() -> "w");
        assertThat(waiting.status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(blocker.status()).isEqualTo(TaskStatus.RUNNING);
        release.countDown();
        assertThat(waiting.join()).isEqualTo("w");
        assertThat(waiting.status()).isEqualTo(TaskStatus.COMPLETED);
    }

    @Test
    void aTaskWaitingForAPermitIsQueued() throws Exception {
        try (TaskOrchestrator grouped = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withLimits(1, 1, 1)).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            grouped.to(String.class).group("g").run(() -> {
                running.countDown();
                release.await();
                return "b";
            });
            running.await();
            SpawningTask<String> waiting = grouped.to(String.class).group("g").run(() -> "w");
            await().untilAsserted(() -> assertThat(waiting.status()).isEqualTo(TaskStatus.QUEUED));
            release.countDown();
            assertThat(waiting.join()).isEqualTo("w");
        }
    }

    @Test
    void aParentWaitingForItsChildrenIsRunning() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch childRunning = new CountDownLatch(1);
        SpawningTask<String> parent = orchestrator.to(String.class).run(() -> {
            TaskContext.current().orElseThrow().runChild(() -> {
                childRunning.countDown();
                release.await();
                return 1;
            });
            return "p";
        });
        childRunning.await();
        assertThat(parent.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(parent.isDone()).isFalse();
        release.countDown();
        assertThat(parent.join()).isEqualTo("p");
    }

    @Test
    void everyTaskExceptionIsAnAsyncTaskExceptionCarryingItsTask() {
        assertThat(RuntimeException.class).isAssignableFrom(AsyncTaskException.class);
        for (Class<?> type : List.of(TaskFailedException.class, TaskTimeoutException.class,
                TaskCancelledException.class, TaskRejectedException.class, TaskLostException.class)) {
            assertThat(AsyncTaskException.class).isAssignableFrom(type);
        }
        orchestrator.shutdown(Duration.ZERO);
        SpawningTask<String> rejected = orchestrator.to(String.class).named("late").run(() -> "x");
        assertThatThrownBy(rejected::join).isInstanceOfSatisfying(TaskRejectedException.class, e -> {
            assertThat(e.task()).isNotNull();
            assertThat(e.task().id()).isEqualTo(rejected.id());
            assertThat(e.getMessage()).contains("late").contains(rejected.id().toString());
        });
    }

    @Test
    void timeoutAndCancellationMessagesNameTheTaskAndItsId() throws Exception {
        SpawningTask<Integer> timed = orchestrator.to(Integer.class).named("slow").timeout(Duration.ofMillis(30))
                .run(SpecSupport::sleepLong);
        assertThatThrownBy(timed::join).hasMessageContaining("slow").hasMessageContaining(timed.id().toString())
                .hasMessageContaining("1 attempt");
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> cancelled = orchestrator.to(Integer.class).named("stopped").run(() -> {
            started.countDown();
            return SpecSupport.sleepLong();
        });
        started.await();
        cancelled.cancel();
        assertThatThrownBy(cancelled::join).hasMessageContaining("stopped")
                .hasMessageContaining(cancelled.id().toString());
    }

    // ---- 1.6: retry policy arguments ----

    @Test
    void badRetryArgumentsAreRejected() {
        assertThatThrownBy(() -> RetryPolicy.exponential(2, Duration.ofMillis(10), Duration.ofMillis(10)).withJitter(-0.1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.exponential(2, Duration.ofMillis(10), Duration.ofMillis(10)).withJitter(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.exponential(2, Duration.ofMillis(10), Duration.ofMillis(10)).withJitter(1.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.exponential(-1, Duration.ofMillis(10), Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.exponential(1, Duration.ofMillis(10), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.when(null, RetryPolicy.none())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RetryPolicy.when(IOException.class, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RetryPolicy.fixed(1, Duration.ZERO).retryOn((Class<? extends Throwable>) null))
                .isInstanceOf(NullPointerException.class);
    }

    // ---- 1.7 / 1.8 ----

    @Test
    void runtimesHaveTheirKindAndDefaultSize() {
        assertThat(TaskRuntime.Kind.values()).extracting(Enum::name).contains("VIRTUAL", "PLATFORM", "SINGLE");
        assertThat(orchestrator.runtimes().get("platform").parallelism())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(orchestrator.runtimes().get("single").parallelism()).isEqualTo(1);
        assertThatThrownBy(() -> TaskRuntime.platform("p", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaskRuntime.platform("p", -1)).isInstanceOf(IllegalArgumentException.class);
        String runtime = orchestrator.to(String.class).runtime("platform")
                .await(() -> TaskContext.current().orElseThrow().runtime().name());
        assertThat(runtime).isEqualTo("platform");
    }

    @Test
    void aChildSeesItsParentAndTheParentItsChildrenInStartOrder() {
        List<Object> seen = orchestrator.<List<Object>>to().named("root").await(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            SpawningTask<String> first = ctx.child(String.class).named("first")
                    .run(() -> TaskContext.current().orElseThrow().parent().orElseThrow().name());
            ctx.child(Integer.class).named("second").run(() -> 2);
            List<TaskResult<?>> results = ctx.joinChildren();
            return List.of(first.join(), results.get(0).orElseThrow(), results.get(1).orElseThrow(),
                    ctx.children().stream().map(TaskInfo::name).toList(),
                    ctx.children().get(0).parentId().equals(ctx.id()), ctx.attempt());
        });
        assertThat(seen).containsExactly("root", "root", 2, List.of("first", "second"), true, 1);
    }

    @Test
    void contextIsEmptyInACompletionCallback() {
        SpawningTask<String> t = orchestrator.to(String.class).run(() -> "x");
        boolean inCallback = t.toCompletableFuture().thenApply(v -> TaskContext.current().isPresent()).join();
        assertThat(inCallback).isFalse();
    }

    // ---- 1.9 ----

    @Test
    void cancelByIdCancelsAndFindShowsTheEnd() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(() -> {
            started.countDown();
            return SpecSupport.sleepLong();
        });
        started.await();
        assertThat(orchestrator.find(t.id())).hasValueSatisfying(info -> assertThat(info.status()).isEqualTo(TaskStatus.RUNNING));
        assertThat(orchestrator.cancel(t.id())).isTrue();
        assertThatThrownBy(t::join).isInstanceOf(TaskCancelledException.class);
        assertThat(orchestrator.find(t.id())).hasValueSatisfying(info -> assertThat(info.status()).isEqualTo(TaskStatus.CANCELLED));
        assertThat(orchestrator.cancel(t.id())).isFalse();
    }

    @Test
    void shutdownWithNothingRunningSaysEverythingFinished() {
        orchestrator.to(String.class).await(() -> "x");
        assertThat(orchestrator.shutdown(Duration.ZERO)).isTrue();
        assertThat(orchestrator.shutdown(Duration.ofSeconds(1))).as("again").isTrue();
    }

    @Test
    void aTaskInfoNamesItsFailureTypeAndMessage() {
        SpawningTask<String> t = orchestrator.to(String.class).run(() -> {
            throw new IOException("disk gone");
        });
        t.result();
        TaskInfo.Failure failure = t.info().failure();
        assertThat(failure).isNotNull();
        assertThat(failure.type()).contains("IOException");
        assertThat(failure.message()).contains("disk gone");
        assertThat(t.info().attempts()).isEqualTo(1);
        assertThat(t.info().completedAt()).isNotNull();
    }

    // ---- 2: streaming arguments ----

    @Test
    void badPipelineArgumentsAreRejected() {
        assertThatThrownBy(() -> MinMax.of(3, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MinMax.of(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MinMax.of(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReceiverStrategy.parallel(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReceiverStrategy.batched(0, Duration.ofMillis(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReceiverStrategy.batched(1, Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReceiverStrategy.batched(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ReceiverStrategy.adaptive(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SenderStrategy.parallel(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> orchestrator.emits(String.class).bufferSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> orchestrator.emits(String.class).timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> orchestrator.emits(String.class).sender(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void collectedErrorsAreInErrorsAndCountsAreExact() {
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).named("errs")
                .sender(e -> e.emitAll(Stream.of(1, 2, 3, 4)))
                .receiver(ReceiverStrategy.parallel(2), (event, c) -> {
                    if (event.data() % 2 == 0) {
                        c.collectError(event.data(), new IOException("even " + event.data()));
                    } else {
                        c.collect(event.data(), event.data());
                    }
                }).awaitFinalEvent();
        assertThat(done.collected()).containsOnlyKeys(1, 3);
        assertThat(done.errors()).extracting(e -> e.key()).containsExactlyInAnyOrder(2, 4);
        assertThat(done.errors()).allSatisfy(e -> assertThat(e.error()).isInstanceOf(IOException.class));
        assertThat(done.emitted()).isEqualTo(4);
        assertThat(done.received()).isEqualTo(4);
        assertThat(done.duration().isNegative()).isFalse();
    }

    @Test
    void aPipelineShowsItsSenderAndReceiversAsChildren() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("pipe")
                .sender(e -> e.emitAll(List.of(1, 2)))
                .receiver(ReceiverStrategy.parallel(2), (event, c) -> {
                    release.await();
                    c.collect(event.data(), event.data());
                }).run();
        await().untilAsserted(() -> assertThat(orchestrator.find(task.id()).orElseThrow().children())
                .extracting(TaskInfo::name).contains("pipe.sender", "pipe.receiver"));
        release.countDown();
        FinalEvent<Integer, Integer> done = task.join();
        assertThat(done.collected()).hasSize(2);
        assertThat(task.finalEvent().join()).isSameAs(done);
    }

    // ---- 1.5: "any Duration a user passes ... is rejected naming it or honoured" (what other tests leave out) ----

    @Test
    void exponentialDelaysStayFiniteHoweverManyAttemptsFailed() {
        RetryPolicy policy = RetryPolicy.exponential(Integer.MAX_VALUE, Duration.ofMillis(1), Duration.ofSeconds(1));
        for (int attempt : new int[] {1, 2, 31, 32, 63, 64, 65, 1_000, Integer.MAX_VALUE - 1}) {
            assertThat(policy.nextDelay(attempt, new IOException("x"), 0.5)).as("attempt %d", attempt)
                    .isBetween(Duration.ofMillis(1), Duration.ofSeconds(1));
        }
        RetryPolicy huge = RetryPolicy.exponential(Integer.MAX_VALUE, Duration.ofSeconds(Long.MAX_VALUE / 4),
                Duration.ofSeconds(Long.MAX_VALUE)).withJitter(1);
        for (double random : new double[] {0, 0.5, 0.999}) {
            assertThat(huge.nextDelay(70, new IOException("x"), random)).isNotNull();
        }
    }

    @Test
    void groupWaitsAreRejectedNamingThemOrHonoured() throws Exception {
        assertThatThrownBy(() -> LimiterConfig.defaults().withMaxWait(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWait");
        assertThatThrownBy(() -> LimiterConfig.defaults().withMaxWait(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> LimiterConfig.defaults().withLimits(10, 1, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LimiterConfig.defaults().withQueueCapacity(-1)).isInstanceOf(IllegalArgumentException.class);
        try (TaskOrchestrator grouped = TaskOrchestrator.builder().group("g", LimiterConfig.defaults()
                .withLimits(1, 1, 1).withMaxWait(Duration.ofSeconds(Long.MAX_VALUE))).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            grouped.to(String.class).group("g").run(() -> {
                running.countDown();
                release.await();
                return "b";
            });
            running.await();
            SpawningTask<String> waiting = grouped.to(String.class).group("g").run(() -> "w");
            await().untilAsserted(() -> assertThat(waiting.status()).isEqualTo(TaskStatus.QUEUED));
            release.countDown();
            assertThat(waiting.join()).isEqualTo("w");
        }
    }

    @Test
    void pipelineDurationsAreRejectedNamingThemOrHonoured() {
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                .sender(e -> e.emitAll(List.of(1, 2, 3)))
                .receiver(ReceiverStrategy.batched(2, Duration.ZERO), (event, c) -> c.collect(event.data(), event.data()))
                .awaitFinalEvent();
        assertThat(done.collected()).hasSize(3);
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).timeout(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }

    // ---- 1.5, 1.6, 1.8 and 2: what a body rethrows, dependencies, fallbacks, per-event retries ----

    @Test
    void aBodyRethrowingAChildsTimeoutFailsAndIsRetried() {
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).retry(RetryPolicy.fixed(1, Duration.ZERO)).run(() -> {
            attempts.incrementAndGet();
            return TaskContext.current().orElseThrow().child(Integer.class).timeout(Duration.ofMillis(20))
                    .run(SpecSupport::sleepLong).join();
        });
        TaskResult<Integer> r = parent.result();
        assertThat(parent.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(r).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                .isInstanceOf(TaskFailedException.class).cause().isInstanceOf(TaskTimeoutException.class));
        assertThat(attempts).hasValue(2);
    }

    @Test
    void aBodyRethrowingASiblingsCancellationFailsAndIsNotCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> sibling = orchestrator.to(Integer.class).run(() -> {
            started.countDown();
            return SpecSupport.sleepLong();
        });
        started.await();
        sibling.cancel();
        SpawningTask<Integer> waiter = orchestrator.to(Integer.class).run(sibling::join);
        TaskResult<Integer> r = waiter.result();
        assertThat(waiter.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(r).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                .isInstanceOf(TaskFailedException.class).cause().isInstanceOf(TaskCancelledException.class));
    }

    @Test
    void aDependencyThatTimedOutCancelsItsDependentNamingIt() {
        SpawningTask<Integer> dep = orchestrator.to(Integer.class).named("dep").timeout(Duration.ofMillis(20))
                .run(SpecSupport::sleepLong);
        SpawningTask<Integer> dependent = orchestrator.to(Integer.class).after(dep).run(() -> 1);
        assertThatThrownBy(dependent::join).isInstanceOf(TaskCancelledException.class).hasMessageContaining("dep");
        assertThat(dependent.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void aFallbackRunsOutsideTheTask() {
        String where = orchestrator.to(String.class).fallback(e -> TaskContext.current().map(c -> "in " + c.name()).orElse("none"))
                .await(() -> {
                    throw new IOException("x");
                });
        assertThat(where).isEqualTo("none");
    }

    @Test
    void eachEventIsRetriedByTheErrorStrategysPolicy() {
        Map<Integer, java.util.concurrent.atomic.AtomicInteger> calls = new ConcurrentHashMap<>();
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ZERO)))
                .sender(e -> e.emitAll(List.of(1, 2, 3)))
                .receiver((event, c) -> {
                    if (calls.computeIfAbsent(event.data(), k -> new AtomicInteger()).incrementAndGet() < 3) {
                        throw new IOException("again");
                    }
                    c.collect(event.data(), event.data());
                }).awaitFinalEvent();
        assertThat(done.collected()).containsOnlyKeys(1, 2, 3);
        assertThat(done.errors()).isEmpty();
        assertThat(done.received()).isEqualTo(3);
    }

    @Test
    void aRulesPolicyAppliesTheFiltersOfItsRule() {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy policy = RetryPolicy.when(IOException.class,
                RetryPolicy.fixed(3, Duration.ZERO).abortOn(FileNotFoundException.class));
        SpawningTask<String> t = orchestrator.to(String.class).retry(policy).run(() -> {
            calls.incrementAndGet();
            throw new FileNotFoundException("f");
        });
        t.result();
        assertThat(calls).hasValue(1);
    }

    @Test
    void awaitFinalEventHandsAStoppedPipelinesFailureToTheHandler() {
        String out = orchestrator.emits(Integer.class).errorStrategy(ErrorStrategy.stopOnFirst())
                .sender(e -> e.emitAll(List.of(1, 2)))
                .receiver((event, c) -> {
                    throw new IOException("bad " + event.data());
                })
                .awaitFinalEvent(r -> switch (r) {
                    case TaskResult.Ok<?> ok -> "ok";
                    case TaskResult.Err<?> err -> err.error().getClass().getSimpleName() + "/"
                            + err.error().getCause().getClass().getSimpleName();
                });
        assertThat(out).isEqualTo("TaskFailedException/IOException");
    }

    /**
     * SPEC 1.2 gives {@code runtime(String)} the default {@code "virtual"} and is silent on children; the
     * builder's javadoc chose "priority and runtime from the parent task", and a task of another orchestrator
     * (the global one's {@code AsyncTask.to} inside a body of an orchestrator built here) is no child. The
     * README now says both.
     */
    @Test
    void aChildThatSetsNoRuntimeOrPriorityTakesItsParentsButNotItsGroup() {
        List<String> seen = orchestrator.<List<String>>to().runtime("platform").priority(TaskPriority.HIGH)
                .group("g").await(() -> {
                    TaskInfo child = finished(orchestrator.to(String.class).run(() -> "c"));
                    TaskInfo detached = finished(orchestrator.to(String.class).detached().run(() -> "d"));
                    TaskInfo otherOrchestrators = finished(AsyncTask.to(String.class).run(() -> "x"));
                    return List.of(child.runtime(), child.priority().name(), String.valueOf(child.group()),
                            detached.runtime(), detached.priority().name(),
                            String.valueOf(otherOrchestrators.parentId()));
                });
        assertThat(seen).containsExactly("platform", "HIGH", "null", "virtual", "NORMAL", "null");
    }

    private static TaskInfo finished(SpawningTask<?> task) {
        task.result();
        return task.info();
    }

    /**
     * SPEC 1.5 says a cancel returns true exactly when the task ends CANCELLED, and that on a deadline's expiry
     * the task ends TIMED_OUT; it does not say whether a body's failure for good decides the end while the
     * children that failure cancelled still return. The engine treats the failure as no stop request (the
     * deadline then still ends the task TIMED_OUT: {@code RetryingListenerPastDeadlineTest}); {@code cancel()}'s
     * javadoc claimed the opposite ("false when ... its body failed") and now says what happens.
     */
    @Test
    void aCancelLandingWhileAFailedBodysChildrenReturnDecidesTheEnd() throws Exception {
        CountDownLatch childInterrupted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch childRunning = new CountDownLatch(1);
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).run(() -> {
            TaskContext.current().orElseThrow().runChild(() -> {
                childRunning.countDown();
                try {
                    release.await();
                }
                catch (InterruptedException ex) {
                    childInterrupted.countDown();
                    release.await(); // ignores the cancellation for a while, as a slow driver call would
                }
                return 2;
            });
            childRunning.await();
            throw new IOException("boom");
        });
        try {
            childInterrupted.await();
            assertThat(parent.isDone()).as("its end is not decided yet").isFalse();
            assertThat(parent.cancel()).isTrue();
        }
        finally {
            release.countDown();
        }
        assertThat(parent.result()).isInstanceOfSatisfying(TaskResult.Err.class, err -> {
            assertThat(err.error()).isInstanceOf(TaskCancelledException.class);
            assertThat(err.error().getSuppressed()).as("the body's failure is kept with the cancellation")
                    .singleElement().satisfies(kept -> assertThat(kept).isInstanceOf(IOException.class).hasMessage("boom"));
        });
        assertThat(parent.status()).isEqualTo(TaskStatus.CANCELLED);
    }
}
