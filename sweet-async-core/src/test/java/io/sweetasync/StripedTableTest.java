package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The identity table behind the live roots and the virtual carriers: entries found by identity whatever keys
 * they share, whole-table reads exact when nothing changes.
 */
@Timeout(120)
class StripedTableTest {

    /** An entry with a key of its own choosing: several may share one (a durable re-run keeps its id's number). */
    private record Keyed(long key, int serial) {
    }

    /**
     * Random adds and removes (growth, shrinkage, deletions inside probe runs of entries sharing a key or a
     * slot, where a wrong backward shift loses one) agree with an identity set at every step: contains, size,
     * the copy, and remove's answer.
     */
    @Test
    void agreesWithAnIdentitySetThroughGrowthShrinkageAndSharedKeys() {
        Random random = new Random(7);
        StripedTable<Keyed> table = new StripedTable<>(4, Keyed::key);
        Set<Keyed> expected = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Keyed> made = new ArrayList<>();
        for (int step = 0; step < 60_000; step++) {
            boolean add = expected.isEmpty() || random.nextInt(step < 30_000 ? 3 : 5) != 0 == (step < 30_000);
            if (add) {
                // few keys: long runs of entries with one key; many serials: identity, not key, decides
                Keyed entry = new Keyed(random.nextInt(step % 2 == 0 ? 50 : 5_000), step);
                table.add(entry);
                expected.add(entry);
                made.add(entry);
            }
            else {
                Keyed gone = made.get(random.nextInt(made.size()));
                assertThat(table.remove(gone)).isEqualTo(expected.remove(gone));
            }
            Keyed probe = made.get(random.nextInt(made.size()));
            assertThat(table.contains(probe)).isEqualTo(expected.contains(probe));
            Keyed found = table.get(probe.key());
            assertThat(found == null ? expected.stream().noneMatch(e -> e.key() == probe.key()) : expected.contains(found)
                    && found.key() == probe.key()).isTrue();
            if (step % 997 == 0) {
                assertThat(table.size()).isEqualTo(expected.size());
                assertThat(table.isEmpty()).isEqualTo(expected.isEmpty());
                Set<Keyed> copy = Collections.newSetFromMap(new IdentityHashMap<>());
                copy.addAll(table.toList());
                assertThat(copy).isEqualTo(expected);
            }
        }
        for (Keyed entry : made) {
            assertThat(table.remove(entry)).isEqualTo(expected.remove(entry));
        }
        assertThat(table.isEmpty()).isTrue();
        assertThat(table.toList()).isEmpty();
    }

    /** Threads adding and removing their own entries at once never lose or see another's; the table ends empty. */
    @Test
    void concurrentAddsAndRemovesLoseNothing() throws InterruptedException {
        StripedTable<Keyed> table = new StripedTable<>(StripedTable.stripesFor(2), Keyed::key);
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        int threads = 500;
        CountDownLatch done = new CountDownLatch(threads);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                executor.execute(() -> {
                    try {
                        List<Keyed> mine = new ArrayList<>();
                        for (int i = 0; i < 200; i++) {
                            Keyed entry = new Keyed(i % 7, thread * 1_000 + i); // keys shared by every thread
                            table.add(entry);
                            mine.add(entry);
                            if (i % 10 == 0) {
                                Thread.yield(); // let others grow and shrink the stripes meanwhile
                            }
                        }
                        for (Keyed entry : mine) {
                            if (!table.contains(entry) || !table.remove(entry) || table.contains(entry)) {
                                wrong.add("thread " + thread + " entry " + entry);
                            }
                        }
                    }
                    finally {
                        done.countDown();
                    }
                });
            }
            done.await();
        }
        assertThat(wrong).isEmpty();
        assertThat(table.size()).isZero();
    }

    @Test
    void stripesArePositivePowersOfTwo() {
        assertThatThrownBy(() -> new StripedTable<Keyed>(0, Keyed::key)).hasMessageContaining("was 0");
        assertThatThrownBy(() -> new StripedTable<Keyed>(12, Keyed::key)).hasMessageContaining("was 12");
        assertThat(StripedTable.stripesFor(1)).isEqualTo(8);
        assertThat(StripedTable.stripesFor(3)).isEqualTo(16);
        assertThat(StripedTable.stripesFor(1_000)).isEqualTo(256);
    }
}
