package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A store's answer lost after its commit (SPEC §6): the member owns a durable invocation it does not know of.
 * The lease keeper holds what the store says this incarnation owns ({@code TaskStore.owned}) against what the
 * member knows, at each renewal: a lost claim runs, a submission reported failed ends as its caller was told, and
 * an invocation being stored or started right now is never run a second time. The claim's side is
 * {@code StoreRound2Test.aClaimCommittedWhoseAnswerIsLostStillRunsTheTask}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LostAnswerTest {

    record Invoice(String customer, int cents) {
    }

    static Stream<Databases.Database> databases() {
        return Databases.all();
    }

    /** Repetitions of each forced interleaving. */
    private static final int ROUNDS = 4;

    /** Member A, whose "charge" handler counts its runs in {@code runs} and answers "ran <count>". */
    private static TaskOrchestrator.Builder charging(TaskStore store, AtomicInteger runs) {
        return TaskOrchestrator.builder().store(store).member("member-a").durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1))
                .handler("charge", Invoice.class, invoice -> "ran " + runs.incrementAndGet());
    }

    /**
     * A store whose {@code enqueue} can lose its answer after the commit ({@link #loseEnqueueAnswer}) or hold it
     * ({@link #afterEnqueue}); whose looks at what an incarnation owns are counted ({@link #looks}), and whose answer
     * to them can be doctored ({@link #ownedAlso}: ids listed as well, as a list read before they ended would).
     */
    static class AnswerStore extends ReviewSupport.GatedStore {
        final AtomicBoolean loseEnqueueAnswer = new AtomicBoolean();
        /** Thrown (once) by the next {@code enqueue} after its commit, instead of an exception. */
        final AtomicReference<Error> errorAfterCommit = new AtomicReference<>();
        final AtomicReference<TaskId> lostEnqueue = new AtomicReference<>();
        volatile Runnable afterEnqueue = () -> { };
        volatile List<TaskId> ownedAlso = List.of();
        final AtomicInteger looks = new AtomicInteger();

        AnswerStore(TaskStore delegate) {
            super(delegate);
        }

        @Override
        public void enqueue(DurableRecord invocation, TaskRecord task) {
            super.enqueue(invocation, task); // committed
            if (loseEnqueueAnswer.compareAndSet(true, false)) {
                lostEnqueue.set(new TaskId(invocation.id()));
                throw new IllegalStateException("connection reset after the commit (test)");
            }
            Error error = errorAfterCommit.getAndSet(null);
            if (error != null) {
                lostEnqueue.set(new TaskId(invocation.id()));
                throw error;
            }
            afterEnqueue.run();
        }

        @Override
        public List<TaskId> owned(long incarnation, TaskId after, int limit) {
            List<TaskId> owned = new ArrayList<>(super.owned(incarnation, after, limit));
            if (after == null) {
                ownedAlso.stream().filter(id -> !owned.contains(id)).forEach(owned::add);
                owned.sort(null);
                looks.incrementAndGet();
            }
            return owned;
        }

        /** Waits until the lease keeper has looked at what this member owns {@code count} more times. */
        void awaitLooks(int count) {
            int from = looks.get();
            await().atMost(Duration.ofSeconds(30)).alias(count + " more looks at what the member owns")
                    .until(() -> looks.get() >= from + count);
        }
    }

    /**
     * Promise (SPEC §6, {@code TaskStore.enqueue}): "a durable task is either stored or not started". The insert
     * commits but the connection drops before the answer arrives: the submitter is told it was not started. Before
     * the fix the committed rows ran at the member's next start (or on another member once this one stopped), a
     * surprise to a caller told it did not start. Now the member's next looks find it and end it {@code FAILED},
     * never run, with its task record.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void anEnqueueCommittedWhoseAnswerIsLostEndsAsItsCallerWasTold(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        AnswerStore lossy = new AnswerStore(store);
        AtomicInteger runs = new AtomicInteger();
        try (TaskOrchestrator a = charging(lossy, runs).build()) {
            lossy.loseEnqueueAnswer.set(true);
            assertThatThrownBy(() -> a.to(String.class).durable("charge", new Invoice("acme", 100)).run())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("so it was not started");
            TaskId id = lossy.lostEnqueue.get();
            assertThat(store.durable(id)).as("its rows were committed").isPresent();
            await().atMost(Duration.ofSeconds(30)).alias("the member ends the invocation its caller was told failed")
                    .until(() -> !store.durable(id).orElseThrow().status().equals("PENDING"));
            DurableRecord ended = store.durable(id).orElseThrow();
            assertThat(ended.status()).isEqualTo("FAILED");
            assertThat(ended.failure()).contains("reported to its caller as failed (not started)");
            assertThat(store.find(id).orElseThrow().status()).as("its task record").isEqualTo("FAILED");
            lossy.awaitLooks(3); // and it does not run later
            assertThat(runs).as("runs").hasValue(0);
        }
    }

    /**
     * Hostile store: {@code enqueue} throws an {@code Error} (a driver's {@code LinkageError}, an
     * {@code OutOfMemoryError}) after its commit. The error reaches the caller unchanged, and nothing is left
     * behind: before, the task made for it stayed live and {@code PENDING} for ever (in {@code roots()}, waited
     * for by every shutdown), and its id stayed "being submitted", so the member's looks never ended the
     * committed invocation, which another member then ran once this one stopped.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void anErrorFromEnqueueLeavesNoLiveTaskAndTheInvocationEndsAsItsCallerWasTold(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        AnswerStore lossy = new AnswerStore(store);
        AtomicInteger runs = new AtomicInteger();
        try (TaskOrchestrator a = charging(lossy, runs).build()) {
            LinkageError error = new LinkageError("driver class vanished (test)");
            lossy.errorAfterCommit.set(error);
            assertThatThrownBy(() -> a.to(String.class).durable("charge", new Invoice("acme", 100)).run())
                    .isSameAs(error);
            assertThat(a.roots()).as("live roots").isEmpty();
            TaskId id = lossy.lostEnqueue.get();
            await().atMost(Duration.ofSeconds(30)).alias("the member ends the invocation its caller was told failed")
                    .until(() -> !store.durable(id).orElseThrow().status().equals("PENDING"));
            assertThat(store.durable(id).orElseThrow().status()).isEqualTo("FAILED");
            assertThat(a.shutdown(Duration.ofSeconds(10))).as("shutdown finished everything").isTrue();
            assertThat(runs).as("runs").hasValue(0);
        }
    }

    /**
     * Race: an invocation being stored ({@code enqueue} committed, its answer not back yet) or waiting for its
     * start gate (the transaction's commit) is listed as this member's by the store, and is unknown to the
     * member's running tasks. Held there for three looks, it must still run once, by its submitter's start.
     * Without the member's record of submissions in flight, the lease keeper ran it and then the submitter did.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void anInvocationBeingStoredOrStartedRunsOnceWhileTheLeaseKeeperLooks(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        AnswerStore held = new AnswerStore(store);
        AtomicBoolean holdGate = new AtomicBoolean();
        DurableStartGate gate = (start, abandon) -> {
            if (holdGate.get()) {
                held.awaitLooks(3);
            }
            start.run();
        };
        AtomicInteger runs = new AtomicInteger();
        try (TaskOrchestrator a = charging(held, runs).durableStartGate(gate).build()) {
            for (int round = 0; round < ROUNDS; round++) {
                boolean atGate = round % 2 == 1;
                holdGate.set(atGate);
                held.afterEnqueue = atGate ? () -> { } : () -> held.awaitLooks(3);
                int before = runs.get();
                SpawningTask<String> task = a.to(String.class).durable("charge", new Invoice("acme", round)).run();
                assertThat(task.join()).isEqualTo("ran " + (before + 1));
                held.awaitLooks(3); // a duplicate started by a look would have run by now
                assertThat(runs).as("runs after round %d (held %s)", round, atGate ? "at the gate" : "in enqueue")
                        .hasValue(before + 1);
                assertThat(store.durable(task.id()).orElseThrow().attempts()).isEqualTo(1);
            }
        }
    }

    /**
     * Race: a look's list is as old as its read. An invocation that ran here and whose end was written after the
     * store listed it (here: listed at every look after it ended, as a slow read would) is unknown to the member by
     * then: the member reads the invocation again before it runs it, and finds it ended. Without that read it ran
     * the finished task a second time.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void anInvocationThatEndedAfterTheLookReadItIsNotRunAgain(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        AnswerStore stale = new AnswerStore(store);
        AtomicInteger runs = new AtomicInteger();
        try (TaskOrchestrator a = charging(stale, runs).build()) {
            for (int round = 0; round < ROUNDS; round++) {
                int before = runs.get();
                SpawningTask<String> task = a.to(String.class).durable("charge", new Invoice("acme", round)).run();
                assertThat(task.join()).isEqualTo("ran " + (before + 1));
                await().atMost(Duration.ofSeconds(30)).alias("its end is written")
                        .until(() -> store.durable(task.id()).orElseThrow().status().equals("COMPLETED"));
                stale.ownedAlso = List.of(task.id());
                stale.awaitLooks(3);
                stale.ownedAlso = List.of();
                assertThat(runs).as("runs after round %d", round).hasValue(before + 1);
            }
        }
    }
}
