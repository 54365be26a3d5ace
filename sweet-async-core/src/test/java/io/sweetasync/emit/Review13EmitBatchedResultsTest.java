package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Review 13: {@link ReceiverStrategy#batched}'s javadoc said "Collected results and progress counts are
 * published per batch". Progress counts are; collected results are not: each reaches the results stream as it
 * is collected, while the rest of its batch is still being received (as for every strategy). A doc lie, fixed in
 * the javadoc; this test pins what the code does (it passes before and after the fix).
 */
class Review13EmitBatchedResultsTest extends PipelineHostileSupport {

    @Test
    void aBatchedReceiversResultReachesTheStreamBeforeItsBatchEnds() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch firstSeen = new CountDownLatch(1);
            AtomicBoolean seenWithinTheBatch = new AtomicBoolean();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(8)
                    .sender(emitter -> emitter.emitAll(numbers(3)))
                    .receiver(ReceiverStrategy.batched(3, Duration.ofSeconds(5)), (event, collector) -> {
                        collector.collect(event.data(), event.data());
                        if (event.data() == 1) { // the batch [0, 1, 2] is not over
                            seenWithinTheBatch.set(firstSeen.await(10, TimeUnit.SECONDS));
                        }
                    })
                    .run();
            task.results().subscribe(new Flow.Subscriber<Map.Entry<Integer, Integer>>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Map.Entry<Integer, Integer> item) {
                    firstSeen.countDown();
                }

                @Override
                public void onError(Throwable throwable) {
                }

                @Override
                public void onComplete() {
                }
            });
            assertThat(task.join().received()).isEqualTo(3);
            assertThat(seenWithinTheBatch).as("a result streamed before its batch ended").isTrue();
        });
    }
}
