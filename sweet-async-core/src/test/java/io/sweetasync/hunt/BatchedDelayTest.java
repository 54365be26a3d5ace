package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.*;

@Timeout(value = 60)
class BatchedDelayTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    /** A partial batch is delivered after maxDelay while the sender still runs. */
    @ParameterizedTest
    @ValueSource(longs = {0, 1, 50})
    void partialBatchAfterMaxDelay(long delayMs) throws Exception {
        orch = TaskOrchestrator.builder().build();
        AtomicInteger received = new AtomicInteger();
        CountDownLatch hold = new CountDownLatch(1);
        EmittingTask<Long, Long> p = orch.emits(Long.class).named("batch")
                .sender(em -> { em.emit(1L); em.emit(2L); em.emit(3L); hold.await(); })
                .receiver(ReceiverStrategy.batched(100, Duration.ofMillis(delayMs)), (ev, col) -> { received.incrementAndGet(); col.collect(ev.sequence(), ev.data()); })
                .run();
        long dl = System.nanoTime() + 3_000_000_000L;
        while (received.get() < 3 && System.nanoTime() < dl) Thread.sleep(5);
        int got = received.get();
        hold.countDown();
        p.join();
        assertThat(got).isEqualTo(3);
    }

    /** With a practically-never maxDelay, a full batch or the end of the sender delivers; cancel ends it. */
    @Test
    void hugeMaxDelay() throws Exception {
        orch = TaskOrchestrator.builder().build();
        FinalEvent<Long, Long> fe = orch.emits(Long.class).named("batchhuge")
                .sender(em -> { for (long i = 0; i < 25; i++) em.emit(i); })
                .receiver(ReceiverStrategy.batched(10, Duration.ofSeconds(Long.MAX_VALUE)), (ev, col) -> col.collect(ev.sequence(), ev.data()))
                .<Long, Long>run().finalEvent().get(10, TimeUnit.SECONDS);
        assertThat(fe.received()).isEqualTo(25);
        CountDownLatch hold = new CountDownLatch(1);
        EmittingTask<Long, Long> p = orch.emits(Long.class).named("batchhuge2")
                .sender(em -> { em.emit(1L); hold.await(); })
                .receiver(ReceiverStrategy.batched(10, Duration.ofSeconds(Long.MAX_VALUE)), (ev, col) -> col.collect(ev.sequence(), ev.data()))
                .run();
        Thread.sleep(100);
        assertThat(p.cancel()).isTrue();
        CompletableFuture.supplyAsync(p::result).get(5, TimeUnit.SECONDS);
        assertThat(p.status()).isEqualTo(TaskStatus.CANCELLED);
    }
}
