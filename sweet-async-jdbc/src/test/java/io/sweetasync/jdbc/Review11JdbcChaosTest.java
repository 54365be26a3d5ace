package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 11 (jdbc): a store that fails at random, before a call or after it went through (its answer lost), while two
 * live members run durable and ordinary tasks. Once the store behaves again, every stored invocation must end (none
 * stays pending while members that can run it are alive, unless its end was dropped and counted: a row failed three
 * times in a row is taken for refused), each ended COMPLETED having run at least once, each handle that completed
 * having its end stored (or counted as dropped); and no ordinary task's record is lost silently.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class Review11JdbcChaosTest {

    static volatile int rateSleep = 30;

    static final class Chaos {
        volatile boolean on;
        volatile int rate = 12;
        volatile int stallPerMille = 0;
        final AtomicInteger before = new AtomicInteger();
        final AtomicInteger after = new AtomicInteger();
    }

    static TaskStore chaotic(TaskStore delegate, Chaos chaos) {
        return (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(), new Class<?>[] { TaskStore.class },
                (proxy, method, args) -> {
                    String name = method.getName();
                    boolean exempt = name.equals("within") || name.equals("open") || name.equals("toString")
                            || name.equals("hashCode") || name.equals("equals");
                    int dice = ThreadLocalRandom.current().nextInt(100);
                    if (!exempt && chaos.on && dice < chaos.rate) {
                        chaos.before.incrementAndGet();
                        throw new IllegalStateException("chaos before " + name);
                    }
                    if (!exempt && chaos.on && ThreadLocalRandom.current().nextInt(1000) < chaos.stallPerMille) {
                        Thread.sleep(1500); // a stall past the lease (a GC pause, a slow network)
                    }
                    Object result;
                    try {
                        result = method.invoke(delegate, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                    if (!exempt && chaos.on && dice >= 100 - chaos.rate) {
                        chaos.after.incrementAndGet();
                        throw new IllegalStateException("chaos after " + name + " (its answer lost)");
                    }
                    return result;
                });
    }

    private static TaskOrchestrator.Builder on(TaskStore store, String member, Map<Long, AtomicInteger> runs) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1))
                .handler("job", Integer.class, n -> {
                    runs.computeIfAbsent(TaskContext.current().orElseThrow().id().value(), k -> new AtomicInteger())
                            .incrementAndGet();
                    Thread.sleep(ThreadLocalRandom.current().nextInt(rateSleep));
                    return n * 2;
                });
    }

    @Test
    void aStoreFailingAtRandomStrandsNoInvocationAndLosesNoRecordSilently() throws Exception {
        run(12);
    }

    @Test
    void aStoreFailingOftenStrandsNoInvocation() throws Exception {
        run(22);
    }

    @Test
    void aStoreStallingPastTheLeaseStrandsNoInvocation() throws Exception {
        run(5, 30);
    }

    private void run(int rate) throws Exception {
        run(rate, 0);
    }

    private void run(int rate, int stallPerMille) throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        Chaos chaos = new Chaos();
        chaos.rate = rate;
        chaos.stallPerMille = stallPerMille;
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        List<SpawningTask<Integer>> durables = new ArrayList<>();
        List<SpawningTask<Integer>> ordinary = new ArrayList<>();
        int refused = 0;
        try (TaskOrchestrator a = on(chaotic(store, chaos), "a", runs).build();
                TaskOrchestrator b = on(chaotic(store, chaos), "b", runs).build()) {
            chaos.on = true;
            for (int i = 0; i < 300; i++) {
                TaskOrchestrator o = i % 2 == 0 ? a : b;
                try {
                    durables.add(o.to(Integer.class).durable("job", i).run());
                }
                catch (RuntimeException ex) {
                    refused++;
                }
                int n = i;
                ordinary.add(o.to(Integer.class).named("plain").run(() -> n));
                if (i % 20 == 0) {
                    Thread.sleep(100);
                }
            }
            Thread.sleep(3000);
            chaos.on = false;
            System.out.println("chaos: " + chaos.before + " failed before, " + chaos.after + " after; refused "
                    + refused);
            for (SpawningTask<Integer> task : ordinary) {
                task.result();
            }
            // A row the store fails three times in a row is taken for refused: an end then written without its
            // result, or if that fails too dropped (counted; the invocation stays pending while its member lives).
            // Nothing may be lost without being counted.
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                        pending(store).size() <= dropped(a, b));
            }
            finally {
                List<DurableRecord> stuck = pending(store);
                if (!stuck.isEmpty()) {
                    System.out.println("stuck: " + stuck.size() + " first " + stuck.getFirst() + "; a="
                            + a.storeStatistics().orElseThrow() + " b=" + b.storeStatistics().orElseThrow());
                }
            }
            long unended = 0;
            for (SpawningTask<Integer> task : durables) {
                DurableRecord record = store.durable(task.id()).orElseThrow();
                var result = task.result();
                if (result instanceof io.sweetasync.TaskResult.Ok<Integer> && !record.status().equals("COMPLETED")) {
                    unended++;
                }
                if (record.status().equals("COMPLETED")) {
                    assertThat(runs.get(task.id().value())).as("runs of %s", task.id()).isNotNull();
                }
            }
            a.flushStore();
            b.flushStore();
            long dropped = dropped(a, b);
            Set<Long> terminal = all(store, "plain").stream()
                    .filter(r -> !r.status().equals("RUNNING") && !r.status().equals("QUEUED")
                            && !r.status().equals("PENDING"))
                    .map(TaskRecord::id).collect(Collectors.toSet());
            long missing = ordinary.stream().map(SpawningTask::id).map(TaskId::value).filter(id -> !terminal.contains(id))
                    .count();
            assertThat(missing + unended).as("ordinary records not in the store (%s) and completed durable tasks whose "
                    + "end is not (%s), against %s counted dropped", missing, unended, dropped)
                    .isLessThanOrEqualTo(dropped);
        }
    }

    private static long dropped(TaskOrchestrator a, TaskOrchestrator b) {
        return a.storeStatistics().orElseThrow().dropped() + b.storeStatistics().orElseThrow().dropped();
    }

    private static List<TaskRecord> all(JdbcTaskStore store, String name) {
        List<TaskRecord> all = new ArrayList<>();
        for (int offset = 0; ; offset += 1000) {
            List<TaskRecord> page = store.query(new TaskQuery(null, name, null, offset, 1000));
            all.addAll(page);
            if (page.size() < 1000) {
                return all;
            }
        }
    }

    private static List<DurableRecord> pending(JdbcTaskStore store) {
        List<DurableRecord> found = new ArrayList<>();
        for (TaskRecord record : all(store, "job")) {
            store.durable(new TaskId(record.id())).filter(d -> d.status().equals("PENDING")).ifPresent(found::add);
        }
        return found;
    }
}
