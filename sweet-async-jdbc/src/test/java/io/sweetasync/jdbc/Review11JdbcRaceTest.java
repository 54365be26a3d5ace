package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Review 11 (jdbc): races of members on one H2 database, many orphans, texts at their limits. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class Review11JdbcRaceTest {

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }

    /** Two live members race for the orphans of a dead one: each orphan runs once, on one of them. */
    @Test
    void twoMembersRacingForOrphansRunEachExactlyOnce() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch never = new CountDownLatch(1);
        int count = 40;
        CountDownLatch aRunning = new CountDownLatch(count);
        TaskOrchestrator a = on(aStore, "a").handler("job", Integer.class, n -> {
            aRunning.countDown();
            never.await();
            return n;
        }).build();
        List<TaskId> ids = new ArrayList<>();
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        try {
            for (int i = 0; i < count; i++) {
                ids.add(a.to(Integer.class).durable("job", i).run().id());
            }
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            aStore.down = true;
            TaskOrchestrator.Builder b = on(store, "b").handler("job", Integer.class, n -> {
                runs.computeIfAbsent(TaskContext.current().orElseThrow().id().value(), k -> new AtomicInteger())
                        .incrementAndGet();
                Thread.sleep(20);
                return n;
            });
            TaskOrchestrator.Builder c = on(store, "c").handler("job", Integer.class, n -> {
                runs.computeIfAbsent(TaskContext.current().orElseThrow().id().value(), k -> new AtomicInteger())
                        .incrementAndGet();
                Thread.sleep(20);
                return n;
            });
            try (TaskOrchestrator bb = b.build(); TaskOrchestrator cc = c.build()) {
                await().atMost(Duration.ofSeconds(90)).until(() -> ids.stream().allMatch(id ->
                        store.durable(id).map(r -> r.status().equals("COMPLETED")).orElse(false)));
                Thread.sleep(3000);
                assertThat(runs).hasSize(count);
                assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }

    /** Thousands of orphans of a dead member: the next start runs every one, once. */
    @Test
    void thousandsOfOrphansAllRunOnceAfterARestart() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch never = new CountDownLatch(1);
        int count = 2000;
        TaskOrchestrator a = on(aStore, "a").handler("job", Integer.class, n -> {
            never.await();
            return n;
        }).build();
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        List<TaskId> ids = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ids.add(a.to(Integer.class).durable("job", i).run().id());
            }
            aStore.down = true;
            try (TaskOrchestrator b = on(store, "b").handler("job", Integer.class, n -> {
                runs.computeIfAbsent(TaskContext.current().orElseThrow().id().value(), k -> new AtomicInteger())
                        .incrementAndGet();
                return n;
            }).build()) {
                await().atMost(Duration.ofSeconds(120)).until(() -> runs.size() == count);
                await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id ->
                        store.durable(id).map(r -> r.status().equals("COMPLETED")).orElse(false)));
                assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }

    /**
     * A re-run after a crash keeps the name and tags it was submitted with (README), with names and tags at their
     * limits in any script.
     */
    @Test
    void aRerunKeepsUnicodeNameAndTagsAtTheirLimits() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        String name = "\uD83D\uDE00".repeat(50); // 100 chars, 50 code points
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("k\u00e9y-" + "\uD83D\uDE80".repeat(47) + "x", "\u00e9".repeat(1000));
        tags.put("plain", "a+b=c&d%e " + "\uD83D\uDE00".repeat(400));
        tags.put("ctl", "line1\nline2\ttab\u2028sep");
        TaskOrchestrator a = on(aStore, "a").handler("job", Integer.class, n -> {
            started.countDown();
            never.await();
            return n;
        }).build();
        try {
            var builder = a.to(Integer.class).named(name);
            for (Map.Entry<String, String> tag : tags.entrySet()) {
                builder = builder.tag(tag.getKey(), tag.getValue());
            }
            SpawningTask<Integer> task = builder.durable("job", 7).run();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find(task.id()).map(r -> r.status().equals("RUNNING"))
                    .orElse(false));
            aStore.down = true;
            Map<String, Object> seen = new ConcurrentHashMap<>();
            try (TaskOrchestrator b = on(store, "b").handler("job", Integer.class, n -> {
                TaskContext context = TaskContext.current().orElseThrow();
                seen.put("name", context.name());
                return n;
            }).build()) {
                await().atMost(Duration.ofSeconds(60)).until(() -> seen.containsKey("name"));
                assertThat(seen.get("name")).isEqualTo(name);
                await().atMost(Duration.ofSeconds(10)).until(() -> b.find(task.id()).map(i -> i.status() == TaskStatus.COMPLETED)
                        .orElse(false));
                TaskInfo info = b.find(task.id()).orElseThrow();
                assertThat(info.name()).isEqualTo(name);
                assertThat(info.tags()).containsAllEntriesOf(tags);
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }

}
