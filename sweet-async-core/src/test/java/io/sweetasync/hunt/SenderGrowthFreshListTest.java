package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.*;

/**
 * A sender that is slow to start (more than a tick) starves the receivers, so the coordinator grows the parallel
 * senders (SenderStrategy.parallel(1..3)); each sender runs the body, and one list shared by them all is emitted once
 * whatever their number (parallel senders share a source by identity: a body that builds a fresh list per call gives
 * each sender its own, emitted once per sender, as Hunt3Test did under libfaketime's slowed machine).
 */
@Timeout(60)
class SenderGrowthFreshListTest {

    @Test
    void sharedListIsEmittedOnceWhateverTheSenders() throws Exception {
        List<Long> source = LongStream.range(0, 500).boxed().toList();
        try (TaskOrchestrator orch = TaskOrchestrator.builder().build()) {
            FinalEvent<Long, Long> fe = orch.emits(Long.class).named("seq").sequence().bufferSize(8)
                    .sender(SenderStrategy.parallel(MinMax.of(1, 3)), em -> {
                        if (em.senderIndex() == 0) Thread.sleep(200);
                        em.emitAll(source);
                    })
                    .receiver(ReceiverStrategy.parallel(8), (ev, col) -> col.collect(ev.sequence(), ev.data()))
                    .awaitFinalEvent();
            assertThat(fe.emitted()).isEqualTo(500);
            assertThat(fe.received()).isEqualTo(500);
        }
    }
}
