package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

@Timeout(value = 60)
class PipelineRejectTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    @Test
    void rejectedReceivesAreErrorsAndPermitsReturn() throws Exception {
        orch = TaskOrchestrator.builder().group("pr", LimiterConfig.defaults().withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED)
                .withLimits(1, 1, 1).withQueueCapacity(0)).build();
        FinalEvent<Long, Long> fe = orch.emits(Long.class).named("rej").group("pr")
                .sender(em -> { for (long i = 0; i < 50; i++) em.emit(i); })
                .receiver(ReceiverStrategy.parallel(4), (ev, col) -> { Thread.sleep(2); col.collect(ev.sequence(), ev.data()); })
                .<Long, Long>run().finalEvent().get(20, TimeUnit.SECONDS);
        System.out.println("collected " + fe.collected().size() + " errors " + fe.errors().size());
        assertThat(fe.collected().size() + fe.errors().size()).isEqualTo(50);
        assertThat(fe.errors()).allSatisfy(e -> assertThat(e.error()).isInstanceOf(RejectedExecutionException.class));
        var s = orch.limiters().get(0);
        assertThat(s.inFlight()).isZero();

        EmittingTask<Long, Long> p = orch.emits(Long.class).named("rejstop").group("pr").errorStrategy(ErrorStrategy.stopOnFirst())
                .sender(em -> { for (long i = 0; i < 50; i++) em.emit(i); })
                .receiver(ReceiverStrategy.parallel(4), (ev, col) -> { Thread.sleep(2); col.collect(ev.sequence(), ev.data()); })
                .run();
        TaskResult<FinalEvent<Long, Long>> r = CompletableFuture.supplyAsync(p::result).get(20, TimeUnit.SECONDS);
        assertThat(p.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(((TaskResult.Err<?>) r).error().getCause()).isInstanceOf(RejectedExecutionException.class);
        long dl = System.nanoTime() + 3_000_000_000L;
        while (orch.limiters().get(0).inFlight() != 0 && System.nanoTime() < dl) Thread.sleep(5);
        assertThat(orch.limiters().get(0).inFlight()).isZero();
    }

    /** A receiver joins a task of the pipeline's own group (allowed: it does not hold its permit while waiting). */
    @Test
    void receiverJoinsTaskOfOwnGroup() throws Exception {
        orch = TaskOrchestrator.builder().group("own", LimiterConfig.defaults().withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED)
                .withLimits(1, 1, 1).withQueueCapacity(100).withMaxWait(Duration.ofSeconds(10))).build();
        FinalEvent<Long, Long> fe = orch.emits(Long.class).named("own").group("own")
                .sender(em -> { for (long i = 0; i < 10; i++) em.emit(i); })
                .receiver(ReceiverStrategy.parallel(3), (ev, col) -> col.collect(ev.sequence(),
                        orch.to(Long.class).named("inner").group("own").detached().run(() -> ev.data() * 2).toCompletableFuture().thenApply(x -> x).join()))
                .<Long, Long>run().finalEvent().get(20, TimeUnit.SECONDS);
        assertThat(fe.errors()).isEmpty();
        assertThat(fe.collected()).hasSize(10);
    }
}
