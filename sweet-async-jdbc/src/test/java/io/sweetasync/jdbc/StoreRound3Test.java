package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Round 3 of the hostile review of durable task state (SPEC §6): the store's two threads (the writer and the
 * lease keeper) and the invocations a member claimed but could not start yet. Each test failed before its fix.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreRound3Test {

    record Invoice(String customer, int cents) {
    }

    static Stream<Databases.Database> databases() {
        return Databases.all();
    }

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }

    /**
     * A store whose lease keeper's claims can be watched and held ({@link #afterClaim}), whose reads of task
     * records fail while {@link #findFails}, and whose renewals fail while {@link #heartbeatFails}.
     */
    static final class HookedStore extends ReviewSupport.GatedStore {
        volatile Consumer<List<DurableRecord>> afterClaim = claimed -> { };
        volatile boolean findFails;
        volatile boolean heartbeatFails;
        /** Looks at the store for orphans (each after the retries of the claims that could not start). */
        final AtomicInteger claims = new AtomicInteger();

        HookedStore(TaskStore delegate) {
            super(delegate);
        }

        @Override
        public List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
            claims.incrementAndGet();
            List<DurableRecord> claimed = super.claimOrphans(incarnation, handlers, limit);
            afterClaim.accept(claimed);
            return claimed;
        }

        @Override
        public Optional<TaskRecord> find(TaskId id) {
            if (findFails) {
                throw new IllegalStateException("connection reset reading task " + id + " (test)");
            }
            return super.find(id);
        }

        @Override
        public int heartbeat(long incarnation, Duration lease) {
            if (heartbeatFails) {
                throw new IllegalStateException("store out of reach renewing the lease (test)");
            }
            return super.heartbeat(incarnation, lease);
        }
    }

    /** A "charge" invocation member A started and handed over by its close: claimable at once by the next member. */
    private static TaskId handedOverBy(TaskStore store) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        try (TaskOrchestrator a = TaskOrchestrator.builder().store(store).member("member-a")
                .durableCodec(new JsonDurableCodec()).storeLease(Duration.ofSeconds(60))
                .storeFlushInterval(Duration.ofSeconds(20)).handler("charge", Invoice.class, invoice -> {
                    running.countDown();
                    new CountDownLatch(1).await(); // until the close interrupts it
                    return "never";
                }).build()) {
            SpawningTask<String> task = a.to(String.class).durable("charge", new Invoice("acme", 100)).run();
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            return task.id();
        }
    }

    /** Ids of the tasks an orchestrator created (a listener hears of each synchronously as it is made). */
    private static TaskListener creations(Set<TaskId> created) {
        return new TaskListener() {
            @Override
            public void onCreated(TaskInfo task) {
                created.add(task.id());
            }
        };
    }

    // ---- 1. a claim the lease keeper makes as its member begins to shut down ------------------------------

    /**
     * Promise (SPEC §6): "when a lease expires the work is claimed again ... until it succeeds"; a run this
     * member's shutdown stops is handed over, not ended. The lease keeper checks that its member accepts work,
     * then claims an orphan; the member's shutdown begins while the claim is on its way back. Before the fix the
     * run was made as a new root of an orchestrator that no longer accepts any: refused ({@code FAILED},
     * TaskRejectedException), and that refusal written as the invocation's end, so work that never ran anywhere
     * ended FAILED for good. Now it is handed back on close, and the next member runs it.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void anOrphanClaimedAsTheMemberBeginsToShutDownIsHandedOverNotFailed(Databases.Database database)
            throws Exception {
        JdbcTaskStore store = database.newStore();
        TaskId id = handedOverBy(store);
        HookedStore bStore = new HookedStore(store);
        CountDownLatch claimed = new CountDownLatch(1);
        CountDownLatch shuttingDown = new CountDownLatch(1);
        bStore.afterClaim = records -> {
            if (!records.isEmpty()) {
                claimed.countDown();
                try {
                    shuttingDown.await();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        AtomicInteger runsOnB = new AtomicInteger();
        try (TaskOrchestrator b = on(bStore, "member-b").handler("charge", Invoice.class,
                invoice -> "b ran " + runsOnB.incrementAndGet()).build()) {
            assertThat(claimed.await(30, TimeUnit.SECONDS)).as("B claimed the orphan").isTrue();
            assertThat(b.shutdown(Duration.ofSeconds(30))).as("nothing ran: drained at once").isTrue();
            shuttingDown.countDown();
        } // the close joins the lease keeper, which has made (or refused) the run by then
        assertThat(store.durable(id).orElseThrow().status()).as("after B closed").isEqualTo("PENDING");
        try (TaskOrchestrator c = on(store, "member-c").handler("charge", Invoice.class, invoice -> "c ran").build()) {
            await().atMost(Duration.ofSeconds(60)).alias("the invocation has ended")
                    .until(() -> !store.durable(id).orElseThrow().status().equals("PENDING"));
            DurableRecord ended = store.durable(id).orElseThrow();
            assertThat(ended.status()).isEqualTo("COMPLETED");
            assertThat(ended.lostRuns()).as("handed over twice, never lost").isZero();
            assertThat(c.storedResult(id, String.class).orElseThrow().orElseThrow()).isEqualTo("c ran");
        }
        assertThat(runsOnB).as("runs on B").hasValue(0);
    }

    // ---- 2. a claim waiting to start, taken over while the member's lease lapsed ----------------------------

    /**
     * Promise (Durables: "the claim is committed, so this member owns it, and nobody else runs it while this
     * member renews its lease"; SPEC §6, one run at a time of a durable invocation). Member B claims an orphan, the
     * store fails reading its task record, so the run waits for B's next look at the store. Then the store stays
     * out of B's reach for more than a lease: B's lease lapses, member C claims the invocation and runs it to its
     * end. Before the fix B, back in reach, started the claim it had kept from before the lapse: a second run of
     * an invocation C had run (its end then refused by the store). Now B reads the invocation again first, sees
     * it is no longer its own, and does not run it.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aClaimWaitingToStartIsNotRunOnceAnotherMemberTookItOver(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        TaskId id = handedOverBy(store);
        HookedStore bStore = new HookedStore(store);
        bStore.findFails = true;
        CountDownLatch claimed = new CountDownLatch(1);
        bStore.afterClaim = records -> {
            if (!records.isEmpty()) {
                bStore.heartbeatFails = true; // from now on B cannot renew its lease: it lapses
                claimed.countDown();
            }
        };
        Set<TaskId> createdOnB = ConcurrentHashMap.newKeySet();
        try (TaskOrchestrator b = on(bStore, "member-b").listener(creations(createdOnB))
                .handler("charge", Invoice.class, invoice -> "b ran").build()) {
            assertThat(claimed.await(30, TimeUnit.SECONDS)).as("B claimed the orphan").isTrue();
            try (TaskOrchestrator c = on(store, "member-c").handler("charge", Invoice.class, invoice -> "c ran").build()) {
                await().atMost(Duration.ofSeconds(60)).alias("C took the invocation over and ran it")
                        .until(() -> store.durable(id).orElseThrow().status().equals("COMPLETED"));
            }
            int looks = bStore.claims.get();
            bStore.findFails = false;
            bStore.heartbeatFails = false;
            await().atMost(Duration.ofSeconds(60)).alias("B looked at the store again (its waiting claims first)")
                    .until(() -> bStore.claims.get() > looks);
            assertThat(createdOnB).as("runs B started").doesNotContain(id);
        }
    }

    // ---- 3. a claim still waiting to start when the member closes -----------------------------------------

    /**
     * Promise (Durables: "a run a graceful close stopped and handed over is not lost, so deployments do not use up
     * a long task's lives"). Member B claims an orphan, the store fails reading its task record, so the run waits
     * for the next look; B closes first. Before the fix the waiting claim was neither run nor handed back: the
     * invocation stayed B's, claimed after B's lease as a lost run (ten of those and it is given up), though it
     * never ran on B. Now B's close hands it back with the runs its shutdown stopped.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aClaimStillWaitingToStartWhenTheMemberClosesIsHandedBack(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        TaskId id = handedOverBy(store);
        HookedStore bStore = new HookedStore(store);
        bStore.findFails = true;
        CountDownLatch claimed = new CountDownLatch(1);
        bStore.afterClaim = records -> {
            if (!records.isEmpty()) {
                claimed.countDown();
            }
        };
        try (TaskOrchestrator b = on(bStore, "member-b").handler("charge", Invoice.class, invoice -> "b ran").build()) {
            assertThat(claimed.await(30, TimeUnit.SECONDS)).as("B claimed the orphan").isTrue();
        }
        DurableRecord after = store.durable(id).orElseThrow();
        assertThat(after.status()).isEqualTo("PENDING");
        assertThat(after.owner()).as("owner after B closed (0: handed over)").isZero();
        try (TaskOrchestrator c = on(store, "member-c").handler("charge", Invoice.class, invoice -> "c ran").build()) {
            await().atMost(Duration.ofSeconds(60)).alias("C ran it")
                    .until(() -> store.durable(id).orElseThrow().status().equals("COMPLETED"));
            assertThat(store.durable(id).orElseThrow().lostRuns()).as("lost runs").isZero();
        }
    }

    // ---- 4. a user's cancel while the shutdown's sweep runs ------------------------------------------------

    /**
     * Promise (SPEC §1.3, §1.6): {@code cancel()} that returns true ends the task {@code CANCELLED}, and a cancelled
     * task is never retried; only a run the process's own shutdown stopped is handed over (Durables#released: "not
     * by anyone's choice"). A user cancels a durable task while close() sweeps the live roots, before the sweep
     * reached it (here: from a listener of another root the sweep ended, on the closing thread, so the cancel lands
     * between the sweep's steps every time). Before the fix every stop request made once the sweep had begun was
     * taken for the shutdown's: the user's cancel returned true, and the invocation was handed over and run again
     * by the next member. Now only the shutdown's own requests (and those passed down from them) are.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aDurableTaskCancelledByItsUserWhileTheShutdownSweepsIsNotRunAgain(Databases.Database database)
            throws Exception {
        JdbcTaskStore store = database.newStore();
        AtomicReference<Thread> closer = new AtomicReference<>();
        AtomicReference<SpawningTask<String>> durable = new AtomicReference<>();
        AtomicBoolean userCancelWon = new AtomicBoolean();
        TaskListener cancelsDuringTheSweep = new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                SpawningTask<String> target = durable.get();
                if (task.name().equals("retrier") && Thread.currentThread() == closer.get() && target != null
                        && !target.isCancelled() && !userCancelWon.get()) {
                    userCancelWon.set(target.cancel());
                }
            }
        };
        CountDownLatch retrying = new CountDownLatch(8);
        CountDownLatch running = new CountDownLatch(1);
        TaskId id;
        try (TaskOrchestrator a = TaskOrchestrator.builder().store(store).member("member-a")
                .durableCodec(new JsonDurableCodec()).storeLease(Duration.ofSeconds(60))
                .storeFlushInterval(Duration.ofSeconds(20)).listener(cancelsDuringTheSweep)
                .handler("charge", Invoice.class, invoice -> {
                    running.countDown();
                    new CountDownLatch(1).await(); // until cancelled
                    return "never";
                }).build()) {
            // Roots whose bodies are idle, waiting for a retry an hour away: the sweep ends each on its own thread.
            for (int i = 0; i < 8; i++) {
                a.to(String.class).named("retrier").retry(RetryPolicy.fixed(1, Duration.ofHours(1))).run(() -> {
                    retrying.countDown();
                    throw new IllegalStateException("first attempt fails (test)");
                });
            }
            durable.set(a.to(String.class).durable("charge", new Invoice("acme", 100)).run());
            id = durable.get().id();
            assertThat(retrying.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            closer.set(Thread.currentThread());
        }
        assertThat(userCancelWon).as("the user's cancel won while the sweep ran (the race this test sets up)").isTrue();
        AtomicInteger runsOnB = new AtomicInteger();
        try (TaskOrchestrator b = on(store, "member-b").handler("charge", Invoice.class,
                invoice -> "b ran " + runsOnB.incrementAndGet()).build()) {
            await().atMost(Duration.ofSeconds(60)).alias("the invocation has ended")
                    .until(() -> !store.durable(id).orElseThrow().status().equals("PENDING"));
            assertThat(store.durable(id).orElseThrow().status()).isEqualTo("CANCELLED");
            assertThat(runsOnB).as("runs on B").hasValue(0);
        }
    }

    /**
     * The other side of the fix above (a guard, passing before and after it): a body the shutdown stops, cleaning
     * up as structured code does, cancels the durable task it started before the sweep's cancellation reaches that
     * child. That cancel is the shutdown's, passed down: the run is handed over, and the next member runs it.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aDurableChildCancelledByItsParentsCleanUpOnShutdownIsHandedOver(Databases.Database database)
            throws Exception {
        JdbcTaskStore store = database.newStore();
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<TaskId> child = new AtomicReference<>();
        try (TaskOrchestrator a = TaskOrchestrator.builder().store(store).member("member-a")
                .durableCodec(new JsonDurableCodec()).storeLease(Duration.ofSeconds(60))
                .storeFlushInterval(Duration.ofSeconds(20)).handler("charge", Invoice.class, invoice -> {
                    running.countDown();
                    new CountDownLatch(1).await(); // until cancelled
                    return "never";
                }).build()) {
            a.to(String.class).named("billing-run").run(() -> {
                SpawningTask<String> charge = a.to(String.class).durable("charge", new Invoice("acme", 100)).run();
                child.set(charge.id());
                try {
                    return charge.get();
                }
                catch (InterruptedException stopped) {
                    charge.cancel(); // clean up what this body started
                    throw stopped;
                }
            });
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        }
        TaskId id = child.get();
        AtomicInteger runsOnB = new AtomicInteger();
        try (TaskOrchestrator b = on(store, "member-b").handler("charge", Invoice.class,
                invoice -> "b ran " + runsOnB.incrementAndGet()).build()) {
            await().atMost(Duration.ofSeconds(60)).alias("the invocation has ended")
                    .until(() -> !store.durable(id).orElseThrow().status().equals("PENDING"));
            assertThat(store.durable(id).orElseThrow().status()).isEqualTo("COMPLETED");
            assertThat(runsOnB).as("runs on B").hasValue(1);
        }
    }
}
