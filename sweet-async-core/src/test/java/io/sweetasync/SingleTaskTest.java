package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SingleTaskTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void runReturnsAHandleAndJoinTheValue() {
        SpawningTask<String> task = orchestrator.to(String.class).named("greet").run(() -> "hello");
        assertThat(task.join()).isEqualTo("hello");
        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(task.isDone()).isTrue();
        assertThat(task.result()).isEqualTo(TaskResult.ok("hello"));
        TaskInfo info = task.info();
        assertThat(info.name()).isEqualTo("greet");
        assertThat(info.path()).isEqualTo("greet#" + task.id());
        assertThat(info.attempts()).isEqualTo(1);
        assertThat(info.runtime()).isEqualTo("virtual");
        assertThat(info.startedAt()).isNotNull();
        assertThat(info.completedAt()).isAfterOrEqualTo(info.startedAt());
        assertThat(info.failure()).isNull();
    }

    @Test
    void awaitAndAwaitResult() {
        assertThat(orchestrator.to(Integer.class).await(() -> 41 + 1)).isEqualTo(42);
        String text = orchestrator.to(Integer.class).awaitResult(() -> {
            throw new IOException("disk gone");
        }, result -> switch (result) {
            case TaskResult.Ok<Integer>(Integer n) -> "ok " + n;
            case TaskResult.Err<Integer>(AsyncTaskException e) -> e.getClass().getSimpleName();
        });
        assertThat(text).isEqualTo("TaskFailedException");
    }

    @Test
    void inferredTypeWithoutClassLiteral() {
        List<String> names = orchestrator.<List<String>>to().await(() -> List.of("a", "b"));
        assertThat(names).containsExactly("a", "b");
    }

    @Test
    void failureMessageNamesTaskIdAttemptsAndCause() {
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("import-users")
                .retry(RetryPolicy.fixed(2, Duration.ZERO))
                .run(() -> {
                    throw new IOException("connection reset");
                });
        assertThatThrownBy(task::join).isInstanceOf(TaskFailedException.class)
                .hasMessage("task import-users#" + task.id() + " failed after 3 attempts: IOException: connection reset")
                .hasCauseInstanceOf(IOException.class);
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(task.info().failure()).isEqualTo(new TaskInfo.Failure("IOException", "connection reset"));
        TaskFailedException error = (TaskFailedException) ((TaskResult.Err<Integer>) task.result()).error();
        assertThat(error.task().attempts()).isEqualTo(3);
        assertThat(error.task().status()).isEqualTo(TaskStatus.FAILED);
    }

    @Test
    void childFailureMessageNamesThePath() {
        SpawningTask<String> parent = orchestrator.to(String.class).named("nightly-sync").run(() -> {
            SpawningTask<Integer> child = TaskContext.current().orElseThrow().child(Integer.class).named("import-users")
                    .run(() -> {
                        throw new IOException("connection reset");
                    });
            return child.result() instanceof TaskResult.Err<Integer>(AsyncTaskException e) ? e.getMessage() : "?";
        });
        assertThat(parent.join()).matches(
                "task import-users#\\d+ \\(in nightly-sync#" + parent.id() + "\\) failed after 1 attempt: IOException: connection reset");
    }

    @Test
    void getWrapsFailuresInExecutionExceptionAndCancellationAsFutureRequires() throws Exception {
        SpawningTask<Integer> failing = orchestrator.to(Integer.class).run(() -> {
            throw new IllegalStateException("bad");
        });
        assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TaskFailedException.class);

        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> blocked = orchestrator.to(Integer.class).run(Blocking.untilInterrupted(started));
        started.await();
        assertThat(blocked.cancel(true)).isTrue();
        assertThatThrownBy(blocked::get).isInstanceOf(CancellationException.class)
                .hasCauseInstanceOf(TaskCancelledException.class);
        assertThat(blocked.isCancelled()).isTrue();
        assertThat(blocked.state()).isEqualTo(java.util.concurrent.Future.State.CANCELLED);
    }

    @Test
    void completableFutureCompletesAndItsCancellationCancelsTheTask() throws Exception {
        assertThat(orchestrator.to(String.class).run(() -> "v").toCompletableFuture().get()).isEqualTo("v");

        CompletableFuture<Integer> failed = orchestrator.to(Integer.class).run(() -> {
            throw new IOException("x");
        }).toCompletableFuture();
        assertThatThrownBy(failed::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(TaskFailedException.class);

        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).run(Blocking.untilInterrupted(started));
        started.await();
        task.toCompletableFuture().cancel(true);
        assertThat(task.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void chainRunsOnTheValueAndPassesFailuresThroughUnchanged() {
        SpawningTask<Integer> count = orchestrator.to(Integer.class).named("count").run(() -> 3);
        assertThat(count.chain(n -> n + " rows").join()).isEqualTo("3 rows");

        SpawningTask<Integer> broken = orchestrator.to(Integer.class).named("broken").run(() -> {
            throw new IOException("nope");
        });
        SpawningTask<String> next = broken.chain(n -> "never");
        TaskResult<String> result = next.result();
        AsyncTaskException upstreamError = ((TaskResult.Err<Integer>) broken.result()).error();
        assertThat(result).isEqualTo(new TaskResult.Err<String>(upstreamError));
        assertThat(next.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(next.info().attempts()).as("the continuation never ran").isZero();
    }

    @Test
    void fallbackAfterTheLastAttemptKeepsTheHonestStatus() {
        SpawningTask<String> task = orchestrator.to(String.class)
                .retry(RetryPolicy.fixed(1, Duration.ZERO))
                .fallback(error -> "cached after " + error.task().attempts())
                .run(() -> {
                    throw new IOException("down");
                });
        assertThat(task.join()).isEqualTo("cached after 2");
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(task.info().failure()).isEqualTo(new TaskInfo.Failure("IOException", "down"));
    }

    @Test
    void throwingFallbackFailsWithItsCauseAndTheOriginalSuppressed() {
        SpawningTask<String> task = orchestrator.to(String.class)
                .fallback(error -> {
                    throw new IllegalStateException("no cache either");
                })
                .run(() -> {
                    throw new IOException("down");
                });
        assertThatThrownBy(task::join).isInstanceOf(TaskFailedException.class)
                .hasCauseInstanceOf(IllegalStateException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(TaskFailedException.class));
    }

    @Test
    void defaultNameComesFromTheDeclaringClass() {
        assertThat(orchestrator.to(String.class).run(() -> "x").name()).isEqualTo("SingleTaskTest");
        assertThat(TaskFactory.deriveName(java.util.concurrent.Callable.class)).isEqualTo("Callable");
        assertThat(TaskFactory.deriveName(java.util.Map.Entry.class)).isEqualTo("Map.Entry");
    }

    @Test
    void metricsCountQueueWaitAndRunTimeAndNeverFakeResources() throws Exception {
        SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> {
            Thread.sleep(20);
            return 1;
        });
        task.join();
        TaskMetrics metrics = task.metrics();
        assertThat(metrics.runTime()).isGreaterThanOrEqualTo(Duration.ofMillis(20));
        assertThat(metrics.queueWait().isNegative()).isFalse();
        assertThat(metrics.cpuTimeNanos().isAvailable()).isFalse();
        assertThat(metrics.cpuTimeNanos().amount()).isEqualTo(-1);
    }
}
