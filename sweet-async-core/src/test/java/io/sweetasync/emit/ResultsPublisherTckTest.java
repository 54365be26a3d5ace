package io.sweetasync.emit;

import io.sweetasync.TaskOrchestrator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeClass;

/**
 * The Reactive Streams TCK (TestNG, run on the JUnit Platform) against a pipeline's results publisher
 * ({@link EmittingTask#results()}): a pipeline emitting {@code elements} events, each collected once,
 * and, as the failed publisher, a pipeline cancelled while it runs. Every pipeline a test starts is
 * cancelled after it.
 */
public class ResultsPublisherTckTest extends FlowPublisherVerification<Map.Entry<Long, Long>> {

    /** Events past this are received slowly, so a test asking for a huge stream does not fill the heap. */
    private static final long FAST_EVENTS = 1_024;

    private TaskOrchestrator orchestrator;
    private final List<EmittingTask<?, ?>> started = new CopyOnWriteArrayList<>();

    public ResultsPublisherTckTest() {
        // generous timeouts for a loaded two-core machine; signals are delivered on their own threads
        // (the poll interval is the 2 s timeout too: the TCK 1.0.4's expectError sleeps one poll interval and looks
        // once, so a shorter poll would shorten the time the spec309 errors have to arrive, not the wait)
        super(new TestEnvironment(2_000, 200), 1_000);
    }

    @BeforeClass
    public void startOrchestrator() {
        orchestrator = TaskOrchestrator.builder().historySize(0).build();
    }

    @AfterMethod
    public void cancelPipelines() {
        started.forEach(EmittingTask::cancel);
        started.clear();
    }

    @AfterClass
    public void closeOrchestrator() {
        orchestrator.close();
    }

    @Override
    public Flow.Publisher<Map.Entry<Long, Long>> createFlowPublisher(long elements) {
        EmittingTask<Long, Long> task = orchestrator.emits(Long.class).named("tck")
                .sender(emitter -> emitter.emitAll(LongStream.range(0, elements).boxed()))
                .receiver((event, collector) -> {
                    if (event.sequence() >= FAST_EVENTS) {
                        LockSupport.parkNanos(1_000_000);
                    }
                    collector.collect(event.sequence(), event.data());
                })
                .run();
        started.add(task);
        return task.results();
    }

    /**
     * A pipeline cancelled while it runs: its results stream must end with {@code onError} (the
     * task's {@link io.sweetasync.TaskCancelledException}), for subscribers before and after the end.
     */
    @Override
    public Flow.Publisher<Map.Entry<Long, Long>> createFailedFlowPublisher() {
        CountDownLatch running = new CountDownLatch(1);
        EmittingTask<Long, Long> task = orchestrator.emits(Long.class).named("tck-cancelled")
                .sender(emitter -> {
                    emitter.emit(1L);
                    running.countDown();
                    new CountDownLatch(1).await();
                })
                .receiver((event, collector) -> { })
                .run();
        try {
            running.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        task.cancel();
        return task.results();
    }
}
