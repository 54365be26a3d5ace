package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 11 (jdbc). README: "a submission whose run() threw 'could not be stored, so it was not started' but whose
 * rows were committed after all is ended FAILED, never run, as its caller was told". Only the member's next look at
 * the store (a renewal, a third of the lease later) ends it so; a member that closes gracefully before that look
 * (or dies, or whose lease lapses) leaves it pending under its incarnation, and the next member runs it: a task its
 * caller was told never started (and may have submitted again) runs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review11JdbcRefusedSubmissionTest {

    /** A store whose first {@code enqueue} commits and then throws: the answer lost on the way back. */
    static TaskStore answerLostOnce(TaskStore delegate) {
        AtomicBoolean lost = new AtomicBoolean();
        return (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(), new Class<?>[] { TaskStore.class },
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(delegate, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                    if (method.getName().equals("enqueue") && lost.compareAndSet(false, true)) {
                        throw new IllegalStateException("connection reset after the commit (test)");
                    }
                    return result;
                });
    }

    private static TaskOrchestrator.Builder on(TaskStore store, String member, Map<Integer, AtomicInteger> runs) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(30))
                .handler("charge", Integer.class, cents -> {
                    runs.computeIfAbsent(cents, k -> new AtomicInteger()).incrementAndGet();
                    return cents;
                });
    }

    @Test
    void aSubmissionItsCallerWasToldDidNotStartNeverRunsAfterAGracefulClose() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        try (TaskOrchestrator a = on(answerLostOnce(store), "a", runs).build()) {
            assertThatThrownBy(() -> a.to(Integer.class).durable("charge", 4200).run())
                    .hasMessageContaining("could not be stored, so it was not started");
        } // the application stops (say, because of that error), gracefully, a moment later
        List<TaskRecord> stored = store.query(new TaskQuery(null, "charge", null, 0, 10));
        assertThat(stored).as("the rows were committed after all").hasSize(1);
        TaskId id = new TaskId(stored.getFirst().id());
        try (TaskOrchestrator next = on(store, "next", runs).build()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !store.durable(id).orElseThrow().status()
                    .equals("PENDING"));
            Thread.sleep(500);
            assertThat(runs).as("runs of the charge its caller was told did not start").isEmpty();
            assertThat(store.durable(id).orElseThrow().status()).isEqualTo("FAILED");
        }
    }
}
