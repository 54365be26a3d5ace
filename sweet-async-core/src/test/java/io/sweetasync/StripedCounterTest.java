package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The counter behind the live-task count and the attempts per name: no add is lost, whether it lands on
 * the base (uncontended) or on a cell (after the first contention), from fresh virtual threads or from
 * platform threads, while the cells are being made.
 */
@Timeout(120)
class StripedCounterTest {

    @Test
    void uncontendedAddsSumExactly() {
        StripedCounter counter = new StripedCounter();
        assertThat(counter.sum()).isZero();
        counter.increment();
        counter.add(41);
        counter.decrement();
        counter.add(Long.MAX_VALUE - 41);
        assertThat(counter.sum()).isEqualTo(Long.MAX_VALUE);
        counter.add(-Long.MAX_VALUE);
        assertThat(counter.sum()).isZero();
    }

    /**
     * Many fresh virtual threads and a few platform threads add and take away at once, released together so
     * that the base's first update fails and the cells are made under contention (a lost race to make them
     * that kept its own array would lose that thread's adds): the sum is exact once all have ended.
     */
    @RepeatedTest(20)
    void concurrentAddsFromVirtualAndPlatformThreadsAreNeverLost() throws Exception {
        StripedCounter counter = new StripedCounter();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> all = new ArrayList<>();
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
                ExecutorService platform = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 2_000; i++) {
                all.add(virtual.submit(() -> {
                    go.await();
                    counter.add(3);
                    counter.decrement();
                    return null;
                }));
            }
            for (int t = 0; t < 4; t++) {
                all.add(platform.submit(() -> {
                    go.await();
                    for (int i = 0; i < 50_000; i++) {
                        counter.increment();
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : all) {
                f.get();
            }
        }
        assertThat(counter.sum()).isEqualTo(2_000L * 2 + 4L * 50_000);
    }

    @Test
    void cellsArePowersOfTwoBetweenFourAndSixtyFour() {
        assertThat(StripedCounter.cellsFor(1)).isEqualTo(4);
        assertThat(StripedCounter.cellsFor(2)).isEqualTo(8);
        assertThat(StripedCounter.cellsFor(3)).isEqualTo(16);
        assertThat(StripedCounter.cellsFor(16)).isEqualTo(64);
        assertThat(StripedCounter.cellsFor(1024)).isEqualTo(64);
        assertThat(StripedCounter.cellsFor(0)).isEqualTo(4);
    }
}
