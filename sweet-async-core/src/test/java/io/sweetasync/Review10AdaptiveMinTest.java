package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.PipelineProgress;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class Review10AdaptiveMinTest {

    @Test
    void adaptiveReceiversStayWithinTheirRangeWhileTheSourceTrickles() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder().build();
        try {
            EmittingTask<Integer, Integer> t = o.emits(Integer.class)
                    .sender(SenderStrategy.serial(), em -> {
                        for (int i = 0; i < 300; i++) {
                            em.emit(i);
                            Thread.sleep(3);
                        }
                    })
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(3, 6)), (e, c) -> c.collect(e.data(), e.data()))
                    .run();
            int min = Integer.MAX_VALUE;
            int max = 0;
            int samples = 0;
            while (!t.isDone()) {
                PipelineProgress p = t.progress();
                if (p.received() > 20 && p.emitted() < 280) {
                    min = Math.min(min, p.receivers());
                    max = Math.max(max, p.receivers());
                    samples++;
                }
                Thread.sleep(1);
            }
            t.join();
            System.out.println("ADAPTIVE samples=" + samples + " min=" + min + " max=" + max + " info=" + t.info().progress());
            assertThat(min).as("receivers running while the source trickles (min 3)").isGreaterThanOrEqualTo(3);
            assertThat(max).isLessThanOrEqualTo(6);
        }
        finally {
            o.close();
        }
    }
}
