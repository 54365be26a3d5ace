package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

/** A collect() that returned normally is never lost, even when it races the end of its receive. */
@Timeout(value = 120)
class CollectorRaceTest {

    @Test
    void collectRacingEndOfReceive() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            for (ReceiverStrategy rs : List.of(ReceiverStrategy.serial(), ReceiverStrategy.parallel(4), ReceiverStrategy.batched(8, java.time.Duration.ofMillis(1)))) {
                Set<String> accepted = ConcurrentHashMap.newKeySet();
                List<Thread> helpers = new CopyOnWriteArrayList<>();
                FinalEvent<String, Long> fe = o.emits(Long.class).named("race").sequence()
                        .sender(em -> { for (long i = 0; i < 300; i++) em.emit(i); })
                        .receiver(rs, (ev, col) -> {
                            CountDownLatch started = new CountDownLatch(1);
                            helpers.add(Thread.ofPlatform().start(() -> {
                                started.countDown();
                                for (int k = 0; ; k++) {
                                    String key = ev.sequence() + ":" + k;
                                    try { col.collect(key, ev.data()); accepted.add(key); }
                                    catch (IllegalStateException closed) { return; }
                                }
                            }));
                            started.await();
                        })
                        .<String, Long>run().finalEvent().get(60, TimeUnit.SECONDS);
                for (Thread h : helpers) h.join();
                Set<String> lost = new HashSet<>(accepted);
                lost.removeAll(fe.collected().keySet());
                assertThat(lost).as(rs + ": accepted but not in collected()").isEmpty();
            }
        }
    }
}
