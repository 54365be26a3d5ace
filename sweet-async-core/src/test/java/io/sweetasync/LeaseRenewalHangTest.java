package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.hostile.LogLines;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A renewal of the lease that hangs (a store call waiting on a connection that died without a word, no socket
 * timeout) is said in the log once the lease has lapsed by this member's clock, and its return is said too: until it
 * returns, nothing else here can tell that other members may be running this member's durable tasks. A renewal that
 * fails at once is the store-down warning's, not this one's.
 */
class LeaseRenewalHangTest {

    private static final Duration LEASE = Duration.ofMillis(1500);
    private static final String HANG = "has not returned";

    /** A store of nothing whose renewals do what {@link #renewal} says: 0 = answer, 1 = hang on {@link #release}, 2 = throw. */
    static final class RenewalStore {
        final AtomicInteger renewal = new AtomicInteger();
        final AtomicInteger renewals = new AtomicInteger();
        final AtomicReference<CountDownLatch> release = new AtomicReference<>(new CountDownLatch(1));

        TaskStore proxy() {
            InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
                case "open" -> new TaskStore.Incarnation(1, (String) args[0], Instant.now().plus(LEASE));
                case "heartbeat" -> {
                    renewals.incrementAndGet();
                    switch (renewal.get()) {
                        case 1 -> release.get().await(60, TimeUnit.SECONDS);
                        case 2 -> throw new IllegalStateException("connection refused");
                        default -> { }
                    }
                    yield 0;
                }
                case "within" -> {
                    ((Runnable) args[1]).run();
                    yield null;
                }
                case "purge" -> 0;
                case "claimOrphans", "claimUnresolved", "owned", "query" -> List.of();
                case "durable", "find" -> Optional.empty();
                case "finishDurable" -> true;
                case "finishDurables" -> new boolean[((List<?>) args[0]).size()];
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                case "toString" -> "RenewalStore";
                default -> null;
            };
            return (TaskStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { TaskStore.class },
                    handler);
        }
    }

    @Test
    void aRenewalThatHangsPastTheLeaseIsSaidAndSoIsItsReturn() {
        RenewalStore store = new RenewalStore();
        try (LogLines log = LogLines.capture(StoreSync.class.getName());
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store.proxy()).member("hanging")
                        .storeLease(LEASE).storeFlushInterval(Duration.ofMillis(100)).build()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> store.renewals.get() >= 2);
            store.renewal.set(1);
            try {
                await().atMost(Duration.ofSeconds(30)).alias("the warning of a renewal that hangs")
                        .until(() -> log.formatted().stream().anyMatch(line -> line.contains(HANG)));
                String warning = log.formatted().stream().filter(line -> line.contains(HANG)).findFirst().orElseThrow();
                assertThat(warning).contains("member hanging", "lease (" + LEASE + ") has lapsed", "socket timeout");
                assertThat(log.formatted()).filteredOn(line -> line.contains("lease returned after")).isEmpty();
            }
            finally {
                store.renewal.set(0);
                store.release.get().countDown();
            }
            await().atMost(Duration.ofSeconds(30)).alias("the return of that renewal said")
                    .until(() -> log.formatted().stream().anyMatch(line -> line.contains("member hanging's lease returned after")));
            assertThat(log.formatted()).filteredOn(line -> line.contains(HANG)).as("said once").hasSize(1);
        }
    }

    @Test
    void aRenewalThatFailsAtOnceIsTheStoreDownWarningsNotThisOne() {
        RenewalStore store = new RenewalStore();
        try (LogLines log = LogLines.capture(StoreSync.class.getName());
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store.proxy()).member("refused")
                        .storeLease(LEASE).storeFlushInterval(Duration.ofMillis(100)).build()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> store.renewals.get() >= 2);
            store.renewal.set(2);
            int before = store.renewals.get();
            // Six failed renewals: two leases' worth, the lease long lapsed when the last began.
            await().atMost(Duration.ofSeconds(60)).until(() -> store.renewals.get() >= before + 6);
            assertThat(log.formatted()).anyMatch(line -> line.contains("failed renewing the lease of member refused"))
                    .noneMatch(line -> line.contains(HANG));
        }
    }
}
