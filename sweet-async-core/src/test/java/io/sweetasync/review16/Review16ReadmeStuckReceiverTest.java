package io.sweetasync.review16;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.ReceiverStrategy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/** README: "a receiver stuck in one event does not hold the rest of its batch: an idle receiver takes them over". */
@Timeout(120)
class Review16ReadmeStuckReceiverTest {

    @RepeatedTest(20)
    void theOthersAreReceivedWhileOneReceiverIsStuckInTheFirstEvent() {
        CountDownLatch others = new CountDownLatch(5);
        AtomicBoolean sawThemAll = new AtomicBoolean();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).named("r16-stuck")
                    .sender(emitter -> emitter.emitAll(IntStream.range(0, 6).boxed().toList()))
                    .<Integer, Integer>receiver(ReceiverStrategy.parallel(3), (event, collector) -> {
                        if (event.data() == 0) {
                            sawThemAll.set(others.await(20, TimeUnit.SECONDS));
                        }
                        else {
                            others.countDown();
                        }
                        collector.collect(event.data(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(done.received()).isEqualTo(6);
            assertThat(sawThemAll).as("events 1-5 received while event 0's receive was stuck").isTrue();
        }
    }
}
