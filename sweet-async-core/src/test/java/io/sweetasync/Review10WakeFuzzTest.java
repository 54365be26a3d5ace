package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of the own thread's wake (896ac479), a probe that holds: random acyclic waits of single-runtime
 * bodies, each on tasks made before it, through every kind of wait the wake serves (join, result, get, get(timeout),
 * joinChildren, toCompletableFuture().get()/join(), derived futures, minimalCompletionStage().toCompletableFuture()),
 * a short timed wait first on the same future (so the later wait reuses the wake), callbacks on those futures that
 * join earlier tasks (acyclic: an earlier task waits only for tasks earlier still), two single runtimes' own threads
 * on the same futures. Every round must finish.
 */
@Timeout(120)
class Review10WakeFuzzTest {

    @Test
    void randomAcyclicWaitsOfOwnThreadsAllFinish() throws Exception {
        long base = System.nanoTime();
        for (int round = 0; round < 150; round++) {
            long seed = base + round;
            try (TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.single("single2")).build()) {
                SplittableRandom rnd = new SplittableRandom(seed);
                int n = 12;
                AtomicReferenceArray<SpawningTask<Integer>> tasks = new AtomicReferenceArray<>(n);
                List<CompletableFuture<?>> callbacks = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int me = i;
                    long mySeed = rnd.nextLong();
                    String runtime = rnd.nextInt(4) == 0 ? "single2" : rnd.nextInt(5) == 0 ? "virtual" : "single";
                    SpawningTask<Integer> t = o.to(Integer.class).named("t" + i).runtime(runtime).run(() -> {
                        SplittableRandom r = new SplittableRandom(mySeed);
                        int sum = me;
                        if (r.nextInt(3) == 0) {
                            Thread.sleep(1); // so that waits for it park
                        }
                        if (r.nextInt(3) == 0) {
                            TaskContext c = TaskContext.current().orElseThrow();
                            c.child(Integer.class).named("c" + me).runtime("single").run(() -> me);
                            c.child(Integer.class).named("d" + me).run(() -> {
                                Thread.sleep(r.nextInt(3));
                                return me;
                            });
                            sum += c.joinChildren().size();
                        }
                        for (int k = 0; k < 2 && me > 0; k++) {
                            SpawningTask<Integer> on = tasks.get(r.nextInt(me));
                            sum += waitFor(on, r);
                        }
                        return sum;
                    });
                    tasks.set(i, t);
                    if (i > 1 && rnd.nextInt(2) == 0) {
                        // a callback on t's future that joins an earlier task
                        SpawningTask<Integer> earlier = tasks.get(rnd.nextInt(i));
                        callbacks.add(t.toCompletableFuture().thenApply(v -> v + earlier.join()));
                    }
                }
                for (int i = 0; i < n; i++) {
                    assertThat(tasks.get(i).toCompletableFuture().get(20, TimeUnit.SECONDS))
                            .as("seed %d task %d", seed, i).isNotNull();
                }
                for (CompletableFuture<?> callback : callbacks) {
                    callback.get(20, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static int waitFor(SpawningTask<Integer> on, SplittableRandom r) throws Exception {
        CompletableFuture<Integer> f = on.toCompletableFuture();
        if (r.nextBoolean()) {
            try {
                f.get(r.nextInt(2), TimeUnit.MILLISECONDS); // may expire: the next wait reuses the wake
            }
            catch (TimeoutException expected) {
                // on
            }
        }
        return switch (r.nextInt(8)) {
            case 0 -> on.join();
            case 1 -> on.result().orElseThrow();
            case 2 -> on.get();
            case 3 -> on.get(20, TimeUnit.SECONDS);
            case 4 -> f.get();
            case 5 -> f.thenApply(v -> v + 1).join();
            case 6 -> {
                CompletionStage<Integer> stage = f.minimalCompletionStage();
                yield stage.toCompletableFuture().get();
            }
            default -> {
                try {
                    yield f.get(20, TimeUnit.SECONDS);
                }
                catch (ExecutionException | CancellationException ex) {
                    yield -1;
                }
            }
        };
    }
}
