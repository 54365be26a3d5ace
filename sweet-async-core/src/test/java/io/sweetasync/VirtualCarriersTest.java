package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The table that finds a {@code VIRTUAL} body's carrier by its thread. */
@Timeout(120)
class VirtualCarriersTest {

    /**
     * Random binds and unbinds of thousands of threads (growing, shrinking, and deleting from the middle of
     * probe runs, where a wrong backward shift loses entries) agree with a plain map at every step.
     */
    @Test
    void agreesWithAMapThroughGrowthShrinkageAndDeletionsInsideProbeRuns() {
        Random random = new Random(42);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            threads.add(Thread.ofVirtual().unstarted(() -> { }));
        }
        Map<Thread, Carrier> expected = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            Thread thread = threads.get(random.nextInt(step < 100_000 ? threads.size() : 300));
            Carrier bound = expected.get(thread);
            if (bound == null) {
                Carrier carrier = new Carrier(thread);
                VirtualCarriers.put(carrier);
                expected.put(thread, carrier);
            }
            else if (random.nextInt(4) == 0) {
                VirtualCarriers.remove(new Carrier(thread)); // not the bound one: nothing happens
                assertThat(VirtualCarriers.get(thread)).isSameAs(bound);
            }
            else {
                VirtualCarriers.remove(bound);
                expected.remove(thread);
            }
            Thread probe = threads.get(random.nextInt(threads.size()));
            assertThat(VirtualCarriers.get(probe)).isSameAs(expected.get(probe));
        }
        for (Thread thread : threads) {
            assertThat(VirtualCarriers.get(thread)).isSameAs(expected.get(thread));
        }
        expected.values().forEach(VirtualCarriers::remove);
        threads.forEach(thread -> assertThat(VirtualCarriers.get(thread)).isNull());
    }

    /** Threads binding, looking up and unbinding at once each find exactly their own carrier, every time. */
    @Test
    void concurrentThreadsEachFindTheirOwnCarrier() throws InterruptedException {
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        int threads = 2_000;
        CountDownLatch done = new CountDownLatch(threads);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                executor.execute(() -> {
                    try {
                        for (int round = 0; round < 50; round++) {
                            Carrier mine = new Carrier(Thread.currentThread());
                            VirtualCarriers.put(mine);
                            Thread.yield(); // let others bind, unbind and resize meanwhile
                            if (VirtualCarriers.get(Thread.currentThread()) != mine) {
                                wrong.add(Thread.currentThread() + " round " + round);
                            }
                            VirtualCarriers.remove(mine);
                            if (VirtualCarriers.get(Thread.currentThread()) != null) {
                                wrong.add(Thread.currentThread() + " still bound after round " + round);
                            }
                        }
                    }
                    finally {
                        done.countDown();
                    }
                });
            }
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(wrong).isEmpty();
    }
}
