package io.sweetasync.review13;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * README, "The orchestrator": "listeners, fallbacks and completion callbacks see no TaskContext, on whichever thread
 * they run (a callback a body waiting on the future runs too), and a task they start is a root". A callback a body
 * added to the future of a task that had ended already ran at once, on the body's thread, as part of the body: it saw
 * the body's {@code TaskContext} and a task it started was the body's child; added a moment earlier, before the task
 * ended, the same callback saw none and started a root.
 */
@Timeout(60)
class Review13ReadmeCallbacksTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /** {@code [whether the callback saw a TaskContext, whether the task it started has a parent]}. */
    private List<Boolean> fromCallback() {
        boolean context = TaskContext.current().isPresent();
        SpawningTask<String> started = orchestrator.to(String.class).named("from-callback").run(() -> "x");
        started.join();
        return List.of(context, started.info().parentId() != null);
    }

    @ParameterizedTest
    @ValueSource(strings = { "thenApply", "handle", "whenComplete", "thenCompose", "thenCombine", "applyToEither",
            "minimalStage", "derived", "thenApplyAsyncDirect",
            "acceptEitherAsyncDirect" })
    void aCallbackAddedByABodyToTheFutureOfAnEndedTaskSeesNoContextAndStartsARoot(String how) {
        for (String runtime : List.of("virtual", "platform", "single")) {
            List<Boolean> seen = orchestrator.<List<Boolean>>to().named("parent").runtime(runtime).await(() -> {
                SpawningTask<String> child = orchestrator.to(String.class).named("child").run(() -> "c");
                child.join();
                CompletableFuture<String> done = child.toCompletableFuture();
                Function<CompletionStage<String>, CompletionStage<List<Boolean>>> add = switch (how) {
                    case "thenApply" -> f -> f.thenApply(v -> fromCallback());
                    case "handle" -> f -> f.handle((v, e) -> fromCallback());
                    case "whenComplete" -> f -> {
                        CompletableFuture<List<Boolean>> out = new CompletableFuture<>();
                        f.whenComplete((v, e) -> out.complete(fromCallback()));
                        return out;
                    };
                    case "thenCompose" -> f -> f.thenCompose(v -> CompletableFuture.completedFuture(fromCallback()));
                    case "thenCombine" -> f -> f.thenCombine(CompletableFuture.completedFuture(1), (v, w) -> fromCallback());
                    case "applyToEither" -> f -> f.applyToEither(new CompletableFuture<String>(), v -> fromCallback());
                    case "minimalStage" -> f -> ((CompletableFuture<String>) f).minimalCompletionStage()
                            .thenApply(v -> fromCallback());
                    case "thenApplyAsyncDirect" -> f -> f.thenApplyAsync(v -> fromCallback(), Runnable::run);
                    case "acceptEitherAsyncDirect" -> f -> {
                        CompletableFuture<List<Boolean>> out = new CompletableFuture<>();
                        f.acceptEitherAsync(new CompletableFuture<String>(), v -> out.complete(fromCallback()), Runnable::run);
                        return out;
                    };
                    default -> f -> ((CompletableFuture<String>) f).thenApply(v -> v + "!").thenApply(v -> fromCallback());
                };
                return add.apply(done).toCompletableFuture().join();
            });
            assertThat(seen).as(how + " on " + runtime + ": [context seen, started task has a parent]")
                    .containsExactly(false, false);
        }
    }

    /** A child builder taken in the body still makes the body's children from such a callback. */
    @Test
    void aChildBuilderTakenInTheBodyStillMakesChildrenFromSuchACallback() {
        Boolean hasParent = orchestrator.to(Boolean.class).named("parent").await(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            SpawningTask<String> child = ctx.child(String.class).named("child").run(() -> "c");
            child.join();
            return child.toCompletableFuture().thenApply(v -> {
                SpawningTask<String> explicit = ctx.child(String.class).named("explicit").run(() -> "e");
                explicit.join();
                return explicit.info().parentId() != null;
            }).join();
        });
        assertThat(hasParent).isTrue();
    }
}
