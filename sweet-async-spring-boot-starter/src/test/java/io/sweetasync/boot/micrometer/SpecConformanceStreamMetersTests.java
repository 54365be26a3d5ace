package io.sweetasync.boot.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.ReceivingStage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SPEC 4's stream meters as an outside test reads them: counters that count a pipeline's events as they happen. */
@Timeout(60)
class SpecConformanceStreamMetersTests {

    /**
     * SPEC 4: "stream counters (emitted, received, errors)". They were counters added to once, when a pipeline
     * ended: an import running for an hour showed nothing for an hour (the Grafana panel's
     * {@code rate(sweet_async_stream_received_events_total[...])} flat, then one spike), and one that never ends
     * never counted. They now count as the pipelines go, and still each event once: a pipeline read while it runs
     * and again at its end adds only what it counted in between.
     */
    @Test
    void streamCountersCountEventsWhileThePipelineRunsAndEachEventOnce() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            new SweetAsyncMetrics(orchestrator).bindTo(registry);
            CountDownLatch release = new CountDownLatch(1);
            // one instance of each list, as a reused pipeline sends them again
            List<Integer> first = IntStream.range(0, 10).boxed().toList();
            List<Integer> rest = IntStream.range(10, 100).boxed().toList();
            ReceivingStage<Integer, Object, Object> pipeline = orchestrator.emits(Integer.class).named("nightly-import")
                    .sender(emitter -> {
                        emitter.emitAll(first);
                        release.await();
                        emitter.emitAll(rest);
                    })
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        if (event.data() % 10 == 0) {
                            throw new IllegalStateException("row " + event.data() + " is invalid");
                        }
                        collector.collect(event.data(), event.data());
                    });
            EmittingTask<Integer, Integer> running = pipeline.run();
            try {
                await().alias("the first ten events and their error counted while the pipeline runs")
                        .atMost(Duration.ofSeconds(10)).until(() -> counted(registry, "emitted") == 10
                                && counted(registry, "received") == 10 && counted(registry, "errors") == 1);
            }
            finally {
                release.countDown();
            }
            running.join();
            pipeline.run().join();
            await().alias("both runs counted").atMost(Duration.ofSeconds(10))
                    .until(() -> counted(registry, "emitted") == 200);
            await().alias("every event counted once, however often the meters are read")
                    .during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(10))
                    .until(() -> counted(registry, "emitted") == 200 && counted(registry, "received") == 200
                            && counted(registry, "errors") == 20);
            assertThat(registry.get("sweet.async.stream.received").tag("name", "nightly-import").meter().getId()
                    .getBaseUnit()).isEqualTo("events");
        }
    }

    /** The stream counter {@code figure} of the pipelines named {@code nightly-import}; 0 while it has no meter. */
    private static double counted(SimpleMeterRegistry registry, String figure) {
        Meter meter = registry.find("sweet.async.stream." + figure).tag("name", "nightly-import").meter();
        return meter == null ? 0 : meter.measure().iterator().next().getValue();
    }
}
