package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The lease keeper's store calls after a renewal, and its claims between renewals, are made within a third of the
 * lease ({@link TaskStore#within}): a store that bounds them (the JDBC store cancels a statement that waits for a
 * lock) keeps a lock on its tables from holding the next renewal back without end. The renewal itself is not in it.
 */
class LeaseKeeperBoundTest {

    private static final Duration LEASE = Duration.ofSeconds(3);

    /** A store of nothing that says which of its calls came inside {@code within}, and with which bound. */
    static final class BoundsSeen {
        final ThreadLocal<Duration> bound = new ThreadLocal<>();
        final Set<String> inside = ConcurrentHashMap.newKeySet();
        final Set<String> outside = ConcurrentHashMap.newKeySet();
        final Set<Duration> bounds = ConcurrentHashMap.newKeySet();
        final AtomicInteger claims = new AtomicInteger();

        TaskStore proxy() {
            InvocationHandler handler = (proxy, method, args) -> {
                String name = method.getName();
                if (name.equals("within")) {
                    bounds.add((Duration) args[0]);
                    bound.set((Duration) args[0]);
                    try {
                        ((Runnable) args[1]).run();
                    }
                    finally {
                        bound.remove();
                    }
                    return null;
                }
                if (Thread.currentThread().getName().equals("sweet-async-store-lease")) {
                    (bound.get() == null ? outside : inside).add(name);
                }
                return switch (name) {
                    case "open" -> new TaskStore.Incarnation(1, (String) args[0], Instant.now().plus(LEASE));
                    case "heartbeat", "purge" -> 0;
                    case "claimOrphans" -> {
                        claims.incrementAndGet();
                        yield List.of();
                    }
                    case "claimUnresolved", "owned", "query" -> List.of();
                    case "durable", "find" -> Optional.empty();
                    case "finishDurable" -> true;
                    case "finishDurables" -> new boolean[((List<?>) args[0]).size()];
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "BoundsSeen";
                    default -> null; // save, close, releaseDurables, enqueue
                };
            };
            return (TaskStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { TaskStore.class },
                    handler);
        }
    }

    private static final DurableCodec CODEC = new DurableCodec() {
        @Override
        public String encode(Object value) {
            return String.valueOf(value);
        }

        @Override
        public <T> T decode(String text, Class<T> type) {
            return type.cast(text);
        }
    };

    @Test
    void theCallsAfterARenewalAreBoundedByAThirdOfTheLeaseAndTheRenewalIsNot() {
        BoundsSeen store = new BoundsSeen();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store.proxy()).member("bounded")
                .storeLease(LEASE).storeFlushInterval(Duration.ofMillis(50)).durableCodec(CODEC)
                .handler("echo", String.class, argument -> argument).build()) {
            await().atMost(Duration.ofSeconds(30)).alias("two renewals and their claims")
                    .until(() -> store.claims.get() >= 2 && store.inside.contains("claimUnresolved"));
            assertThat(store.inside).as("made within the bound").contains("claimOrphans", "owned", "claimUnresolved")
                    .doesNotContain("heartbeat");
            assertThat(store.outside).as("the renewal, outside any bound").contains("heartbeat")
                    .doesNotContain("claimOrphans", "owned", "claimUnresolved");
            assertThat(store.bounds).containsExactly(LEASE.dividedBy(3));
        }
    }
}
