package io.sweetasync.bench.jmh;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.ReceiverStrategy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * 1,000,000 small events through 4 parallel receivers: a Sweet Async pipeline against Reactor's
 * {@code parallel(4).runOn(...)} and against four {@link SubmissionPublisher}s fed round-robin, each
 * on the same virtual-thread executor. One operation = the whole million.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class StreamBenchmark {

    static final int EVENTS = 1_000_000;

    private TaskOrchestrator orchestrator;
    private ExecutorService raw;
    private Scheduler scheduler;

    @Setup(Level.Trial)
    public void setUp() {
        orchestrator = TaskOrchestrator.builder().historySize(0).build();
        raw = Executors.newVirtualThreadPerTaskExecutor();
        scheduler = Schedulers.fromExecutorService(raw);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        orchestrator.close();
        scheduler.dispose();
        raw.close();
    }

    @Benchmark
    public long sweetAsyncPipeline() {
        LongAdder sum = new LongAdder();
        orchestrator.emits(Integer.class).bufferSize(1024)
                .sender(emitter -> emitter.emitAll(IntStream.range(0, EVENTS).boxed()))
                .receiver(ReceiverStrategy.parallel(4), (event, collector) -> sum.add(event.data()))
                .awaitFinalEvent();
        return sum.sum();
    }

    @Benchmark
    public long reactorParallel() {
        LongAdder sum = new LongAdder();
        Flux.range(0, EVENTS).parallel(4).runOn(scheduler).doOnNext(sum::add).sequential().blockLast();
        return sum.sum();
    }

    @Benchmark
    public long submissionPublisher() throws InterruptedException {
        LongAdder sum = new LongAdder();
        CountDownLatch done = new CountDownLatch(4);
        SubmissionPublisher<Integer>[] publishers = newPublishers();
        for (SubmissionPublisher<Integer> publisher : publishers) {
            publisher.subscribe(new Flow.Subscriber<>() {
                private Flow.Subscription subscription;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Integer item) {
                    sum.add(item);
                }

                @Override
                public void onError(Throwable error) {
                    done.countDown();
                }

                @Override
                public void onComplete() {
                    done.countDown();
                }
            });
        }
        for (int i = 0; i < EVENTS; i++) {
            publishers[i & 3].submit(i);
        }
        for (SubmissionPublisher<Integer> publisher : publishers) {
            publisher.close();
        }
        done.await();
        return sum.sum();
    }

    @SuppressWarnings("unchecked")
    private SubmissionPublisher<Integer>[] newPublishers() {
        SubmissionPublisher<Integer>[] publishers = new SubmissionPublisher[4];
        for (int i = 0; i < 4; i++) {
            publishers[i] = new SubmissionPublisher<>(raw, 1024);
        }
        return publishers;
    }
}
