package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

/** An emit() that returned normally is received, even when it races the sender's return ("no event is accepted and then lost"). */
@Timeout(value = 120)
class EmitterRaceTest {

    @Test
    void emitRacingSenderEnd() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            for (int round = 0; round < 200; round++) {
                AtomicLong accepted = new AtomicLong();
                AtomicReference<Thread> helper = new AtomicReference<>();
                int buf = 1 + round % 4;
                FinalEvent<Long, Long> fe = o.emits(Long.class).named("erace").bufferSize(buf)
                        .sender(em -> {
                            CountDownLatch started = new CountDownLatch(1);
                            helper.set(Thread.ofPlatform().start(() -> {
                                started.countDown();
                                for (long k = 0; ; k++) {
                                    try { em.emit(k); accepted.incrementAndGet(); }
                                    catch (IllegalStateException closed) { return; }
                                    catch (InterruptedException ie) { return; }
                                }
                            }));
                            started.await();
                            em.emit(-1L);
                            accepted.incrementAndGet();
                        })
                        .receiver(ReceiverStrategy.parallel(2), (ev, col) -> col.collect(ev.sequence(), ev.data()))
                        .<Long, Long>run().finalEvent().get(30, TimeUnit.SECONDS);
                helper.get().join();
                assertThat(fe.received()).as("round " + round + " accepted " + accepted.get() + " emitted " + fe.emitted()).isEqualTo(accepted.get());
                assertThat(fe.collected()).hasSize((int) accepted.get());
            }
        }
    }
}
