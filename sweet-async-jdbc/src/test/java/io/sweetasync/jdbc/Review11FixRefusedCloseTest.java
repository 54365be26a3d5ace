package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of 0f8d4c65 (endRefusedNow at the store's close). A submission refused because its enqueue really failed
 * (rows never committed: the ordinary refusal) is never listed by a look, so it is never forgotten from
 * OwnedDurables.refused (only evicted beyond MAX_REFUSED = 10,000). The store's close now reads every one of them, one
 * read each, sequentially, BEFORE store.close(incarnation) releases the lease, all inside the close thread that
 * close() waits 2 x 5 s for. After a brief outage that refused a few thousand submissions, a store answering reads in
 * 5 ms (a remote database) makes close() give up before releasing the lease: the member's lease is left to lapse
 * (its pending invocations wait for it) and the close thread goes on reading a store whose pool the application
 * closes next. Before 0f8d4c65 close() made no such reads.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class Review11FixRefusedCloseTest {

    @Test
    void closeReleasesTheLeaseAfterAnOutageThatRefusedSubmissions() throws Exception {
        JdbcTaskStore delegate = Databases.h2().newStore();
        AtomicBoolean outage = new AtomicBoolean(true);
        AtomicBoolean slowReads = new AtomicBoolean();
        AtomicInteger readsAtClose = new AtomicInteger();
        AtomicBoolean leaseReleased = new AtomicBoolean();
        TaskStore store = (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(),
                new Class<?>[] { TaskStore.class }, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("enqueue") && outage.get()) {
                        throw new IllegalStateException("connection refused (test outage): nothing committed");
                    }
                    if (name.equals("durable") && slowReads.get()) {
                        readsAtClose.incrementAndGet();
                        Thread.sleep(5); // a remote database's round trip
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
        TaskOrchestrator a = TaskOrchestrator.builder().store(store).member("a").durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(30))
                .handler("charge", Integer.class, cents -> cents).build();
        int refusals = 3_000;
        try {
            for (int i = 0; i < refusals; i++) {
                int cents = i;
                assertThatThrownBy(() -> a.to(Integer.class).durable("charge", cents).run())
                        .hasMessageContaining("not started");
            }
            outage.set(false); // the outage is over; the store answers, 5 ms a read
            assertThat(a.to(Integer.class).durable("charge", 1).run().join()).isEqualTo(1);
            slowReads.set(true);
        }
        finally {
            long start = System.nanoTime();
            a.close();
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.println("close took " + took + " ms; reads of never-stored refused ids so far: "
                    + readsAtClose.get() + "; lease released before close returned: " + leaseReleased.get());
        }
        assertThat(leaseReleased).as("the member's lease released by close() (store.close(incarnation))").isTrue();
    }
}
