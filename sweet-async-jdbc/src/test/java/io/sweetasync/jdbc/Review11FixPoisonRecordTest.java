package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of 175b5cdb (a record failing alone is retried, refused only at its third failure in a row). A record the
 * database refuses for good (a poison row: a value a column or a trigger refuses) used to be dropped at its first
 * failure beside others that went through. Now it stays tracked and is retried; but its failure is counted only when
 * it is NOT first in the one-by-one fallback: a first record that fails with nothing written yet is taken for the
 * store being down (return false: the whole batch waits). The retried poison record is the only change left after
 * the flush that first failed it, and whenever it comes first in the tracked map's iteration, every record and every
 * durable end of that flush waits behind it, flush after flush, while the set of changed tasks stays (a quiet
 * member): a completed durable task's end is never written, its invocation stays PENDING (runs again after the
 * member stops, as its close counts it dropped), the store is reported down though it answers everything else.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review11FixPoisonRecordTest {

    @SuppressWarnings("unchecked")
    static List<TaskId> trackedOrder(TaskOrchestrator orchestrator) throws Exception {
        Method parts = TaskOrchestrator.class.getDeclaredMethod("parts");
        parts.setAccessible(true);
        Object p = parts.invoke(orchestrator);
        Method storeSync = p.getClass().getDeclaredMethod("storeSync");
        storeSync.setAccessible(true);
        Object sync = storeSync.invoke(p);
        Field field = sync.getClass().getDeclaredField("tracked");
        field.setAccessible(true);
        Map<Object, String> tracked = (Map<Object, String>) field.get(sync);
        List<TaskId> ids = new ArrayList<>();
        for (Object node : tracked.keySet()) {
            Method id = findId(node.getClass());
            id.setAccessible(true);
            ids.add((TaskId) id.invoke(node));
        }
        return ids;
    }

    private static Method findId(Class<?> type) throws NoSuchMethodException {
        for (Class<?> at = type; at != null; at = at.getSuperclass()) {
            try {
                return at.getDeclaredMethod("id");
            }
            catch (NoSuchMethodException next) {
                // up
            }
        }
        throw new NoSuchMethodException("id");
    }

    @Test
    void aRecordTheDatabaseRefusesDoesNotHoldBackTheOthers() throws Exception {
        JdbcTaskStore delegate = Databases.h2().newStore();
        AtomicReference<String> poison = new AtomicReference<>("none");
        TaskStore store = (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(),
                new Class<?>[] { TaskStore.class }, (proxy, method, args) -> {
                    if (method.getName().equals("save")) {
                        for (Object record : (Collection<?>) args[0]) {
                            if (((TaskRecord) record).name().equals(poison.get())) {
                                throw new IllegalStateException("value too long for column (test: refused for good)");
                            }
                        }
                    }
                    try {
                        return method.invoke(delegate, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
        try (TaskOrchestrator member = TaskOrchestrator.builder().store(store).member("m")
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofHours(1))
                .storeLease(Duration.ofHours(3)).handler("greet", String.class, name -> "hello " + name).build()) {
            Map<TaskId, String> names = new HashMap<>();
            for (int i = 0; i < 6; i++) {
                SpawningTask<String> task = member.to(String.class).named("t" + i).run(() -> "x");
                task.join();
                names.put(task.id(), "t" + i);
            }
            List<TaskId> order = trackedOrder(member);
            assertThat(order).hasSize(6);
            TaskId poisoned = order.get(1); // not first: it fails "alone", the others go through
            poison.set(names.get(poisoned));
            member.flushStore();
            // main: left tracked (retried); before 175b5cdb: dropped at once (tracked empty)
            System.out.println("tracked after the first flush " + trackedOrder(member) + " (poison " + poisoned + ")");
            for (int k = 0; k < 3; k++) {
                SpawningTask<String> durable = member.to(String.class).durable("greet", "d" + k).run();
                assertThat(durable.join()).isEqualTo("hello d" + k);
                List<TaskId> now = trackedOrder(member);
                for (int i = 0; i < 5; i++) {
                    member.flushStore();
                }
                System.out.println("tracked order " + now + " (poison " + poisoned + ")");
                assertThat(delegate.durable(durable.id()).orElseThrow().status())
                        .as("end of durable task d" + k + " after 5 flushes, tracked order " + now + ", poison "
                                + poisoned).isEqualTo("COMPLETED");
                assertThat(delegate.find(durable.id())).as("record of d" + k).isPresent();
            }
        }
    }
}
