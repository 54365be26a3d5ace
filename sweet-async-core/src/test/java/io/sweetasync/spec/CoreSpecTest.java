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
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Black-box checks of SPEC section 1, through the public API only (another package). */
@Timeout(60)
class CoreSpecTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // ---- 1.1 / 1.2 ----

    @Test
    void currentIsEmptyOutsideATask() {
        assertThat(AsyncTask.current()).isEmpty();
        assertThat(TaskContext.current()).isEmpty();
    }

    @Test
    void builderIsImmutableTemplate() {
        SpawningTaskBuilder<String> base = orchestrator.to(String.class).named("base");
        SpawningTaskBuilder<String> other = base.named("other").tag("k", "v").priority(TaskPriority.HIGH);
        assertThat(other).isNotSameAs(base);
        SpawningTask<String> a = base.run(() -> "a");
        a.join();
        assertThat(a.name()).isEqualTo("base");
        assertThat(a.info().tags()).isEmpty();
        assertThat(a.info().priority()).isEqualTo(TaskPriority.NORMAL);
        SpawningTask<String> b = base.run(() -> "b");
        b.join();
        assertThat(b.name()).isEqualTo("base");
    }

    @Test
    void defaultRuntimeIsVirtual() {
        SpawningTask<String> t = orchestrator.to(String.class).run(() -> "x");
        t.join();
        assertThat(t.info().runtime()).isEqualTo("virtual");
    }

    @Test
    void prioritiesAndStatusesInSpecOrder() {
        assertThat(TaskPriority.values()).containsExactly(TaskPriority.CRITICAL, TaskPriority.HIGH,
                TaskPriority.NORMAL, TaskPriority.LOW, TaskPriority.BACKGROUND);
        assertThat(TaskStatus.values()).containsExactly(TaskStatus.PENDING, TaskStatus.QUEUED, TaskStatus.RUNNING,
                TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED, TaskStatus.TIMED_OUT);
    }

    @Test
    void nullArgumentsAreRejectedWithNpe() {
        SpawningTaskBuilder<String> b = orchestrator.to(String.class);
        assertThatThrownBy(() -> b.named(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.timeout(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.retry(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.fallback(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.priority(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.group(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.runtime(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.tag(null, "v")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.run(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.await(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.after((SpawningTask<?>[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> orchestrator.to((Class<String>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> orchestrator.find(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> orchestrator.cancel(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> orchestrator.shutdown(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void unknownRuntimeIsRejected() {
        assertThatThrownBy(() -> orchestrator.to(String.class).runtime("nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }

    // ---- durations ----

    @Test
    void zeroAndNegativeTimeoutsAreRejectedNamingThem() {
        assertThatThrownBy(() -> orchestrator.to(String.class).timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> orchestrator.to(String.class).timeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }

    @Test
    void hugeTimeoutMeansPracticallyNever() {
        for (Duration huge : List.of(Duration.ofNanos(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE),
                Duration.ofMillis(Long.MAX_VALUE), Duration.ofDays(Long.MAX_VALUE / 86_400))) {
            assertThat(orchestrator.to(String.class).timeout(huge).await(() -> "ok")).isEqualTo("ok");
        }
    }

    @Test
    void hugeRetryDelayIsHonouredNotAnError() {
        SpawningTask<String> t = orchestrator.to(String.class).timeout(Duration.ofMillis(300))
                .retry(RetryPolicy.fixed(1, Duration.ofSeconds(Long.MAX_VALUE))).run(() -> {
                    throw new IOException("x");
                });
        assertThat(t.result().isOk()).isFalse();
        assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
        SpawningTask<String> e = orchestrator.to(String.class).timeout(Duration.ofMillis(300))
                .retry(RetryPolicy.exponential(3, Duration.ofSeconds(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE)).withJitter(1))
                .run(() -> {
                    throw new IOException("x");
                });
        assertThat(e.result().isOk()).isFalse();
        assertThat(e.status()).isEqualTo(TaskStatus.TIMED_OUT);
    }

    @Test
    void negativeRetryDelaysAreRejected() {
        assertThatThrownBy(() -> RetryPolicy.fixed(1, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
        assertThatThrownBy(() -> RetryPolicy.fixed(-1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.exponential(1, Duration.ofMillis(-1), Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial");
        assertThatThrownBy(() -> RetryPolicy.fixed(1, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void zeroRetryDelayRetriesAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        String v = orchestrator.to(String.class).retry(RetryPolicy.fixed(2, Duration.ZERO)).await(() -> {
            if (calls.incrementAndGet() < 3) {
                throw new IOException("again");
            }
            return "third";
        });
        assertThat(v).isEqualTo("third");
        assertThat(calls).hasValue(3);
    }

    // ---- 1.3 Future ----

    @Test
    void getTimeoutOnLongTaskThrowsTimeoutAndTaskGoesOn() throws Exception {
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(SpecSupport::sleepLong);
        assertThatThrownBy(() -> t.get(50, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> t.get(0, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> t.get(-5, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(t.isDone()).isFalse();
        t.cancel();
    }

    @Test
    void getWithHugeTimeoutWaits() throws Exception {
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(() -> {
            Thread.sleep(50);
            return 7;
        });
        assertThat(t.get(Long.MAX_VALUE, TimeUnit.DAYS)).isEqualTo(7);
        assertThat(t.get(Long.MAX_VALUE, TimeUnit.NANOSECONDS)).isEqualTo(7);
    }

    @Test
    void getWrapsTheAsyncTaskExceptionInExecutionException() {
        IOException boom = new IOException("boom");
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(() -> {
            throw boom;
        });
        assertThatThrownBy(t::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TaskFailedException.class).cause().isSameAs(boom);
        assertThatThrownBy(() -> t.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TaskFailedException.class);
        assertThatThrownBy(t::join).isInstanceOf(TaskFailedException.class).cause().isSameAs(boom);
        assertThat(t.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(t.isCancelled()).isFalse();
        assertThat(t.isDone()).isTrue();
    }

    @Test
    void isCancelledAsSoonAsCancelReturnsTrue() {
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(() -> {
            started.countDown();
            return SpecSupport.sleepLong();
        });
        await().until(() -> started.getCount() == 0);
        assertThat(t.cancel(true)).isTrue();
        // java.util.concurrent.Future: isCancelled() is true on every call after cancel returned true
        assertThat(t.isCancelled()).isTrue();
        assertThatThrownBy(t::get).isInstanceOf(CancellationException.class);
        assertThat(t.isCancelled()).isTrue();
        assertThat(t.isDone()).isTrue();
        assertThatThrownBy(t::join).isInstanceOf(TaskCancelledException.class); // join waits for the body's return
        assertThat(t.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void isCancelledForAChildCancelledWithItsParent() {
        SpawningTask<?>[] child = new SpawningTask<?>[1];
        SpawningTask<Integer> parent = SpecSupport.parentWithASleepingChild(orchestrator, child);
        assertThat(parent.cancel()).isTrue();
        assertThat(parent.isCancelled()).isTrue();
        assertThat(child[0].isCancelled()).isTrue();
        parent.result();
        assertThat(child[0].status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void isDoneAsSoonAsCancelReturnsTrue() throws Exception {
        CountDownLatch inBody = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(() -> {
            inBody.countDown();
            while (true) { // a body slow to return after its interrupt
                try {
                    release.await();
                    break;
                }
                catch (InterruptedException ignored) {
                    // keeps waiting
                }
            }
            return 1;
        });
        assertThat(inBody.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(t.cancel(true)).isTrue();
        // java.util.concurrent.Future: "After this method returns, subsequent calls to isDone will always return
        // true. Subsequent calls to isCancelled will always return true if this method returned true."
        assertThat(t.isDone()).isTrue();
        assertThat(t.isCancelled()).isTrue();
        assertThatThrownBy(t::get).isInstanceOf(CancellationException.class)
                .hasCauseInstanceOf(TaskCancelledException.class);
        assertThatThrownBy(() -> t.get(1, TimeUnit.DAYS)).isInstanceOf(CancellationException.class);
        assertThat(t.state()).isEqualTo(java.util.concurrent.Future.State.CANCELLED);
        assertThat(t.status()).as("terminal only once the body returned").isEqualTo(TaskStatus.RUNNING);
        release.countDown();
        assertThat(t.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(t.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(t.isDone()).isTrue();
    }

    @Test
    void cancelReturnsTrueExactlyWhenTheTaskEndsCancelled() {
        SpawningTask<String> done = orchestrator.to(String.class).run(() -> "x");
        done.join();
        assertThat(done.cancel()).isFalse();
        assertThat(done.cancel(true)).isFalse();
        assertThat(done.isCancelled()).isFalse();
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);

        SpawningTask<Integer> running = orchestrator.to(Integer.class).run(SpecSupport::sleepLong);
        assertThat(running.cancel()).isTrue();
        assertThat(running.cancel()).as("again, before the body returned: it ends CANCELLED").isTrue();
        running.result();
        assertThat(running.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(running.cancel()).as("again, once CANCELLED").isTrue();
        assertThat(running.cancel(true)).isTrue();

        SpawningTask<Integer> byId = orchestrator.to(Integer.class).run(SpecSupport::sleepLong);
        assertThat(orchestrator.cancel(byId.id())).isTrue();
        assertThat(orchestrator.cancel(byId.id()) || byId.status() == TaskStatus.CANCELLED)
                .as("by id again: true while it is live, or it has ended CANCELLED").isTrue();
        byId.result();
        assertThat(byId.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void cancellingTheCompletableFutureCancelsTheTask() {
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(SpecSupport::sleepLong);
        var future = t.toCompletableFuture();
        assertThat(future.cancel(true)).isTrue();
        t.result();
        assertThat(t.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    /** The javadoc: each call makes a new future, so one caller's complete or orTimeout touches no other's. */
    @Test
    void oneCallersFutureCompletedByHandTouchesNoOtherFutureNorTheTask() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(() -> {
            release.await();
            return 7;
        });
        var first = t.toCompletableFuture();
        var second = t.toCompletableFuture();
        assertThat(first.complete(-1)).isTrue();
        second.orTimeout(1, TimeUnit.NANOSECONDS);
        assertThatThrownBy(second::join).hasCauseInstanceOf(TimeoutException.class);
        release.countDown();
        assertThat(t.join()).isEqualTo(7);
        assertThat(t.toCompletableFuture().join()).isEqualTo(7);
        assertThat(first.join()).isEqualTo(-1);
    }

    @Test
    void completableFutureCompletesWithTheAsyncTaskException() {
        SpawningTask<Integer> t = orchestrator.to(Integer.class).run(() -> {
            throw new IOException("nope");
        });
        assertThatThrownBy(() -> t.toCompletableFuture().join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(TaskFailedException.class);
    }

    @Test
    void chainPassesFailureThroughUnchanged() {
        SpawningTask<Integer> failing = orchestrator.to(Integer.class).run(() -> {
            throw new IOException("first");
        });
        AtomicInteger ran = new AtomicInteger();
        SpawningTask<String> next = failing.chain(n -> {
            ran.incrementAndGet();
            return "n" + n;
        });
        assertThatThrownBy(next::join).isInstanceOf(TaskFailedException.class).hasRootCauseMessage("first");
        assertThat(next.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(ran).hasValue(0);
        assertThat(orchestrator.to(Integer.class).run(() -> 2).chain(n -> n * 21).join()).isEqualTo(42);
    }

    // ---- 1.4 TaskResult ----

    @Test
    void taskResultShape() {
        TaskResult<Integer> ok = new TaskResult.Ok<>(1);
        assertThat(ok.isOk()).isTrue();
        assertThat(ok.map(n -> n + 1).orElseThrow()).isEqualTo(2);
        assertThat(ok.flatMap(n -> new TaskResult.Ok<>("s" + n)).orElseThrow()).isEqualTo("s1");
        assertThat(ok.orElse(9)).isEqualTo(1);
        SpawningTask<Integer> failed = orchestrator.to(Integer.class).run(() -> {
            throw new IOException("bad");
        });
        TaskResult<Integer> err = failed.result();
        assertThat(err).isInstanceOf(TaskResult.Err.class);
        assertThat(err.isOk()).isFalse();
        assertThat(err.map(n -> n + 1)).isInstanceOf(TaskResult.Err.class);
        assertThat(err.orElse(9)).isEqualTo(9);
        assertThat(err.recover(e -> -1).orElseThrow()).isEqualTo(-1);
        assertThatThrownBy(err::orElseThrow).isInstanceOf(TaskFailedException.class);
        String text = switch (err) {
            case TaskResult.Ok<Integer>(Integer v) -> "ok";
            case TaskResult.Err<Integer>(AsyncTaskException e) -> "err";
        };
        assertThat(text).isEqualTo("err");
    }

    // ---- 1.5 ----

    @Test
    void timeoutEndsTimedOutAndJoinThrowsTaskTimeoutException() {
        SpawningTask<Integer> t = orchestrator.to(Integer.class).timeout(Duration.ofMillis(100)).run(SpecSupport::sleepLong);
        assertThatThrownBy(t::join).isInstanceOf(TaskTimeoutException.class);
        assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(t.cancel()).isFalse();
        assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
    }

    @Test
    void runawayBodyDoesNotHoldTheCaller() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        // the deadline runs from submission: on a loaded machine it can pass before the body has started, and a
        // body that never started is no runaway; such a task is run again with a deadline twice as long
        SpawningTask<Integer> t = null;
        for (Duration timeout = Duration.ofMillis(200); started.get() == 0 && timeout.toSeconds() < 30;
                timeout = timeout.multipliedBy(2)) {
            long start = System.nanoTime();
            t = orchestrator.to(Integer.class).named("stubborn").timeout(timeout).run(() -> {
                started.incrementAndGet();
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    }
                    catch (InterruptedException ignored) {
                        // ignores interrupts
                    }
                }
                return 1;
            });
            // the body never returns before release below: join() returning at all is the proof
            assertThatThrownBy(t::join).isInstanceOf(TaskTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(timeout.plusSeconds(30));
        }
        assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(started).hasValue(1);
        assertThat(orchestrator.runawayCount()).isEqualTo(1);
        release.countDown();
        await().until(() -> orchestrator.runawayCount() == 0);
    }

    @Test
    void exceptionMessageNamesTaskPathAttemptsAndCause() {
        SpawningTask<String> parent = orchestrator.to(String.class).named("nightly-sync").run(() -> {
            SpawningTask<String> child = orchestrator.to(String.class).named("import-users")
                    .retry(RetryPolicy.fixed(2, Duration.ofMillis(1))).run(() -> {
                        throw new IOException("connection reset");
                    });
            try {
                child.join();
                return "no";
            }
            catch (AsyncTaskException ex) {
                return ex.getMessage() + "|" + child.id() + "|" + TaskContext.current().orElseThrow().id();
            }
        });
        String[] parts = parent.join().split("\\|");
        assertThat(parts[0]).isEqualTo("task import-users#" + parts[1] + " (in nightly-sync#" + parts[2]
                + ") failed after 3 attempts: IOException: connection reset");
    }

    @Test
    void exceptionCarriesTaskInfo() {
        SpawningTask<Integer> t = orchestrator.to(Integer.class).named("x").run(() -> {
            throw new IOException("bad");
        });
        AsyncTaskException ex = t.result() instanceof TaskResult.Err<Integer>(AsyncTaskException e) ? e : null;
        assertThat(ex).isNotNull();
        TaskInfo info = ex.task();
        assertThat(info.id()).isEqualTo(t.id());
        assertThat(info.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(info.failure().type()).isEqualTo("IOException");
    }

    @Test
    void fallbackUsedOnFailureButNotOnCancel() {
        assertThat(orchestrator.to(String.class).fallback(e -> "fb").await(() -> {
            throw new IOException("x");
        })).isEqualTo("fb");
        SpawningTask<Integer> c = orchestrator.to(Integer.class).fallback(e -> -1).run(SpecSupport::sleepLong);
        c.cancel();
        assertThatThrownBy(c::join).isInstanceOf(TaskCancelledException.class);
    }

    @Test
    void fallbackThatThrowsFailsTheTask() {
        SpawningTask<String> t = orchestrator.to(String.class).fallback(e -> {
            throw new IllegalStateException("fallback broke");
        }).run(() -> {
            throw new IOException("x");
        });
        assertThatThrownBy(t::join).isInstanceOf(TaskFailedException.class);
    }

    @Test
    void throwingListenerDoesNotBreakTasks() {
        orchestrator.addListener(SpecSupport.throwingListener(() -> new IllegalStateException("listener"), null));
        assertThat(orchestrator.to(String.class).await(() -> "fine")).isEqualTo("fine");
    }

    // ---- 1.6 ----

    @Test
    void perTypeRulesFirstMatchWinsAndUnmatchedIsNotRetried() {
        RetryPolicy policy = RetryPolicy.when(IOException.class, RetryPolicy.fixed(2, Duration.ZERO))
                .when(Exception.class, RetryPolicy.fixed(5, Duration.ZERO));
        AtomicInteger io = new AtomicInteger();
        orchestrator.to(String.class).retry(policy).run(() -> {
            io.incrementAndGet();
            throw new IOException("io");
        }).result();
        assertThat(io).hasValue(3);
        AtomicInteger unmatched = new AtomicInteger();
        RetryPolicy only = RetryPolicy.when(IOException.class, RetryPolicy.fixed(4, Duration.ZERO));
        SpawningTask<String> t = orchestrator.to(String.class).retry(only).run(() -> {
            unmatched.incrementAndGet();
            throw new IllegalArgumentException("other");
        });
        t.result();
        assertThat(unmatched).hasValue(1);
        assertThat(t.info().attempts()).isEqualTo(1);
    }

    @Test
    void attemptStartsAtOneAndCountsRetries() {
        List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        orchestrator.to(String.class).retry(RetryPolicy.fixed(2, Duration.ZERO)).run(() -> {
            seen.add(TaskContext.current().orElseThrow().attempt());
            throw new IOException("again");
        }).result();
        assertThat(seen).containsExactly(1, 2, 3);
    }

    @Test
    void timedOutTaskIsNeverRetried() {
        // the deadline runs from submission: on a loaded machine it can pass before the first attempt's body
        // has started (no attempt at all proves nothing), so a run whose body never started is run again with
        // a deadline twice as long
        AtomicInteger calls = new AtomicInteger();
        for (Duration timeout = Duration.ofMillis(100); calls.get() == 0 && timeout.toSeconds() < 30;
                timeout = timeout.multipliedBy(2)) {
            SpawningTask<Integer> t = orchestrator.to(Integer.class).timeout(timeout)
                    .retry(RetryPolicy.fixed(5, Duration.ZERO).retryOn(Exception.class)).run(() -> {
                        calls.incrementAndGet();
                        return SpecSupport.sleepLong();
                    });
            t.result();
            assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
        assertThat(calls).hasValue(1);
    }

    // ---- 1.7 ----

    @Test
    void builtInRuntimes() {
        var runtimes = orchestrator.runtimes();
        assertThat(runtimes.get("virtual").kind()).isEqualTo(TaskRuntime.Kind.VIRTUAL);
        assertThat(runtimes.get("platform").kind()).isEqualTo(TaskRuntime.Kind.PLATFORM);
        assertThat(runtimes.get("platform").parallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(runtimes.get("single").kind()).isEqualTo(TaskRuntime.Kind.SINGLE);
    }

    // ---- 1.8 ----

    @Test
    void treeRules() {
        SpawningTask<List<TaskResult<?>>> parent = orchestrator.<List<TaskResult<?>>>to().named("p").run(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            assertThat(ctx.attempt()).isEqualTo(1);
            assertThat(ctx.parent()).isEmpty();
            ctx.runChild(() -> "one");
            orchestrator.to(Integer.class).run(() -> {
                throw new IOException("child fails");
            });
            ctx.child(String.class).named("three").run(() -> "three");
            return ctx.joinChildren();
        });
        List<TaskResult<?>> results = parent.join();
        assertThat(results).hasSize(3);
        assertThat(results.get(0).orElseThrow()).isEqualTo("one");
        assertThat(results.get(1).isOk()).isFalse();
        assertThat(results.get(2).orElseThrow()).isEqualTo("three");
        assertThat(parent.status()).isEqualTo(TaskStatus.COMPLETED);
    }

    @Test
    void childrenOfAFinishedParentAreRejected() {
        TaskContext[] ctx = new TaskContext[1];
        orchestrator.to(String.class).run(() -> {
            ctx[0] = TaskContext.current().orElseThrow();
            return "x";
        }).join();
        assertThatThrownBy(() -> ctx[0].runChild(() -> "late")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ctx[0].child(String.class).run(() -> "late")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void cancellingAParentCancelsItsSubtreeAndParentWaitsForChildren() {
        SpawningTask<?>[] child = new SpawningTask<?>[1];
        SpawningTask<Integer> parent = SpecSupport.parentWithASleepingChild(orchestrator, child);
        assertThat(parent.cancel()).isTrue();
        parent.result();
        assertThat(parent.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(child[0].status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void dependencyFailureCancelsDependentNamingIt() {
        SpawningTask<Integer> first = orchestrator.to(Integer.class).named("first-dep").run(() -> {
            throw new IOException("x");
        });
        SpawningTask<Integer> second = orchestrator.to(Integer.class).after(first).run(() -> 1);
        assertThatThrownBy(second::join).isInstanceOf(TaskCancelledException.class).hasMessageContaining("first-dep");
        assertThat(second.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    // ---- 1.9 ----

    @Test
    void orchestratorViews() {
        SpawningTask<Integer> t = orchestrator.to(Integer.class).named("live").run(SpecSupport::sleepLong);
        assertThat(orchestrator.find(t.id())).isPresent();
        assertThat(orchestrator.roots()).extracting(TaskInfo::id).contains(t.id());
        assertThat(orchestrator.cancel(t.id())).isTrue();
        t.result();
        await().until(() -> orchestrator.recent().stream().anyMatch(i -> i.id().equals(t.id())));
        assertThat(orchestrator.find(t.id()).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void shutdownReportsWhetherEverythingFinished() {
        orchestrator.to(Integer.class).run(SpecSupport::sleepLong);
        assertThat(orchestrator.shutdown(Duration.ofMillis(100))).isFalse();
        SpawningTask<String> late = orchestrator.to(String.class).run(() -> "late");
        assertThatThrownBy(late::join).isInstanceOf(io.sweetasync.TaskRejectedException.class);
    }

    @Test
    void shutdownWithHugeGraceIsNotAnError() {
        orchestrator.to(String.class).run(() -> "quick").join();
        assertThat(orchestrator.shutdown(Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
    }
}
