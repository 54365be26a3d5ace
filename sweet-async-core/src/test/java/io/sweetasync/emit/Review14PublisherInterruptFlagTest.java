package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskStatus;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Flow;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;

/**
 * {@link Sources#publisher} and an interrupt flag a synchronous publisher leaves set on the sender's thread (it
 * signals inside {@code subscribe} or {@code request}, which the sender calls, and restores an interrupt of a wait
 * of its own, as the idiom goes) while nothing stops the pipeline. The items it delivered were taken by the source;
 * the next emit, on the interrupted thread, failed, and the source lost them with every item after. Now they are
 * received, the pipeline completes, and the flag is set again for the sender's end to see.
 */
class Review14PublisherInterruptFlagTest extends PipelineHostileSupport {

    /** Delivers items inside {@code request}, on the caller's thread; once, it leaves the flag set. */
    private static Flow.Publisher<Integer> synchronousPublisher(int count, int interruptOnRequest) {
        return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private int next;
            private int requests;
            private boolean done;

            @Override
            public void request(long n) {
                if (++requests == interruptOnRequest) {
                    Thread.currentThread().interrupt(); // its own wait, interrupted, flag restored
                }
                for (long i = 0; i < n && next < count; i++) {
                    subscriber.onNext(next++);
                }
                if (next == count && !done) {
                    done = true;
                    subscriber.onComplete();
                }
            }

            @Override
            public void cancel() {
                done = true;
            }
        });
    }

    @RepeatedTest(3)
    void itemsDeliveredByAPublisherThatLeftTheFlagSetAreReceived() {
        for (int interruptOnRequest : new int[] {1, 2, 4}) {
            FinalEvent<Long, Integer> done = assertTimeoutPreemptively(CEILING, () -> orchestrator.<Integer>emits()
                    .sequence()
                    .sender(Sources.publisher(synchronousPublisher(20, interruptOnRequest), 4))
                    .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                    .awaitFinalEvent());
            assertThat(done.errors()).as("flag left at request %d", interruptOnRequest).isEmpty();
            assertThat(done.collected().values()).as("flag left at request %d", interruptOnRequest)
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 20).boxed().toList());
        }
    }

    /** A stop's interrupt still stops the source: the flag is only let pass while nothing stops the pipeline. */
    @RepeatedTest(3)
    void aCancelledPipelineStillStopsAPublisherSource() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        AtomicBoolean cancelled = new AtomicBoolean();
        Flow.Publisher<Integer> endless = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private int next;

            @Override
            public void request(long n) {
                for (long i = 0; i < n && !cancelled.get(); i++) {
                    subscriber.onNext(next++);
                }
            }

            @Override
            public void cancel() {
                cancelled.set(true);
            }
        });
        EmittingTask<Long, Integer> pipeline = orchestrator.<Integer>emits()
                .sequence()
                .sender(Sources.publisher(endless, 4))
                .receiver((event, collector) -> first.countDown())
                .run();
        assertThat(first.await(60, TimeUnit.SECONDS)).isTrue();
        pipeline.cancel();
        assertTimeoutPreemptively(CEILING, () -> {
            while (!pipeline.status().isTerminal()) {
                Thread.sleep(10);
            }
        });
        assertThat(pipeline.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(cancelled).isTrue();
    }
}
