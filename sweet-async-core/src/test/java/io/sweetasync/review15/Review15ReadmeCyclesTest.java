package io.sweetasync.review15;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README, "Runtimes": the cycles the engine can see are refused at once naming both tasks; the others are not. */
@Timeout(120)
class Review15ReadmeCyclesTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private String inBody(java.util.function.Function<SpawningTask<String>, String> body) throws Exception {
        AtomicReference<SpawningTask<String>> self = new AtomicReference<>();
        CountDownLatch set = new CountDownLatch(1);
        SpawningTask<String> task = orchestrator.to(String.class).named("self").run(() -> {
            set.await();
            return body.apply(self.get());
        });
        self.set(task);
        set.countDown();
        return task.join();
    }

    private static String refusal(Runnable call) {
        Throwable error = catchThrowable(call::run);
        assertThat(error).isInstanceOfAny(IllegalArgumentException.class, IllegalStateException.class);
        return error.getMessage();
    }

    // "or starts a task after(...) (or chains on) its own task or an ancestor"
    @Test
    void startingAfterOrChainingOnItsOwnTaskIsRefused() throws Exception {
        String messages = inBody(self -> refusal(() -> orchestrator.to(String.class).named("later").after(self)
                .run(() -> "x")) + " | " + refusal(() -> self.chain(v -> v + "!")));
        assertThat(messages).contains("self");
    }

    // "a body that waits for its own task ... also through a future derived from the task's toCompletableFuture(),
    // unless it may complete without it: ... orTimeout, completeOnTimeout"
    @Test
    void aDerivedFutureIsRefusedUnlessItMayCompleteWithoutTheTask() throws Exception {
        String outcome = inBody(self -> {
            String derived = refusal(() -> self.toCompletableFuture().thenApply(v -> v + "!").join());
            String bounded;
            try {
                bounded = self.toCompletableFuture().thenApply(v -> v).orTimeout(50, TimeUnit.MILLISECONDS).get()
                        .toString();
            } catch (ExecutionException e) {
                bounded = e.getCause() instanceof TimeoutException ? "timed out" : e.toString();
            } catch (InterruptedException e) {
                bounded = e.toString();
            }
            String fallback = self.toCompletableFuture().completeOnTimeout("default", 50, TimeUnit.MILLISECONDS).join();
            return (derived.contains("self") ? "refused naming it" : derived) + ", " + bounded + ", " + fallback;
        });
        assertThat(outcome).isEqualTo("refused naming it, timed out, default");
    }
}
