package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A future derived from a task's future refuses an endless wait for that task from within it, unless it may complete
 * without the task; a minimal stage of a task's future behaves as the JDK's does, its waits managed.
 */
@Timeout(30)
class DerivedFutureOriginTest {

    @Test
    void aDerivedFutureThatMayCompleteWithoutTheTaskIsNotRefused() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CompletableFuture<SpawningTask<String>> handle = new CompletableFuture<>();
            SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
                SpawningTask<String> self = handle.get();
                CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> "other",
                        CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)); // not done when waited on
                String either = self.toCompletableFuture().applyToEither(other, value -> value).join();
                String timedOut = self.toCompletableFuture().thenApply(value -> value)
                        .completeOnTimeout("late", 10, TimeUnit.MILLISECONDS).join();
                assertThatThrownBy(() -> self.toCompletableFuture().thenApply(value -> value).join())
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot wait for itself");
                return either + "," + timedOut;
            });
            handle.complete(task);
            assertThat(task.get(10, TimeUnit.SECONDS)).isEqualTo("other,late");
        }
    }

    /**
     * A task's own future names its task without a reference object (it holds the task anyway); a future derived
     * from it names the task weakly, so one kept after the task ended (a cache of results) does not keep the task
     * and what it holds.
     */
    @Test
    void aKeptDerivedFutureDoesNotKeepItsEndedTask() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CompletableFuture<Object> derived = derive(orchestrator);
            WeakReference<TaskNode<?>> task = new WeakReference<>(((ManagedFuture<?>) derived).origin());
            assertThat(task.get()).as("the derived future names its task").isNotNull();
            for (int i = 0; i < 200 && task.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertThat(task.get()).as("the ended task, kept by nothing but a future derived from its own").isNull();
            assertThat(derived.join()).isEqualTo(42);
        }
    }

    private static CompletableFuture<Object> derive(TaskOrchestrator orchestrator) {
        CompletableFuture<Integer> own = orchestrator.to(Integer.class).run(() -> 42).toCompletableFuture();
        assertThat(((ManagedFuture<?>) own).origin()).isNotNull();
        CompletableFuture<Object> derived = own.thenApply(value -> value);
        derived.join();
        return derived;
    }

    @Test
    void aMinimalStageOfATasksFutureIsMinimalAndRelaysItsOutcome() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CompletionStage<String> ok = orchestrator.to(String.class).run(() -> "v").toCompletableFuture()
                    .minimalCompletionStage();
            assertThat(ok.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("v");
            assertThat(ok.thenApply(String::toUpperCase).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("V");
            CompletableFuture<String> asFuture = (CompletableFuture<String>) ok;
            assertThatThrownBy(asFuture::join).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> asFuture.complete("x")).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(asFuture::isDone).isInstanceOf(UnsupportedOperationException.class);

            CompletableFuture<String> plain = new CompletableFuture<>();
            CompletableFuture<String> plainFailed = plain.minimalCompletionStage().toCompletableFuture();
            plain.completeExceptionally(new IOException("disk"));
            CompletionStage<String> failed = orchestrator.to(String.class).<String>run(() -> {
                throw new IOException("disk");
            }).toCompletableFuture().minimalCompletionStage();
            ExecutionException ours = catchGet(failed.toCompletableFuture());
            ExecutionException jdks = catchGet(plainFailed);
            assertThat(ours.getCause().getClass()).as("as the JDK's relay: the same cause type as the task's future")
                    .isEqualTo(TaskFailedException.class);
            assertThat(jdks.getCause()).isInstanceOf(IOException.class);

            SpawningTask<String> held = orchestrator.to(String.class).run(() -> {
                Thread.sleep(60_000);
                return "never";
            });
            CompletableFuture<String> fromCancelled = held.toCompletableFuture().minimalCompletionStage()
                    .toCompletableFuture();
            CompletableFuture<String> derived = held.toCompletableFuture().thenApply(value -> value);
            held.cancel();
            ExecutionException cancelled = catchGet(fromCancelled);
            assertThat(cancelled.getCause()).as("as a future derived from the task's: its cancellation")
                    .isInstanceOf(TaskCancelledException.class).hasSameClassAs(catchGet(derived).getCause());
        }
    }

    /**
     * The rule's edge, as documented: a future derived from the task's own future is refused from within the task even
     * when something else would complete it ({@code complete} from another thread, a timeout set on an earlier future of
     * the chain after it was derived): the engine cannot know. A bounded wait is not refused and ends as the JDK's.
     */
    @Test
    void aDerivedFutureCompletedByOtherMeansIsRefusedUnboundedAndWaitedBounded() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CompletableFuture<SpawningTask<String>> handle = new CompletableFuture<>();
            SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
                SpawningTask<String> self = handle.get();
                CompletableFuture<String> derived = self.toCompletableFuture().thenApply(value -> value);
                CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS).execute(() -> derived.complete("other"));
                assertThatThrownBy(derived::join).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("get(timeout)");
                return derived.get(10, TimeUnit.SECONDS);
            });
            handle.complete(task);
            assertThat(task.get(10, TimeUnit.SECONDS)).isEqualTo("other");
        }
    }

    private static ExecutionException catchGet(CompletableFuture<String> future) throws Exception {
        try {
            future.get(10, TimeUnit.SECONDS);
        }
        catch (ExecutionException ex) {
            return ex;
        }
        catch (TimeoutException ex) {
            throw new AssertionError("not completed", ex);
        }
        throw new AssertionError("completed normally");
    }
}
