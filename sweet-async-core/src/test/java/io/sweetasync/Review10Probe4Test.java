package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class Review10Probe4Test {
    private final TaskOrchestrator o = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        o.close();
    }

    @Test
    void duplicateKeyUnderSequenceKeepsTheLaterEvent() {
        CountDownLatch oneDone = new CountDownLatch(1);
        FinalEvent<String, Integer> done = o.emits(Integer.class).sequence()
                .sender(SenderStrategy.serial(), em -> em.emitAll(List.of(0, 1)))
                .receiver(ReceiverStrategy.parallel(2), (ev, col) -> {
                    if (ev.data() == 0) {
                        oneDone.await(20, TimeUnit.SECONDS);
                    }
                    col.collect("k", ev.data());
                    if (ev.data() == 1) {
                        oneDone.countDown();
                    }
                })
                .awaitFinalEvent();
        assertThat(done.collected()).containsEntry("k", 1);
    }

    @Test
    void nullKeysAndValues() {
        EmittingTask<String, Integer> p = o.emits(Integer.class)
                .sender(SenderStrategy.serial(), em -> {
                    em.emit(1);
                    em.emit(null);
                })
                .receiver(ReceiverStrategy.serial(), (ev, col) -> {
                    if (ev.data() == null) {
                        col.collect("nullData", null);
                    }
                    else {
                        col.collect(null, ev.data());
                    }
                })
                .run();
        TaskResult<?> r = p.result();
        System.out.println("NULLS " + r + " " + p.status());
        assertThat(p.status()).isIn(TaskStatus.COMPLETED, TaskStatus.FAILED);
    }

    @Test
    void receiverLeavingItsInterruptDoesNotLoseEvents() {
        EmittingTask<Integer, Integer> p = o.emits(Integer.class)
                .sender(SenderStrategy.serial(), em -> em.emitAll(IntStream.range(0, 20).boxed()))
                .receiver(ReceiverStrategy.serial(), (ev, col) -> {
                    col.collect(ev.data(), ev.data());
                    if (ev.data() == 3) {
                        Thread.currentThread().interrupt();
                    }
                })
                .run();
        TaskResult<?> r = p.result();
        System.out.println("INTERRUPT-LEFT " + r + " " + p.status());
        assertThat(p.status()).isEqualTo(TaskStatus.COMPLETED);
        FinalEvent<Integer, Integer> fe = p.join();
        assertThat(fe.received()).isEqualTo(20);
        assertThat(fe.collected()).hasSize(20);
        assertThat(fe.errors()).isEmpty();
    }

    @Test
    void batchedReceiverLeavingItsInterruptDoesNotLoseEvents() {
        EmittingTask<Integer, Integer> p = o.emits(Integer.class).bufferSize(4)
                .sender(SenderStrategy.serial(), em -> em.emitAll(IntStream.range(0, 40).boxed()))
                .receiver(ReceiverStrategy.batched(3, Duration.ofMillis(5)), (ev, col) -> {
                    col.collect(ev.data(), ev.data());
                    if (ev.data() == 3) {
                        Thread.currentThread().interrupt();
                    }
                })
                .run();
        TaskResult<?> r = p.result();
        System.out.println("INTERRUPT-LEFT-B " + r + " " + p.status());
        assertThat(p.status()).isEqualTo(TaskStatus.COMPLETED);
        FinalEvent<Integer, Integer> fe = p.join();
        assertThat(fe.received()).isEqualTo(40);
        assertThat(fe.errors()).isEmpty();
    }

    @Test
    void adaptiveReceiverLeavingItsInterruptDoesNotLoseEvents() {
        EmittingTask<Integer, Integer> p = o.emits(Integer.class).bufferSize(4)
                .sender(SenderStrategy.serial(), em -> em.emitAll(IntStream.range(0, 40).boxed()))
                .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 3)), (ev, col) -> {
                    col.collect(ev.data(), ev.data());
                    if (ev.data() % 5 == 3) {
                        Thread.currentThread().interrupt();
                    }
                })
                .run();
        TaskResult<?> r = p.result();
        System.out.println("INTERRUPT-LEFT-A " + r + " " + p.status());
        assertThat(p.status()).isEqualTo(TaskStatus.COMPLETED);
        FinalEvent<Integer, Integer> fe = p.join();
        assertThat(fe.received()).isEqualTo(40);
        assertThat(fe.errors()).isEmpty();
    }

    @Test
    void senderLeavingItsInterruptBetweenEmits() {
        EmittingTask<Integer, Integer> p = o.emits(Integer.class).bufferSize(2)
                .sender(SenderStrategy.parallel(MinMax.of(2, 2)), em -> {
                    for (int i = 0; i < 5; i++) {
                        em.emit(em.senderIndex() * 100 + i);
                    }
                    Thread.currentThread().interrupt();
                })
                .receiver(ReceiverStrategy.serial(), (ev, col) -> col.collect(ev.data(), ev.data()))
                .run();
        TaskResult<?> r = p.result();
        System.out.println("SENDER-INTERRUPT " + r + " " + p.status());
        assertThat(p.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(p.join().received()).isEqualTo(10);
    }

    @Test
    void receiverThrowingAnError() {
        EmittingTask<Integer, Integer> p = o.emits(Integer.class)
                .sender(SenderStrategy.serial(), em -> em.emitAll(IntStream.range(0, 10).boxed()))
                .receiver(ReceiverStrategy.parallel(2), (ev, col) -> {
                    if (ev.data() == 4) {
                        throw new AssertionError("boom");
                    }
                    if (ev.data() == 6) {
                        throw new StackOverflowError();
                    }
                    col.collect(ev.data(), ev.data());
                })
                .run();
        TaskResult<?> r = p.result();
        System.out.println("ERRORS " + r + " " + p.status() + (r.isOk() ? " " + p.join().errors() + " rec=" + p.join().received() : ""));
    }

    @Test
    void sequencesAreContiguousUnderParallelSenders() {
        FinalEvent<Long, Integer> done = o.emits(Integer.class).bufferSize(3)
                .sender(SenderStrategy.parallel(MinMax.of(3, 3)), em -> {
                    for (int i = 0; i < 100; i++) {
                        em.emit(i);
                    }
                })
                .receiver(ReceiverStrategy.parallel(4), (ev, col) -> col.collect(ev.sequence(), ev.data()))
                .awaitFinalEvent();
        assertThat(done.collected().keySet()).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 300).mapToObj(i -> (long) i).toList());
        assertThat(done.emitted()).isEqualTo(300);
    }

    @Test
    void errorsInEmissionOrderWithRetries() {
        FinalEvent<Integer, Integer> done = o.emits(Integer.class).sequence()
                .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ZERO)))
                .sender(SenderStrategy.serial(), em -> em.emitAll(IntStream.range(0, 30).boxed()))
                .receiver(ReceiverStrategy.parallel(4), (ev, col) -> {
                    if (ev.data() % 7 == 0) {
                        throw new IOException("e" + ev.data());
                    }
                    col.collect(ev.data(), ev.data());
                })
                .awaitFinalEvent();
        assertThat(done.received()).isEqualTo(30);
        assertThat(done.errors()).hasSize(5);
        assertThat(done.errors().stream().map(e -> e.sequence()).toList()).containsExactly(0L, 7L, 14L, 21L, 28L);
    }
}
