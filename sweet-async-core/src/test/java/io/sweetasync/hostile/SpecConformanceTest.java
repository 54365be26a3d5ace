package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.Event;
import io.sweetasync.emit.EventCollector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 1-3 promises checked as a user who knows only the SPEC would check them, each one a mismatch the
 * code had. Hangs are bounded by the class timeout; no timing assertions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SpecConformanceTest {

    private final Latches latches = new Latches();
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    /**
     * SPEC 1.2/2: nothing runs until a terminal method runs, and a misused terminal method is a misuse, not
     * a run: {@code awaitFinalEvent(null)} ran the whole pipeline (the sender, the receivers) and only then
     * threw {@link NullPointerException}, where {@code SpawningTaskBuilder.awaitResult(work, null)} refuses
     * before submitting anything.
     */
    @Test
    void awaitFinalEventWithANullHandlerIsRefusedBeforeThePipelineRuns() {
        AtomicInteger sent = new AtomicInteger();
        assertThatThrownBy(() -> orchestrator.emits(Integer.class)
                .sender(emitter -> {
                    sent.incrementAndGet();
                    emitter.emit(1);
                })
                .receiver((Event<Integer> event, EventCollector<Integer, Integer> collector) ->
                        collector.collect(event.data(), 1))
                .awaitFinalEvent(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("handler");
        assertThat(sent).as("the sender never ran").hasValue(0);
        assertThat(orchestrator.recent()).as("no pipeline task was started").isEmpty();
    }
}
