package io.sweetasync.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cancel that comes too late answers how the task ended as this member knew it, never a stale live status read
 * back from the task store (whose record of a task that just ended may still say {@code RUNNING}: the end is
 * written at the writer's next flush).
 */
@Timeout(60)
class AsyncTasksEndpointLostCancelTests {

    /** A store that has every record but the ends: the writer's flush of the end has not reached it yet. */
    static final class EndsNotYetWritten implements TaskStore {

        final Map<Long, TaskRecord> records = new ConcurrentHashMap<>();

        @Override
        public Incarnation open(String member, Duration lease) {
            return new Incarnation(1, member, Instant.now().plus(lease));
        }

        @Override
        public int heartbeat(long incarnation, Duration lease) {
            return 1;
        }

        @Override
        public void close(long incarnation) {
        }

        @Override
        public void save(Collection<TaskRecord> batch) {
            for (TaskRecord record : batch) {
                if (!TaskStatus.valueOf(record.status()).isTerminal()) {
                    records.put(record.id(), record);
                }
            }
        }

        @Override
        public Optional<TaskRecord> find(TaskId id) {
            return Optional.ofNullable(records.get(id.value()));
        }

        @Override
        public List<TaskRecord> query(TaskQuery query) {
            return List.of();
        }

        @Override
        public int purge(Instant before) {
            return 0;
        }

        @Override
        public void enqueue(DurableRecord invocation, TaskRecord task) {
        }

        @Override
        public List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
            return List.of();
        }

        @Override
        public boolean finishDurable(TaskId id, long owner, String status, String result, String failure) {
            return true;
        }

        @Override
        public Optional<DurableRecord> durable(TaskId id) {
            return Optional.empty();
        }
    }

    private static TaskOrchestrator withStaleStore(EndsNotYetWritten store) {
        // no history: a finished root leaves memory at once, as the oldest one does under a steady load
        return TaskOrchestrator.builder().store(store).historySize(0).build();
    }

    private static void awaitGone(TaskOrchestrator orchestrator) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (orchestrator.liveCount() > 0 && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertThat(orchestrator.liveCount()).as("the task left memory").isZero();
    }

    @Test
    void aTaskThatFinishedAndLeftMemoryIsNotAnsweredRunningFromTheStore() throws Exception {
        EndsNotYetWritten store = new EndsNotYetWritten();
        try (TaskOrchestrator orchestrator = withStaleStore(store)) {
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("short").run(() -> {
                release.await();
                return 1;
            });
            assertThat(orchestrator.flushStore()).isTrue(); // its RUNNING record is in the store
            release.countDown();
            task.join();
            awaitGone(orchestrator);
            assertThat(store.find(task.id()).orElseThrow().status()).as("the store's stale record")
                    .isIn("RUNNING", "QUEUED");

            AsyncTasksEndpoint.CancelDescriptor answer = endpoint.cancel(task.id().toString());

            assertThat(answer).as("a finished task that left memory: null (404), as documented").isNull();
        }
    }

    @Test
    void aTaskThatFinishesAndLeavesMemoryDuringTheCancelIsNotAnsweredRunningFromTheStore() throws Exception {
        EndsNotYetWritten store = new EndsNotYetWritten();
        try (TaskOrchestrator orchestrator = withStaleStore(store)) {
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch published = new CountDownLatch(1);
            AtomicBoolean armed = new AtomicBoolean();
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("racing").run(() -> {
                TaskContext.current().orElseThrow().progress("rows", () -> {
                    if (armed.compareAndSet(true, false)) {
                        release.countDown(); // the body returns while the endpoint looks at the task
                        try {
                            awaitGone(orchestrator);
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return 1;
                });
                published.countDown();
                release.await();
                return 1;
            });
            assertThat(published.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(orchestrator.flushStore()).isTrue();
            armed.set(true);

            AsyncTasksEndpoint.CancelDescriptor answer = endpoint.cancel(task.id().toString());

            assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
            if (answer != null) {
                assertThat(answer.cancelled()).isFalse();
                assertThat(answer.status()).as("how it ended, never the store's stale record").isEqualTo("COMPLETED");
            }
        }
    }

    /** Held before the change too (the finished child was read again from its live root): a guard of the new path. */
    @Test
    void aChildThatFinishesDuringTheCancelIsAnsweredWithHowItEndedFromItsLiveTree() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator);
            CountDownLatch releaseRoot = new CountDownLatch(1);
            CountDownLatch releaseChild = new CountDownLatch(1);
            CountDownLatch published = new CountDownLatch(1);
            AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
            Thread requester = Thread.currentThread();
            AtomicBoolean armed = new AtomicBoolean();
            SpawningTask<Integer> root = orchestrator.to(Integer.class).named("root").run(() -> {
                child.set(TaskContext.current().orElseThrow().runChild(() -> {
                    TaskContext.current().orElseThrow().progress("rows", () -> {
                        if (Thread.currentThread() == requester && armed.compareAndSet(true, false)) {
                            releaseChild.countDown(); // the child ends while the endpoint looks at it
                            try {
                                child.get().toCompletableFuture().handle((v, e) -> v).get(30, TimeUnit.SECONDS);
                            }
                            catch (Exception ex) {
                                throw new IllegalStateException(ex);
                            }
                        }
                        return 0;
                    });
                    published.countDown();
                    releaseChild.await();
                    return 2;
                }));
                releaseRoot.await(); // the root stays live: its ended child stays in memory, in its tree
                return 1;
            });
            assertThat(published.await(30, TimeUnit.SECONDS)).isTrue();
            armed.set(true);

            AsyncTasksEndpoint.CancelDescriptor answer = endpoint.cancel(child.get().id().toString());

            releaseRoot.countDown();
            assertThat(root.join()).isEqualTo(1);
            assertThat(answer).isNotNull();
            assertThat(answer.cancelled()).as("%s", answer).isFalse();
            assertThat(answer.status()).isEqualTo(TaskStatus.COMPLETED.name());
        }
    }
}
