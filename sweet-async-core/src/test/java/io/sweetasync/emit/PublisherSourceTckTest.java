package io.sweetasync.emit;

import io.sweetasync.TaskOrchestrator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeClass;

/**
 * The Reactive Streams TCK (TestNG, run on the JUnit Platform) against the subscriber behind
 * {@link Sources#publisher}: each subscriber under test feeds a running pipeline, as it does in use.
 * Every pipeline a test starts is cancelled after it.
 */
public class PublisherSourceTckTest extends FlowSubscriberBlackboxVerification<Integer> {

    private TaskOrchestrator orchestrator;
    private final List<EmittingTask<?, ?>> started = new CopyOnWriteArrayList<>();

    public PublisherSourceTckTest() {
        super(new TestEnvironment(2_000, 200));
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
    public Flow.Subscriber<Integer> createFlowSubscriber() {
        PublisherSource<Integer> source = new PublisherSource<>(8);
        started.add(orchestrator.emits(Integer.class).named("tck-source")
                .sender(source::drainTo)
                .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                .run());
        return source;
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
