package io.sweetasync.review16;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.EventCollector;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.ReceiverStrategy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README "Streaming pipelines": claims a user checks from outside. */
@Timeout(60)
class Review16ReadmePipelinesTest {

    final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // "an EventCollector belongs to the receive of its event ...: kept and used after it returned, it throws
    // IllegalStateException naming the pipeline and the event"
    @Test
    void aCollectorKeptAfterItsReceiveThrowsNamingThePipelineAndTheEvent() {
        AtomicReference<EventCollector<String, Integer>> kept = new AtomicReference<>();
        FinalEvent<String, Integer> done = orchestrator.emits(Integer.class).named("r16-kept-collector")
                .sender(emitter -> emitter.emit(7))
                .<String, Integer>receiver(ReceiverStrategy.serial(), (event, collector) -> {
                    kept.set(collector);
                    collector.collect("k", event.data());
                })
                .awaitFinalEvent();
        assertThat(done.collected()).containsEntry("k", 7);
        Throwable late = catchThrowable(() -> kept.get().collect("late", 1));
        assertThat(late).isInstanceOf(IllegalStateException.class).hasMessageContaining("r16-kept-collector");
        assertThat(late.getMessage()).containsPattern("event|#0|sequence");
        Throwable lateError = catchThrowable(() -> kept.get().collectError("late", new RuntimeException("x")));
        assertThat(lateError).isInstanceOf(IllegalStateException.class);
    }

    // "results(): it replays every collect, also a key collected again, to each subscriber" and "a late
    // subscriber gets the same" end: after COMPLETED, a new subscriber gets every collect then onComplete
    @Test
    void aLateSubscriberGetsEveryCollectAlsoAKeyCollectedAgainThenComplete() throws Exception {
        EmittingTask<String, Integer> pipeline = orchestrator.emits(Integer.class).named("r16-replay")
                .sender(emitter -> emitter.emitAll(List.of(1, 2, 3)))
                .<String, Integer>receiver(ReceiverStrategy.serial(), (event, collector) ->
                        collector.collect("same", event.data()))
                .run();
        FinalEvent<String, Integer> done = pipeline.finalEvent().get(30, TimeUnit.SECONDS);
        assertThat(done.collected()).containsOnlyKeys("same");
        List<Integer> seen = new CopyOnWriteArrayList<>();
        CountDownLatch completed = new CountDownLatch(1);
        pipeline.results().subscribe(new Flow.Subscriber<Map.Entry<String, Integer>>() {
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            public void onNext(Map.Entry<String, Integer> item) {
                seen.add(item.getValue());
            }

            public void onError(Throwable t) {
            }

            public void onComplete() {
                completed.countDown();
            }
        });
        assertThat(completed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).containsExactlyInAnyOrder(1, 2, 3);
    }
}
