package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A store that fails to take back the durable runs a shutdown stopped still gets the member's lease released on
 * close: the runs stay owned by a closed member, whose lease is then over, so another member claims them at once
 * rather than a lease later.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseReleasesLeaseTest {

    @Test
    void closeReleasesTheLeaseThoughTheHandBackOfStoppedRunsFails() throws Exception {
        JdbcTaskStore delegate = Databases.h2().newStore();
        AtomicInteger handBacks = new AtomicInteger();
        AtomicBoolean leaseReleased = new AtomicBoolean();
        TaskStore store = (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(),
                new Class<?>[] { TaskStore.class }, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("releaseDurables")) {
                        handBacks.incrementAndGet();
                        throw new IllegalStateException("connection reset (test): hand-back failed");
                    }
                    if (name.equals("close") && args != null && args.length == 1) {
                        leaseReleased.set(true);
                    }
                    try {
                        return method.invoke(delegate, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
        CountDownLatch running = new CountDownLatch(1);
        TaskOrchestrator a = TaskOrchestrator.builder().store(store).member("a").durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(30))
                .handler("report", Integer.class, n -> {
                    running.countDown();
                    Thread.sleep(Long.MAX_VALUE); // stopped by the shutdown
                    return n;
                }).build();
        SpawningTask<Integer> report = a.to(Integer.class).durable("report", 7).run();
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        a.close();
        assertThat(handBacks.get()).as("hand-backs tried (each failed)").isPositive();
        assertThat(leaseReleased).as("the member's lease released by close() though the hand-back failed").isTrue();
        assertThat(delegate.durable(report.id()).orElseThrow().status()).isEqualTo("PENDING");
    }
}
