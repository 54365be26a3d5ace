package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A store member's incarnation claimed in the cluster, with a scripted cluster and an in-memory sequence. */
class IncarnationsTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    /** A store numbering from a sequence, skipping ahead on request; remembers what was released. */
    static final class SequenceStore {
        long last;
        final List<Long> released = new ArrayList<>();
        final boolean skips;

        SequenceStore(long last, boolean skips) {
            this.last = last;
            this.skips = skips;
        }

        TaskStore proxy() {
            InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
                case "open" -> {
                    if (args.length == 3 && !skips) {
                        yield InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    last = args.length == 3 ? Math.max(last + 1, (long) args[2]) : last + 1;
                    yield new TaskStore.Incarnation(last, (String) args[0], Instant.now());
                }
                case "close" -> {
                    released.add((Long) args[0]);
                    yield null;
                }
                default -> throw new UnsupportedOperationException(method.getName());
            };
            return (TaskStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { TaskStore.class },
                    handler);
        }
    }

    /** A cluster whose counter other members raise by {@code racing} before each of the first claims answers. */
    static final class RacingCluster extends QuietCluster {
        long counter;
        int racingClaims;
        int claims;

        @Override
        public long claimIncarnation(long proposed) {
            claims++;
            if (racingClaims-- > 0) {
                counter += 3; // members without a store took three numbers meanwhile
            }
            if (counter < proposed) {
                counter = proposed;
                return proposed;
            }
            return counter + 1;
        }

        @Override
        public long incarnation() {
            return ++counter;
        }
    }

    @Test
    void aNumberAboveTheClusterIsClaimedAsItIs() {
        SequenceStore store = new SequenceStore(6, true);
        RacingCluster cluster = new RacingCluster();
        cluster.counter = 3;
        assertThat(Incarnations.open(store.proxy(), "a", LEASE, cluster).number()).isEqualTo(7);
        assertThat(cluster.incarnation()).isEqualTo(8);
        assertThat(store.released).isEmpty();
    }

    @Test
    void aTakenNumberIsReleasedAndTheStoreSkipsAheadUntilAClaimHolds() {
        SequenceStore store = new SequenceStore(0, true);
        RacingCluster cluster = new RacingCluster();
        cluster.counter = 4;
        cluster.racingClaims = 2; // the first two claims lose a race
        TaskStore.Incarnation opened = Incarnations.open(store.proxy(), "a", LEASE, cluster);
        // 1 refused (counter 7) -> store 8 refused (counter 10) -> store 11 claimed.
        assertThat(opened.number()).isEqualTo(11);
        assertThat(store.released).containsExactly(1L, 8L);
        assertThat(cluster.claims).isEqualTo(3);
        assertThat(cluster.incarnation()).isEqualTo(12);
    }

    @Test
    void withoutAClusterTheStoreNumberIsKept() {
        SequenceStore store = new SequenceStore(41, true);
        assertThat(Incarnations.open(store.proxy(), "a", LEASE, null).number()).isEqualTo(42);
    }

    @Test
    void givesUpNamingTheNumbersWhenEveryClaimLosesARace() {
        SequenceStore store = new SequenceStore(0, true);
        RacingCluster cluster = new RacingCluster();
        cluster.racingClaims = Integer.MAX_VALUE;
        assertThatThrownBy(() -> Incarnations.open(store.proxy(), "a", LEASE, cluster))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(Incarnations.ATTEMPTS + " attempts");
        assertThat(store.released).hasSize(Incarnations.ATTEMPTS);
    }

    @Test
    void aStoreThatCannotSkipAheadFailsNamingBothNumbersAndReleasesWhatItOpened() {
        SequenceStore store = new SequenceStore(0, false);
        RacingCluster cluster = new RacingCluster();
        cluster.counter = 5;
        assertThatThrownBy(() -> Incarnations.open(store.proxy(), "a", LEASE, cluster))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("gave incarnation 2").hasMessageContaining("needs 6 or more");
        assertThat(store.released).containsExactly(1L, 2L);
    }
}
