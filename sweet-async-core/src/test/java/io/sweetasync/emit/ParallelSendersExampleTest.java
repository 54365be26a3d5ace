package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SenderStrategy}'s javadoc example, as written: parallel senders that each take ids from one queue and
 * load them make their events side by side (the example it replaced, {@code emitAll} of one shared lazy source,
 * made them one at a time: its iterator is pulled under a lock), and each id is emitted once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ParallelSendersExampleTest extends PipelineHostileSupport {

    private final AtomicInteger loading = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();

    /** A stand-in for a slow load. */
    private final class Repository {
        String load(Long id) throws InterruptedException {
            mostAtOnce.accumulateAndGet(loading.incrementAndGet(), Math::max);
            try {
                Thread.sleep(2);
                return "row-" + id;
            }
            finally {
                loading.decrementAndGet();
            }
        }
    }

    @Test
    void senderWorkersLoadSideBySideAndEmitEachIdOnce() {
        Repository repository = new Repository();
        List<Long> idsToLoad = LongStream.range(0, 200).boxed().toList();
        // -- the example
        Queue<Long> ids = new ConcurrentLinkedQueue<>(idsToLoad);
        FinalEvent<String, String> done = orchestrator.emits(String.class)
                .sender(SenderStrategy.parallel(MinMax.of(4, 4)), emitter -> {
                    for (Long id = ids.poll(); id != null; id = ids.poll()) {
                        emitter.emit(repository.load(id)); // up to four loads at once
                    }
                })
                // -- end of the example
                .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent();
        assertThat(done.emitted()).isEqualTo(200);
        assertThat(done.collected()).hasSize(200);
        assertThat(mostAtOnce.get()).as("loads that ran at once").isGreaterThan(1);
    }
}
