package io.sweetasync.internal;

import io.sweetasync.SpawningTask;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Not API. Joins the Spring Boot starter's {@code @AsyncTask} aspect to the engine: the future a method that
 * returns one gives its caller is the task's own future ({@code toCompletableFuture()}: cancelling it cancels the
 * task, its waits are managed blocks), but failing with the method's own exception, as the method did, rather
 * than the {@code TaskFailedException} around it. One future per call, where deriving it from the task's
 * ({@code exceptionallyCompose}, and a stage that passes a cancel back to the task) made three, with their stages.
 * The engine installs the maker as its task class loads, before any task exists.
 */
public final class MethodFutures {

    private static volatile Function<SpawningTask<?>, CompletableFuture<?>> maker;

    private MethodFutures() {
    }

    /**
     * Called once, by the engine.
     *
     * @throws IllegalStateException if a maker is installed already
     */
    public static synchronized void install(Function<SpawningTask<?>, CompletableFuture<?>> engineMaker) {
        Objects.requireNonNull(engineMaker, "engineMaker");
        if (maker != null) {
            throw new IllegalStateException("the engine's method futures are installed already");
        }
        maker = engineMaker;
    }

    /**
     * {@code task}'s future, failing with the body's own exception; null if {@code task} is not a task of this
     * JVM's engine (a durable or placed call's handle), whose future the caller derives itself.
     */
    @SuppressWarnings("unchecked") // the maker makes the future of the task it is given, of T
    public static <T> CompletableFuture<T> of(SpawningTask<T> task) {
        Function<SpawningTask<?>, CompletableFuture<?>> engine = maker;
        return engine == null ? null : (CompletableFuture<T>) engine.apply(task);
    }
}
