package io.sweetasync.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.ContextPropagator;
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

    /**
     * A task whose end is under way as the cancel comes (its status decided, {@code COMPLETED}, its end not complete:
     * still live here) answers how it ends, not the store's record, which still says {@code RUNNING}; once it left
     * memory, null (404). The race is made certain by holding the task in its end (see {@link HoldAtTheEnd}); it was
     * made by a progress value the endpoint read as it looked at the whole task before cancelling it, which a cancel
     * no longer does.
     */
    @Test
    void aTaskEndingAsTheCancelComesIsNotAnsweredRunningFromTheStore() throws Exception {
        EndsNotYetWritten store = new EndsNotYetWritten();
        HoldAtTheEnd hold = new HoldAtTheEnd("racing");
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).historySize(0)
                .contextPropagator(hold).build()) {
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("racing").run(() -> {
                release.await();
                return 1;
            });
            assertThat(orchestrator.flushStore()).isTrue(); // its RUNNING record is in the store
            AsyncTasksEndpoint.CancelDescriptor answer;
            try {
                release.countDown();
                assertThat(hold.ending.await(30, TimeUnit.SECONDS)).isTrue();
                answer = endpoint.cancel(task.id().toString());
            }
            finally {
                hold.answered.countDown();
            }

            assertThat(task.join()).isEqualTo(1);
            assertThat(answer).isNotNull();
            assertThat(answer.cancelled()).isFalse();
            assertThat(answer.status()).as("how it ended, never the store's stale record").isEqualTo("COMPLETED");
            awaitGone(orchestrator);
            assertThat(store.find(task.id()).orElseThrow().status()).isIn("RUNNING", "QUEUED");
            assertThat(endpoint.cancel(task.id().toString())).as("left memory: finished, 404").isNull();
        }
    }

    /**
     * A child whose end is under way as the cancel comes (its status decided, its end not complete), its root still
     * live, answers how it ended; once ended, it is finished: null (404), though its live root still holds it. The race
     * is made certain by holding the child in its end (it was made by a progress value the endpoint's look at the whole
     * task read, which a cancel no longer makes).
     */
    @Test
    void aChildThatFinishesDuringTheCancelIsAnsweredWithHowItEndedFromItsLiveTree() throws Exception {
        HoldAtTheEnd hold = new HoldAtTheEnd("child");
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().contextPropagator(hold).build()) {
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator);
            CountDownLatch releaseRoot = new CountDownLatch(1);
            CountDownLatch releaseChild = new CountDownLatch(1);
            AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            SpawningTask<Integer> root = orchestrator.to(Integer.class).named("root").run(() -> {
                child.set(TaskContext.current().orElseThrow().child(Integer.class).named("child").run(() -> {
                    releaseChild.await();
                    return 2;
                }));
                started.countDown();
                releaseRoot.await(); // the root stays live: its ended child stays in memory, in its tree
                return 1;
            });
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            AsyncTasksEndpoint.CancelDescriptor answer;
            try {
                releaseChild.countDown();
                assertThat(hold.ending.await(30, TimeUnit.SECONDS)).isTrue();
                answer = endpoint.cancel(child.get().id().toString());
            }
            finally {
                hold.answered.countDown();
            }

            assertThat(child.get().join()).isEqualTo(2);
            assertThat(answer).isNotNull();
            assertThat(answer.cancelled()).as("%s", answer).isFalse();
            assertThat(answer.status()).isEqualTo(TaskStatus.COMPLETED.name());
            assertThat(endpoint.cancel(child.get().id().toString())).as("finished, its root live: 404").isNull();
            releaseRoot.countDown();
            assertThat(root.join()).isEqualTo(1);
        }
    }

    /**
     * Holds the task named {@code name} in its end: its status is decided (the propagator is told it finished) but
     * its end is not complete, so it is still live, until {@link #answered}.
     */
    private static final class HoldAtTheEnd implements ContextPropagator {

        final CountDownLatch ending = new CountDownLatch(1);
        final CountDownLatch answered = new CountDownLatch(1);
        private final String name;

        HoldAtTheEnd(String name) {
            this.name = name;
        }

        @Override
        public Captured capture(TaskInfo task) {
            return new Captured() {

                @Override
                public Scope restore() {
                    return () -> {
                    };
                }

                @Override
                public void finished(TaskInfo info) {
                    if (name.equals(info.name())) {
                        ending.countDown();
                        try {
                            answered.await(30, TimeUnit.SECONDS);
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
        }
    }
}
