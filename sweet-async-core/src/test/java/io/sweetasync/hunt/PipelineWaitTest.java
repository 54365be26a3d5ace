package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import java.util.*;
import java.util.concurrent.*;
import org.junit.jupiter.api.*;

@Timeout(value = 60)
class PipelineWaitTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    EmittingTask<Long, Long> pipeline() {
        return orch.emits(Long.class).named("inner").bufferSize(2)
                .sender(em -> { for (long i = 0; i < 20; i++) em.emit(i); })
                .receiver(ReceiverStrategy.parallel(3), (ev, col) -> col.collect(ev.sequence(), ev.data()))
                .run();
    }

    @Test
    void singleBodyWaitsFinalEventFuture() throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<Integer> parent = orch.to(Integer.class).named("p").runtime("single")
                .run(() -> pipeline().finalEvent().get(3, TimeUnit.SECONDS).collected().size());
        assertThat(CompletableFuture.supplyAsync(parent::result).get(20, TimeUnit.SECONDS)).isEqualTo(TaskResult.ok(20));
    }

    @Test
    void singleBodyWaitsFinalEventDerived() throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<Integer> parent = orch.to(Integer.class).named("p").runtime("single")
                .run(() -> pipeline().finalEvent().thenApply(fe -> fe.collected().size()).get(3, TimeUnit.SECONDS));
        assertThat(CompletableFuture.supplyAsync(parent::result).get(20, TimeUnit.SECONDS)).isEqualTo(TaskResult.ok(20));
    }

    @Test
    void singleBodyJoinsPipelineHandle() throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<Integer> parent = orch.to(Integer.class).named("p").runtime("single")
                .run(() -> pipeline().get(3, TimeUnit.SECONDS).collected().size());
        assertThat(CompletableFuture.supplyAsync(parent::result).get(20, TimeUnit.SECONDS)).isEqualTo(TaskResult.ok(20));
    }

    @Test
    void singleBodyAwaitsFinalEventInline() throws Exception {
        orch = TaskOrchestrator.builder().build();
        SpawningTask<Integer> parent = orch.to(Integer.class).named("p").runtime("single")
                .run(() -> orch.emits(Long.class).named("inner").bufferSize(2)
                        .sender(em -> { for (long i = 0; i < 20; i++) em.emit(i); })
                        .receiver(ReceiverStrategy.parallel(3), (ev, col) -> col.collect(ev.sequence(), ev.data()))
                        .awaitFinalEvent().collected().size());
        assertThat(CompletableFuture.supplyAsync(parent::result).get(20, TimeUnit.SECONDS)).isEqualTo(TaskResult.ok(20));
    }

    /** a receiver on the single runtime that waits for a task queued on the same runtime */
    @Test
    void singlePipelineReceiverJoinsTaskOnSameRuntime() throws Exception {
        orch = TaskOrchestrator.builder().build();
        EmittingTask<Long, Long> p = orch.emits(Long.class).named("outer").runtime("single").bufferSize(1)
                .sender(em -> { for (long i = 0; i < 5; i++) em.emit(i); })
                .receiver(ReceiverStrategy.parallel(2), (ev, col) -> col.collect(ev.sequence(),
                        orch.to(Long.class).named("side").runtime("single").detached().run(() -> ev.data() * 2).get(3, TimeUnit.SECONDS)))
                .run();
        FinalEvent<Long, Long> fe = p.finalEvent().get(20, TimeUnit.SECONDS);
        assertThat(fe.errors()).isEmpty();
        assertThat(fe.collected()).hasSize(5);
    }
}
