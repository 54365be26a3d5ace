package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pre-existing, not from b0fcc393: CompletableFuture.anyOf/allOf make plain futures (new CompletableFuture, not
 * newIncompleteFuture), so a body on single waiting through them keeps the only thread: its queued child never runs.
 */
@Timeout(30)
class Review3AnyOfSingleTest {

    @Test
    void anyOfAChildsFutureOnSingleLetsTheChildRun() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            SpawningTask<String> parent = orchestrator.to(String.class).runtime("single").run(() -> {
                SpawningTask<String> child = TaskContext.current().orElseThrow().child(String.class).run(() -> "c");
                try {
                    return String.valueOf(CompletableFuture.anyOf(child.toCompletableFuture(), new CompletableFuture<>())
                            .get(2, TimeUnit.SECONDS));
                }
                catch (java.util.concurrent.TimeoutException ex) {
                    return "child never ran";
                }
            });
            assertThat(parent.get(10, TimeUnit.SECONDS)).isEqualTo("c");
        }
    }
}
