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
        AtomicInteger closes = new AtomicInteger();
        boolean infinite = !how.equals("normal") && !how.equals("throws");
        Stream<Long> s = (infinite ? LongStream.iterate(0, x -> x + 1).boxed() : LongStream.range(0, 100).boxed())
                .map(x -> { if (how.equals("throws") && x == 50) throw new IllegalStateException("source broke"); return x; })
                .onClose(closes::incrementAndGet);
        SenderStrategy ss = senders == 1 ? SenderStrategy.serial() : SenderStrategy.parallel(MinMax.of(senders, senders));
        EmittingTaskBuilder<Long> b = orch.emits(Long.class).named("close").bufferSize(2);
        if (how.equals("timeout")) b = b.timeout(Duration.ofMillis(100));
        if (how.equals("stop")) b = b.errorStrategy(ErrorStrategy.stopOnFirst());
        EmittingTask<Long, Long> p = b.sender(ss, em -> em.emitAll(s))
                .receiver(ReceiverStrategy.serial(), (ev, col) -> {
                    if (how.equals("stop") && ev.sequence() == 20) throw new IOException("stop here");
                    if (infinite) Thread.sleep(1);
                    col.collect(ev.sequence(), ev.data());
                })
                .run();
        if (how.equals("cancel")) { Thread.sleep(100); p.cancel(); }
        CompletableFuture.supplyAsync(p::result).get(10, TimeUnit.SECONDS);
        long dl = System.nanoTime() + 2_000_000_000L;
        while (closes.get() == 0 && System.nanoTime() < dl) Thread.sleep(5);
        Thread.sleep(50);
        assertThat(closes.get()).as(how + " " + p.status()).isEqualTo(1);
    }
}
