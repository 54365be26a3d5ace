package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import java.io.IOException;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import java.util.stream.*;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.*;

/** Emitter.emitAll(Stream): "Emits every element of the stream (then closes it)"; shared streams closed once. */
@Timeout(value = 60)
class StreamCloseTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    @ParameterizedTest(name = "{0} senders={1}")
    @CsvSource({"normal,1", "normal,3", "cancel,1", "cancel,3", "throws,1", "throws,3", "timeout,1", "timeout,3", "stop,1", "stop,3"})
    void streamClosedOnce(String how, int senders) throws Exception {
        orch = TaskOrchestrator.builder().build();
        // Only a sender that has called emitAll touches the stream. Cancel waits for one to have started (100 ms
        // after run() may be before any did, on a loaded machine); the timeout runs from submission and can pass
        // before any sender started, so such a run is repeated with a deadline twice as long.
        for (Duration timeout = Duration.ofMillis(100); ; timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the senders could not reach").isLessThan(Duration.ofSeconds(30));
            AtomicInteger closes = new AtomicInteger();
            CountDownLatch sending = new CountDownLatch(1);
            boolean infinite = !how.equals("normal") && !how.equals("throws");
            Stream<Long> s = (infinite ? LongStream.iterate(0, x -> x + 1).boxed() : LongStream.range(0, 100).boxed())
                    .map(x -> { if (how.equals("throws") && x == 50) throw new IllegalStateException("source broke"); return x; })
                    .onClose(closes::incrementAndGet);
            SenderStrategy ss = senders == 1 ? SenderStrategy.serial() : SenderStrategy.parallel(MinMax.of(senders, senders));
            EmittingTaskBuilder<Long> b = orch.emits(Long.class).named("close").bufferSize(2);
            if (how.equals("timeout")) b = b.timeout(timeout);
            if (how.equals("stop")) b = b.errorStrategy(ErrorStrategy.stopOnFirst());
            EmittingTask<Long, Long> p = b.sender(ss, em -> { sending.countDown(); em.emitAll(s); })
                    .receiver(ReceiverStrategy.serial(), (ev, col) -> {
                        if (how.equals("stop") && ev.sequence() == 20) throw new IOException("stop here");
                        if (infinite) Thread.sleep(1);
                        col.collect(ev.sequence(), ev.data());
                    })
                    .run();
            if (how.equals("cancel")) {
                assertThat(sending.await(30, TimeUnit.SECONDS)).as("a sender started").isTrue();
                Thread.sleep(100);
                p.cancel();
            }
            CompletableFuture.supplyAsync(p::result).get(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
            if (how.equals("timeout") && sending.getCount() > 0) {
                continue; // no sender started before the deadline: nothing touched the stream
            }
            long dl = System.nanoTime() + 2_000_000_000L;
            while (closes.get() == 0 && System.nanoTime() < dl) Thread.sleep(5);
            Thread.sleep(50);
            assertThat(closes.get()).as(how + " " + p.status()).isEqualTo(1);
            return;
        }
    }
}
