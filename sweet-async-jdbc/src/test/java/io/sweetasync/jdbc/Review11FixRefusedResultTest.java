package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of 175b5cdb. StoreWriter keeps ONE failuresInARow map, keyed by task id, for records and durable ends alike,
 * and a successful save of a task's record removes its entry. A durable end that fails alone is marked UNWRITTEN, so
 * at the next flush its record is saved again first (succeeds: the entry is removed) and then its end fails again:
 * back to 1, never 3. Moreover, alone in the next flush, the end is first in the one-by-one fallback, where a failure
 * is taken for the store being down and not counted at all. So an end whose RESULT the database refuses for good (a
 * NUL character in a text column on PostgreSQL, a result past a column's size) is never "written without its result"
 * any more, as it was at once before 175b5cdb: the invocation of a task that completed stays PENDING for as long as
 * its member lives (and runs again after it stops), and the store is reported down, every flush.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review11FixRefusedResultTest {

    static TaskStore refusingResults(TaskStore delegate) {
        return (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(), new Class<?>[] { TaskStore.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("finishDurables")) {
                        for (Object end : (List<?>) args[0]) {
                            String result = ((TaskStore.DurableEnd) end).result();
                            if (result != null && result.contains("poison")) {
                                throw new IllegalStateException("invalid byte sequence (test: a result refused)");
                            }
                        }
                    }
                    if (method.getName().equals("finishDurable") && args[3] != null
                            && ((String) args[3]).contains("poison")) {
                        throw new IllegalStateException("invalid byte sequence (test: a result refused)");
                    }
                    try {
                        return method.invoke(delegate, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }

    @Test
    void anEndWhoseResultTheDatabaseRefusesIsWrittenWithoutIt() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        try (TaskOrchestrator member = TaskOrchestrator.builder().store(refusingResults(store)).member("m")
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofHours(1))
                .storeLease(Duration.ofHours(3))
                .handler("greet", String.class, name -> name.equals("bob") ? "poison" : "hello " + name).build()) {
            SpawningTask<String> ann = member.to(String.class).durable("greet", "ann").run();
            SpawningTask<String> bob = member.to(String.class).durable("greet", "bob").run();
            assertThat(ann.join()).isEqualTo("hello ann");
            assertThat(bob.join()).isEqualTo("poison");
            for (int i = 0; i < 8; i++) {
                System.out.println("flush " + i + ": " + member.flushStore() + ", bob's end "
                        + store.durable(bob.id()).orElseThrow().status());
            }
            assertThat(store.durable(ann.id()).orElseThrow().status()).isEqualTo("COMPLETED");
            assertThat(store.durable(bob.id()).orElseThrow().status())
                    .as("bob's end, its result refused for good, after 8 flushes of a store that answers")
                    .isEqualTo("COMPLETED");
        }
    }
}
