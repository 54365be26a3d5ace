package io.sweetasync.boot.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BoundedTagValuesTests {

    @Test
    void keepsTheFirstValuesAndMakesTheRestOther() {
        BoundedTagValues values = new BoundedTagValues(2);
        assertThat(values.of("a")).isEqualTo("a");
        assertThat(values.of("b")).isEqualTo("b");
        assertThat(values.isFull()).isTrue();
        assertThat(values.of("c")).isEqualTo(BoundedTagValues.OTHER);
        assertThat(values.isAdmitted("c")).isFalse();
        assertThat(values.of("a")).as("an admitted value stays admitted").isEqualTo("a");
        assertThatIllegalArgumentException().isThrownBy(() -> new BoundedTagValues(0)).withMessageContaining("was 0");
    }

    /** Racing first uses never admit more than the bound, and every caller sees the same answer for a value. */
    /**
     * Once full, an unknown value (a task name made per request) is answered without the admission lock: every
     * task start and end past the bound took it, one global lock on the metrics' hot path.
     */
    @Test
    @Timeout(10)
    void aFullSetAnswersANewValueWithoutItsLock() throws Exception {
        BoundedTagValues names = new BoundedTagValues(2);
        names.of("a");
        names.of("b");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            names.lock.lock();
            try {
                held.countDown();
                release.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            finally {
                names.lock.unlock();
            }
        });
        holder.start();
        held.await();
        try (ExecutorService caller = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> answer = caller.submit(() -> names.of("request-42"));
            assertThat(answer.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(BoundedTagValues.OTHER);
            assertThat(names.of("a")).isEqualTo("a");
        }
        finally {
            release.countDown();
            holder.join();
        }
    }

    @Test
    @Timeout(60)
    void racingAdmissionsNeverPassTheBound() throws Exception {
        BoundedTagValues values = new BoundedTagValues(200);
        Set<String> answered = ConcurrentHashMap.newKeySet();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 2_000; i++) {
                        answered.add(values.of("v-" + i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get();
            }
        }
        finally {
            pool.shutdownNow();
        }
        assertThat(answered).hasSize(201).contains(BoundedTagValues.OTHER);
        assertThat(answered).filteredOn(value -> !value.equals(BoundedTagValues.OTHER))
                .allSatisfy(value -> assertThat(values.isAdmitted(value)).isTrue());
    }
}
