package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.function.Supplier;
import org.junit.jupiter.api.*;

/** Huge but legal-looking sizes: refused at configuration naming the value, or honoured on a tiny input. */
@Timeout(value = 60)
class Hunt5Test {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    static String tryConfig(Supplier<Object> config) {
        try {
            config.get();
            return null;
        } catch (IllegalArgumentException e) {
            return "refused: " + e.getMessage();
        }
    }

    FinalEvent<Long, Long> small(EmittingTaskBuilder<Long> b, SenderStrategy ss, ReceiverStrategy rs) {
        return b.sender(ss, em -> em.emitAll(List.of(1L, 2L, 3L)))
                .receiver(rs, (ev, col) -> col.collect(ev.sequence(), ev.data()))
                .<Long, Long>run().finalEvent().orTimeout(20, TimeUnit.SECONDS).join();
    }

    @Test
    void hugeBufferSize() {
        orch = TaskOrchestrator.builder().build();
        String r = tryConfig(() -> orch.emits(Long.class).bufferSize(Integer.MAX_VALUE));
        if (r != null) { System.out.println(r); return; }
        FinalEvent<Long, Long> fe = small(orch.emits(Long.class).named("bigbuf").bufferSize(Integer.MAX_VALUE), SenderStrategy.serial(), ReceiverStrategy.serial());
        assertThat(fe.received()).isEqualTo(3);
    }

    @Test
    void hugeParallelReceivers() {
        orch = TaskOrchestrator.builder().build();
        String r = tryConfig(() -> ReceiverStrategy.parallel(Integer.MAX_VALUE));
        if (r != null) { System.out.println(r); return; }
        FinalEvent<Long, Long> fe = small(orch.emits(Long.class).named("bigpar"), SenderStrategy.serial(), ReceiverStrategy.parallel(Integer.MAX_VALUE));
        assertThat(fe.received()).isEqualTo(3);
    }

    @Test
    void hugeBatch() {
        orch = TaskOrchestrator.builder().build();
        String r = tryConfig(() -> ReceiverStrategy.batched(Integer.MAX_VALUE, Duration.ofSeconds(Long.MAX_VALUE)));
        if (r != null) { System.out.println(r); return; }
        FinalEvent<Long, Long> fe = small(orch.emits(Long.class).named("bigbatch"), SenderStrategy.serial(), ReceiverStrategy.batched(Integer.MAX_VALUE, Duration.ofSeconds(Long.MAX_VALUE)));
        assertThat(fe.received()).isEqualTo(3);
    }

    @Test
    void hugeAdaptive() {
        orch = TaskOrchestrator.builder().build();
        String r = tryConfig(() -> ReceiverStrategy.adaptive(MinMax.of(Integer.MAX_VALUE - 1, Integer.MAX_VALUE)));
        if (r != null) { System.out.println(r); return; }
        FinalEvent<Long, Long> fe = small(orch.emits(Long.class).named("bigad"), SenderStrategy.serial(), ReceiverStrategy.adaptive(MinMax.of(1, Integer.MAX_VALUE)));
        assertThat(fe.received()).isEqualTo(3);
    }

    @Test
    void hugeParallelSenders() {
        orch = TaskOrchestrator.builder().build();
        String r = tryConfig(() -> SenderStrategy.parallel(MinMax.of(Integer.MAX_VALUE, Integer.MAX_VALUE)));
        if (r != null) { System.out.println(r); return; }
        FinalEvent<Long, Long> fe = small(orch.emits(Long.class).named("bigsend"), SenderStrategy.parallel(MinMax.of(1, Integer.MAX_VALUE)), ReceiverStrategy.serial());
        assertThat(fe.received()).isEqualTo(3);
    }

    @Test
    void hugeChunk() {
        orch = TaskOrchestrator.builder().build();
        String r = tryConfig(() -> Sources.chunked(List.of(1L, 2L, 3L), Integer.MAX_VALUE));
        if (r != null) { System.out.println(r); return; }
        FinalEvent<Long, Integer> fe = orch.emits((Class<List<Long>>) (Class<?>) List.class).named("bigchunk")
                .sender(Sources.chunked(List.of(1L, 2L, 3L), Integer.MAX_VALUE))
                .receiver((ev, col) -> col.collect(ev.sequence(), ev.data().size()))
                .<Long, Integer>run().finalEvent().orTimeout(20, TimeUnit.SECONDS).join();
        assertThat(fe.collected()).containsEntry(0L, 3);
    }

    @Test
    void hugeLimiter() throws Exception {
        String r = tryConfig(() -> LimiterConfig.defaults().withLimits(Integer.MAX_VALUE, 1, Integer.MAX_VALUE).withQueueCapacity(Integer.MAX_VALUE));
        if (r != null) { System.out.println(r); return; }
        for (var alg : io.sweetasync.limit.LimitAlgorithm.values()) {
            try (TaskOrchestrator o = TaskOrchestrator.builder().group("h", LimiterConfig.defaults().withAlgorithm(alg)
                    .withLimits(Integer.MAX_VALUE, 1, Integer.MAX_VALUE).withQueueCapacity(Integer.MAX_VALUE)).build()) {
                List<SpawningTask<Integer>> ts = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    ts.add(o.to(Integer.class).named("h").group("h").run(() -> { if (n % 7 == 0) throw new java.util.concurrent.TimeoutException("t"); return n; }));
                }
                for (SpawningTask<Integer> t : ts) CompletableFuture.supplyAsync(t::result).get(10, TimeUnit.SECONDS);
                var s = o.limiters().get(0);
                System.out.println(alg + " " + s);
                assertThat(s.limit()).as(alg + " limit").isBetween(1, Integer.MAX_VALUE);
                assertThat(s.inFlight()).isZero();
            }
        }
    }

    @Test
    void hugePlatformRuntimeAndHistory() throws Exception {
        String r = tryConfig(() -> TaskRuntime.platform("huge", Integer.MAX_VALUE));
        String r2 = tryConfig(() -> TaskOrchestrator.builder().historySize(Integer.MAX_VALUE));
        System.out.println(r + " / " + r2);
        if (r == null) {
            try (TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.platform("huge", Integer.MAX_VALUE)).build()) {
                assertThat(o.to(Integer.class).runtime("huge").run(() -> 1).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(1);
            }
        }
        if (r2 == null) {
            try (TaskOrchestrator o = TaskOrchestrator.builder().historySize(Integer.MAX_VALUE).build()) {
                assertThat(o.to(Integer.class).run(() -> 1).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(1);
            }
        }
    }
}
