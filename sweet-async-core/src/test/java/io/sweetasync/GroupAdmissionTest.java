package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.limit.RejectionReason;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupAdmissionTest {

    private static final LimiterConfig FIXED_3 = LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED)
            .withLimits(3, 1, 10);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .group("three", FIXED_3)
            .group("tiny", FIXED_3.withLimits(1, 1, 1).withQueueCapacity(1))
            .group("impatient", FIXED_3.withLimits(1, 1, 1).withMaxWait(Duration.ofMillis(50)))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aGroupNeverRunsMoreThanItsLimit() {
        Concurrency group = new Concurrency();
        List<SpawningTask<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            tasks.add(orchestrator.to(Integer.class).group("three").run(() -> {
                group.during(() -> Thread.sleep(1));
                return 1;
            }));
        }
        assertThat(tasks.stream().mapToInt(SpawningTask::join).sum()).isEqualTo(200);
        assertThat(group.peak()).isBetween(1, 3);
        LimiterSnapshot three = orchestrator.limiters().stream().filter(s -> s.group().equals("three")).findFirst()
                .orElseThrow();
        assertThat(three.accepted()).isEqualTo(200);
        assertThat(three.inFlight()).isZero();
    }

    @Test
    void tasksWaitQueuedInPriorityOrder() throws Exception {
        TaskOrchestrator ordered = TaskOrchestrator.builder().group("one", FIXED_3.withLimits(1, 1, 1)).build();
        try {
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch first = new CountDownLatch(1);
            SpawningTask<Integer> blocker = ordered.to(Integer.class).group("one").run(() -> {
                first.countDown();
                go.await();
                return 0;
            });
            first.await();
            List<String> order = new CopyOnWriteArrayList<>();
            List<SpawningTask<Integer>> waiting = new ArrayList<>();
            for (TaskPriority priority : List.of(TaskPriority.LOW, TaskPriority.CRITICAL, TaskPriority.NORMAL)) {
                waiting.add(ordered.to(Integer.class).group("one").priority(priority).run(() -> {
                    order.add(priority.name());
                    return 1;
                }));
            }
            assertThat(waiting).allSatisfy(task -> assertThat(task.status()).isEqualTo(TaskStatus.QUEUED));
            assertThat(ordered.limiters().getFirst().queued()).isEqualTo(3);
            go.countDown();
            blocker.join();
            waiting.forEach(SpawningTask::join);
            assertThat(order).containsExactly("CRITICAL", "NORMAL", "LOW");
        }
        finally {
            ordered.close();
        }
    }

    @Test
    void aFullQueueOrALongWaitRejectsTheTaskNamingTheGroup() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        SpawningTask<Integer> holder = orchestrator.to(Integer.class).group("tiny").run(Blocking.untilInterrupted(holding));
        holding.await();
        SpawningTask<Integer> queued = orchestrator.to(Integer.class).group("tiny").run(() -> 1);
        SpawningTask<Integer> rejected = orchestrator.to(Integer.class).named("extra").group("tiny").run(() -> 1);
        assertThatThrownBy(rejected::join).isInstanceOf(TaskRejectedException.class)
                .hasMessage("task extra#" + rejected.id()
                        + " was rejected after 0 attempts: group 'tiny' is at its limit of 1 and its queue is full (capacity 1)")
                .extracting(ex -> ((TaskRejectedException) ex).reason()).isEqualTo(RejectionReason.QUEUE_FULL);
        assertThat(rejected.status()).isEqualTo(TaskStatus.FAILED);
        holder.cancel();
        assertThat(queued.join()).isEqualTo(1);

        CountDownLatch impatientHolding = new CountDownLatch(1);
        SpawningTask<Integer> impatientHolder = orchestrator.to(Integer.class).group("impatient")
                .run(Blocking.untilInterrupted(impatientHolding));
        impatientHolding.await();
        SpawningTask<Integer> tooLate = orchestrator.to(Integer.class).group("impatient").run(() -> 1);
        assertThatThrownBy(tooLate::join).isInstanceOf(TaskRejectedException.class)
                .hasMessageContaining("waited longer than PT0.05S for a permit of group 'impatient'")
                .extracting(ex -> ((TaskRejectedException) ex).reason()).isEqualTo(RejectionReason.WAIT_TIMEOUT);
        impatientHolder.cancel();
    }

    @Test
    void unconfiguredGroupsGetTheDefaultConfiguration() {
        assertThat(orchestrator.to(String.class).group("adhoc").await(() -> "ok")).isEqualTo("ok");
        assertThat(orchestrator.limiters()).extracting(LimiterSnapshot::group)
                .containsExactly("adhoc", "impatient", "three", "tiny");
        assertThat(orchestrator.limiter("adhoc").config()).isEqualTo(LimiterConfig.defaults());
    }

    @Test
    void permitsNeverLeakWhateverEndsTheTasks() throws Exception {
        List<SpawningTask<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int kind = random.nextInt(5);
            SpawningTaskBuilder<Integer> builder = orchestrator.to(Integer.class).group("three")
                    .runtime(i % 2 == 0 ? "virtual" : "platform")
                    .retry(RetryPolicy.fixed(2, Duration.ZERO));
            if (kind == 1) {
                builder = builder.timeout(Duration.ofNanos(random.nextLong(100_000, 2_000_000)));
            }
            SpawningTask<Integer> task = builder.run(() -> {
                switch (kind) {
                    case 0 -> throw new IOException("always fails");
                    case 1, 2 -> Thread.sleep(0, ThreadLocalRandom.current().nextInt(200_000));
                    default -> { }
                }
                return kind;
            });
            tasks.add(task);
            if (kind == 2 || (kind == 3 && random.nextBoolean())) {
                Thread.ofVirtual().start(task::cancel);
            }
        }
        tasks.forEach(SpawningTask::result);
        LimiterSnapshot three = orchestrator.limiter("three").snapshot();
        assertThat(three.inFlight()).as("every permit came back").isZero();
        assertThat(three.queued()).isZero();
        assertThat(orchestrator.liveCount()).isZero();
        assertThat(three.accepted()).isGreaterThanOrEqualTo(tasks.stream().filter(t -> t.info().attempts() > 0).count());
    }
}
