package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import org.junit.jupiter.api.*;

@Timeout(value = 60)
class CrossDependencyTest {

    @Test
    void afterTaskOfAnotherOrchestratorAndClosedOne() throws Exception {
        try (TaskOrchestrator a = TaskOrchestrator.builder().build(); TaskOrchestrator b = TaskOrchestrator.builder().build()) {
            SpawningTask<String> dep = b.to(String.class).named("dep").run(() -> { Thread.sleep(100); return "d"; });
            SpawningTask<String> t;
            try {
                t = a.to(String.class).named("t").after(dep).run(() -> "t");
            } catch (IllegalArgumentException refused) {
                System.out.println("refused: " + refused.getMessage());
                return;
            }
            assertThat(t.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("t");
            SpawningTask<String> dep2 = b.to(String.class).named("dep2").run(() -> { Thread.sleep(10_000); return "d"; });
            SpawningTask<String> t2 = a.to(String.class).named("t2").after(dep2).run(() -> "t");
            b.close();
            TaskResult<String> r = CompletableFuture.supplyAsync(t2::result).get(15, TimeUnit.SECONDS);
            assertThat(t2.status()).isEqualTo(TaskStatus.CANCELLED);
        }
    }

    @Test
    void afterEvictedTaskAndPipelines() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().historySize(1).build()) {
            SpawningTask<String> old = o.to(String.class).named("old").run(() -> "o");
            old.join();
            for (int i = 0; i < 20; i++) o.to(String.class).named("filler").run(() -> "f").join();
            assertThat(o.to(String.class).named("late").after(old).run(() -> "late").toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("late");
            EmittingTask<Long, Long> p = o.emits(Long.class).named("pipe")
                    .sender(em -> em.emitAll(List.of(1L, 2L)))
                    .receiver((ev, col) -> col.collect(ev.sequence(), ev.data()))
                    .run();
            SpawningTask<Integer> size = p.chain(fe -> fe.collected().size());
            SpawningTask<String> after = o.to(String.class).named("afterPipe").after(p).run(() -> "ap");
            assertThat(size.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(after.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("ap");
        }
    }
}
