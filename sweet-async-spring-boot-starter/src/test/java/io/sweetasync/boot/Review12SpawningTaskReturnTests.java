package io.sweetasync.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskFailedException;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.autoconfigure.SweetAsyncAspectAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * An {@code @AsyncTask} method declared to return {@code SpawningTask} hands its caller the task the aspect runs,
 * whose body awaits the task the method returned. When that one failed, the caller's task failed with a
 * {@code TaskFailedException} wrapping the other task's {@code TaskFailedException}: {@code join()}'s cause was
 * not the method's exception (a caller checking {@code getCause() instanceof IOException} missed it), and the
 * annotation's {@code retryOn} never matched, so the method was never retried.
 */
class Review12SpawningTaskReturnTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class))
            .withBean(Handles.class);

    @Test
    void aFailedReturnedTaskFailsTheCallersTaskWithTheMethodsOwnException() {
        runner.run(context -> {
            SpawningTask<String> handle = context.getBean(Handles.class).failing();
            assertThatThrownBy(handle::join).isInstanceOf(TaskFailedException.class)
                    .cause().isInstanceOf(IOException.class).hasMessage("boom");
        });
    }

    @Test
    void retryOnMatchesTheFailureOfTheReturnedTask() {
        runner.run(context -> {
            Handles handles = context.getBean(Handles.class);
            assertThat(handles.flaky().join()).isEqualTo("ok after 3");
            assertThat(handles.calls()).isEqualTo(3);
        });
    }

    /**
     * The same for a method returning a task's {@code toCompletableFuture()}, the usual way to hand a task on as a
     * future: it fails with the task's {@code TaskFailedException}, and {@code retryOn} never matched either.
     */
    @Test
    void retryOnMatchesTheFailureOfAReturnedTasksFuture() {
        runner.run(context -> {
            Handles handles = context.getBean(Handles.class);
            assertThat(handles.flakyFuture().get(30, TimeUnit.SECONDS)).isEqualTo("ok after 3");
            assertThat(handles.futureCalls()).isEqualTo(3);
        });
    }

    public static class Handles {

        private final AtomicInteger calls = new AtomicInteger();

        private final AtomicInteger futureCalls = new AtomicInteger();

        public int futureCalls() {
            return futureCalls.get();
        }

        @AsyncTask(name = "flaky-future", retries = 3, retryBackoff = "0s", retryOn = IOException.class)
        public CompletableFuture<String> flakyFuture() {
            int call = futureCalls.incrementAndGet();
            return io.sweetasync.AsyncTask.to(String.class).named("flaky-future-inner").run(() -> {
                if (call < 3) {
                    throw new IOException("flaky " + call);
                }
                return "ok after " + call;
            }).toCompletableFuture();
        }

        public int calls() {
            return calls.get();
        }

        @AsyncTask(name = "failing-handle")
        public SpawningTask<String> failing() {
            return io.sweetasync.AsyncTask.to(String.class).named("inner").run(() -> {
                throw new IOException("boom");
            });
        }

        @AsyncTask(name = "flaky-handle", retries = 3, retryBackoff = "0s", retryOn = IOException.class)
        public SpawningTask<String> flaky() {
            int call = calls.incrementAndGet();
            return io.sweetasync.AsyncTask.to(String.class).named("flaky-inner").run(() -> {
                if (call < 3) {
                    throw new IOException("flaky " + call);
                }
                return "ok after " + call;
            });
        }
    }
}
