package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The history refills the entry a full history drops with the next childless root's facts ({@link FinishedRoot}
 * slots): what it shows must still be each root's own facts, in order, whatever the readers and writers do at
 * once. A slot read outside the history's lock, or refilled while still in the entries, shows one root's id with
 * another's name or tags.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HistorySlotsTest {

    @Test
    void aFullHistoryShowsTheLastRootsOwnFactsNewestFirst() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().historySize(8).build()) {
            List<SpawningTask<Integer>> roots = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                int n = i;
                SpawningTask<Integer> root = orchestrator.to(Integer.class).named("root-" + n).tag("n", "" + n)
                        .run(() -> n);
                root.join();
                roots.add(root);
            }
            List<TaskInfo> recent = orchestrator.recent();
            assertThat(recent).extracting(TaskInfo::name)
                    .containsExactly("root-29", "root-28", "root-27", "root-26", "root-25", "root-24", "root-23",
                            "root-22");
            for (TaskInfo info : recent) {
                int n = Integer.parseInt(info.name().substring("root-".length()));
                assertThat(info.id()).isEqualTo(roots.get(n).id());
                assertThat(info.tags()).containsEntry("n", "" + n);
                assertThat(info.status()).isEqualTo(TaskStatus.COMPLETED);
            }
            assertThat(orchestrator.find(roots.get(25).id())).get().extracting(TaskInfo::name).isEqualTo("root-25");
            assertThat(orchestrator.find(roots.get(3).id())).isEmpty();
        }
    }

    @Test
    void readersNeverSeeOneRootsIdWithAnothersFactsWhileWritersRefillTheSlots() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().historySize(4).build()) {
            Map<TaskId, String> names = new ConcurrentHashMap<>();
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong read = new AtomicLong();
            List<String> torn = new CopyOnWriteArrayList<>();
            CountDownLatch writersDone = new CountDownLatch(2);
            for (int w = 0; w < 2; w++) {
                int writer = w;
                Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 20_000; i++) {
                            String name = "w" + writer + "-" + i;
                            SpawningTask<String> root = orchestrator.to(String.class).named(name).tag("name", name)
                                    .run(() -> name);
                            names.put(root.id(), name);
                            if (i % 64 == 0) {
                                root.join(); // keeps the writers from running far ahead of the history
                            }
                        }
                    }
                    finally {
                        writersDone.countDown();
                    }
                });
            }
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    while (writing.get()) {
                        List<TaskInfo> recent = orchestrator.recent();
                        recent.forEach(info -> check(info, names, torn));
                        if (!recent.isEmpty()) {
                            TaskId id = recent.get(ThreadLocalRandom.current().nextInt(recent.size())).id();
                            orchestrator.find(id).ifPresent(info -> check(info, names, torn));
                        }
                        read.addAndGet(recent.size());
                    }
                }));
            }
            assertThat(writersDone.await(100, TimeUnit.SECONDS)).isTrue();
            writing.set(false);
            for (Thread reader : readers) {
                reader.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertThat(torn).isEmpty();
            assertThat(read.get()).isPositive();
        }
    }

    private static void check(TaskInfo info, Map<TaskId, String> names, List<String> torn) {
        String name = names.get(info.id());
        boolean own = (name == null || name.equals(info.name())) && info.name().equals(info.tags().get("name"))
                && info.path().equals(info.name() + "#" + info.id().value())
                && !info.completedAt().isBefore(info.createdAt());
        if (!own) {
            torn.add(info.toString());
        }
    }
}
