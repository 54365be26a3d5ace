package io.sweetasync.emit.trial;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ReceiverStrategy;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Trial (SPEC 2): an ended pipeline whose handle and final event the caller dropped leaves nothing of its
 * results or events behind in the orchestrator (a service running a pipeline per request must not pile up
 * every result it ever collected).
 */
class TrialRetentionTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void anEndedPipelinesResultsAndEventsAreNotKeptOnceItsHandleIsDropped() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            AtomicReference<WeakReference<Object>> result = new AtomicReference<>();
            AtomicReference<WeakReference<Object>> event = new AtomicReference<>();
            run(result, event);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                System.gc();
                return result.get().get() == null && event.get().get() == null;
            });
        });
    }

    private void run(AtomicReference<WeakReference<Object>> result, AtomicReference<WeakReference<Object>> event) {
        Object data = new byte[1 << 20];
        event.set(new WeakReference<>(data));
        EmittingTask<String, Object> task = orchestrator.emits(Object.class)
                .sender(emitter -> emitter.emitAll(List.of(data)))
                .receiver(ReceiverStrategy.parallel(2), (e, collector) -> {
                    Object value = new byte[1 << 20];
                    result.set(new WeakReference<>(value));
                    collector.collect("big", value);
                })
                .run();
        task.join();
        task.results().subscribe(new TrialRecorder<>());
    }
}
