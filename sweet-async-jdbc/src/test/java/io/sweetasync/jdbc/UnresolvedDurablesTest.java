package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A stored durable invocation that no live member can run (its handler renamed or removed by a deploy) ends
 * {@code FAILED}, unrun, once it has waited unclaimed for {@code storeUnresolvedAfter}; one a member can run, or
 * one its live owner runs, is never ended so.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnresolvedDurablesTest {

    record Invoice(String customer, int cents) {
    }

    static Stream<Databases.Database> databases() {
        return Databases.all();
    }

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1))
                .storeUnresolvedAfter(Duration.ofSeconds(1));
    }

    /**
     * The store's side: of the invocations whose owner is gone, only those of handlers the caller does not
     * register and unchanged for long enough are claimed, each once, their attempts and lost runs as they were.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void theStoreClaimsIdleOrphansOfOtherHandlersOnceWithoutAnAttempt(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long dead = store.open("dead", Duration.ofSeconds(30)).number();
        long alive = store.open("alive", Duration.ofSeconds(30)).number();
        long justDied = store.open("just-died", Duration.ofSeconds(1)).number();
        long now = System.currentTimeMillis();
        long old = now - 60_000;
        TaskId gone = TaskId.of(dead, 1);
        TaskId known = TaskId.of(dead, 2);
        TaskId fresh = TaskId.of(dead, 3);
        TaskId living = TaskId.of(alive, 1);
        enqueue(store, gone, "v1", dead, old);
        enqueue(store, known, "v2", dead, old);
        enqueue(store, fresh, "v1", dead, now);
        enqueue(store, living, "v1", alive, old);
        TaskId longRun = TaskId.of(justDied, 1);
        enqueue(store, longRun, "v1", justDied, old);
        store.close(dead);
        await().atMost(Duration.ofSeconds(30)).until(() -> store.claimOrphans(alive, List.of("none"), 1).isEmpty()
                && System.currentTimeMillis() > now + 1_500); // the lease of "just-died" lapsed, a moment ago
        Instant idleBefore = Instant.ofEpochMilli(now - 30_000);

        long b = store.open("b", Duration.ofSeconds(30)).number();
        assertThat(store.claimUnresolved(b, List.of("v2"), idleBefore, 10)).singleElement().satisfies(record -> {
            assertThat(record.id()).isEqualTo(gone.value());
            assertThat(record.owner()).isEqualTo(b);
            assertThat(record.attempts()).as("ended, not run: no attempt").isEqualTo(3);
            assertThat(record.lostRuns()).isEqualTo(1);
        });
        assertThat(store.durable(gone).orElseThrow().attempts()).isEqualTo(3);
        long c = store.open("c", Duration.ofSeconds(30)).number();
        assertThat(store.claimUnresolved(c, List.of(), idleBefore, 10)).as("no handler at all: every idle orphan "
                + "but the one b claimed").singleElement().satisfies(record -> assertThat(record.id())
                        .isEqualTo(known.value()));
        assertThat(store.claimUnresolved(c, List.of(), idleBefore, 10)).isEmpty();
        assertThat(store.durable(fresh).orElseThrow().owner()).as("changed too recently").isEqualTo(dead);
        assertThat(store.durable(longRun).orElseThrow().owner()).as("unchanged for long, but its owner died only a "
                + "moment ago").isEqualTo(justDied);
        assertThat(store.claimUnresolved(c, List.of(), Instant.ofEpochMilli(now + 60_000), 10)).as("with a later "
                + "bound, those two; never the one whose owner is alive").extracting(DurableRecord::id)
                .containsExactlyInAnyOrder(fresh.value(), longRun.value());
        assertThat(store.durable(living).orElseThrow().owner()).isEqualTo(alive);
        assertThat(store.claimUnresolved(c, List.of(), idleBefore, 0)).isEmpty();
    }

    /**
     * A member that registers the handler claims an idle orphan to run it while another, which does not, claims it
     * to end it unrun: exactly one of them gets it, and the store names that one its owner (the compare-and-set on
     * owner and attempts), over many races.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aRunnerAndAnEnderRacingForAnOrphanNeverBothGetIt(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        long runner = store.open("runner", Duration.ofSeconds(30)).number();
        long ender = store.open("ender", Duration.ofSeconds(30)).number();
        Instant idleBefore = Instant.now().minus(Duration.ofSeconds(30));
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int race = 0; race < 50; race++) {
                long dead = store.open("dead-" + race, Duration.ofSeconds(30)).number();
                TaskId orphan = TaskId.of(dead, 1);
                enqueue(store, orphan, "v1", dead, System.currentTimeMillis() - 60_000);
                store.close(dead);
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                var runs = threads.submit(() -> {
                    start.await();
                    return store.claimOrphans(runner, List.of("v1"), 10);
                });
                var ends = threads.submit(() -> {
                    start.await();
                    return store.claimUnresolved(ender, List.of("other"), idleBefore, 10);
                });
                boolean run = runs.get(30, TimeUnit.SECONDS).stream().anyMatch(r -> r.id() == orphan.value());
                boolean end = ends.get(30, TimeUnit.SECONDS).stream().anyMatch(r -> r.id() == orphan.value());
                assertThat(run ^ end).as("race %d: claimed to run %s, to end %s", race, run, end).isTrue();
                assertThat(store.durable(orphan).orElseThrow().owner()).isEqualTo(run ? runner : ender);
                store.finishDurable(orphan, run ? runner : ender, "FAILED", null, "race over");
            }
        }
        finally {
            threads.shutdownNow();
        }
    }

    private static void enqueue(JdbcTaskStore store, TaskId id, String handler, long owner, long at) {
        store.enqueue(new DurableRecord(id.value(), handler, null, "PENDING", 3, owner, null, null, at, 1),
                JdbcTaskStoreTest.record(id.value(), "RUNNING", handler, owner, true, at));
    }

    /** Member A, running an invocation of "charge-v1", is cut off; member B registers only "charge-v2". */
    @ParameterizedTest
    @MethodSource("databases")
    void anInvocationNoLiveMemberCanRunEndsFailedNamingItsHandler(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger runsOfV2 = new AtomicInteger();
        TaskOrchestrator a = on(aStore, "member-a").handler("charge-v1", Invoice.class, invoice -> {
            running.countDown();
            never.await();
            return "v1";
        }).build();
        try {
            SpawningTask<String> durable = a.to(String.class).durable("charge-v1", new Invoice("acme", 100)).run();
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            int attempts = store.durable(durable.id()).orElseThrow().attempts();
            aStore.down = true; // member A is gone, as far as the store can tell

            try (TaskOrchestrator b = on(store, "member-b").handler("charge-v2", Invoice.class, invoice -> {
                runsOfV2.incrementAndGet();
                return "v2";
            }).build()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    DurableRecord ended = store.durable(durable.id()).orElseThrow();
                    assertThat(ended.status()).isEqualTo("FAILED");
                    assertThat(ended.failure()).contains("'charge-v1'").contains("storeUnresolvedAfter");
                    TaskInfo info = b.find(durable.id()).orElseThrow();
                    assertThat(info.status()).isEqualTo(TaskStatus.FAILED);
                    assertThat(info.failure().type()).isEqualTo("TaskRejectedException");
                    assertThat(info.failure().message()).contains("'charge-v1'");
                });
                assertThat(store.durable(durable.id()).orElseThrow().attempts()).as("ended, never run again")
                        .isEqualTo(attempts);
                assertThat(runsOfV2).hasValue(0);
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }

    /**
     * Member B claims an invocation no member can run, and the store fails B's end of it once (it flaps): B, owning
     * it now and alive, is the only one that may end it (no other member claims it while B's lease holds), so B
     * ends it at a later renewal. It stayed pending for ever, owned by B (fails before: the wait times out).
     */
    @ParameterizedTest
    @MethodSource("databases")
    void anInvocationWhoseEndFailedOnceIsEndedLater(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long dead = store.open("dead", Duration.ofSeconds(30)).number();
        TaskId gone = TaskId.of(dead, 1);
        enqueue(store, gone, "charge-v1", dead, System.currentTimeMillis() - 60_000);
        store.close(dead);
        AtomicInteger failedEnds = new AtomicInteger();
        ReviewSupport.GatedStore bStore = new ReviewSupport.GatedStore(store) {
            @Override
            public boolean finishDurable(TaskId id, long owner, String status, String result, String failure) {
                if (id.equals(gone) && failedEnds.getAndIncrement() == 0) {
                    throw new IllegalStateException("store flapped (test)");
                }
                return super.finishDurable(id, owner, status, result, failure);
            }
        };
        try (TaskOrchestrator b = on(bStore, "member-b").handler("charge-v2", Invoice.class, invoice -> "v2")
                .build()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> failedEnds.get() >= 1);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                DurableRecord ended = store.durable(gone).orElseThrow();
                assertThat(ended.status()).isEqualTo("FAILED");
                assertThat(ended.failure()).contains("'charge-v1'");
                assertThat(b.find(gone).orElseThrow().failure().type()).isEqualTo("TaskRejectedException");
            });
        }
    }

    /**
     * A backlog larger than a batch (25 invocations, batches of 10) is ended at consecutive renewals, not a batch per
     * ask interval (half of {@code storeUnresolvedAfter}, here 30 s: 15 s, about 45 renewals of a 1 s lease apart),
     * and a batch at a time: the ends run on the thread that renews the lease.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aBacklogIsEndedABatchAtARenewalWhileBatchesComeBackFull(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long dead = store.open("dead", Duration.ofSeconds(30)).number();
        List<TaskId> gone = new java.util.ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            gone.add(TaskId.of(dead, i));
            enqueue(store, gone.get(i - 1), "charge-v1", dead, System.currentTimeMillis() - 120_000);
        }
        store.close(dead);
        List<Integer> renewalsAtAsks = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Integer> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
        ReviewSupport.GatedStore bStore = new ReviewSupport.GatedStore(store) {
            @Override
            public List<DurableRecord> claimUnresolved(long incarnation, java.util.Collection<String> handlers,
                    Instant idleBefore, int limit) {
                renewalsAtAsks.add(renewals.get());
                List<DurableRecord> claimed = super.claimUnresolved(incarnation, handlers, idleBefore, limit);
                batches.add(claimed.size());
                return claimed;
            }
        };
        try (TaskOrchestrator b = on(bStore, "member-b").storeUnresolvedAfter(Duration.ofSeconds(30))
                .handler("charge-v2", Invoice.class, invoice -> "v2").build()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> gone.stream()
                    .allMatch(id -> store.durable(id).orElseThrow().status().equals("FAILED")));
            assertThat(batches).as("a batch at a time").startsWith(10, 10, 5);
            assertThat(renewalsAtAsks.get(2) - renewalsAtAsks.get(0)).as("renewals from the first ask to the third")
                    .isEqualTo(2);
        }
    }

    /**
     * Member B's claim of an invocation no member can run is committed, but the store's answer is lost (the
     * connection drops after the commit): B owns it without knowing. B finds it among what it owns and ends it;
     * it stayed PENDING, owned by B, for as long as B lived (fails before: the wait times out).
     */
    @ParameterizedTest
    @MethodSource("databases")
    void anInvocationWhoseClaimWasAnsweredNotIsEndedLater(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        long dead = store.open("dead", Duration.ofSeconds(30)).number();
        TaskId gone = TaskId.of(dead, 1);
        enqueue(store, gone, "charge-v1", dead, System.currentTimeMillis() - 60_000);
        store.close(dead);
        AtomicInteger lostAnswers = new AtomicInteger();
        ReviewSupport.GatedStore bStore = new ReviewSupport.GatedStore(store) {
            @Override
            public List<DurableRecord> claimUnresolved(long incarnation, java.util.Collection<String> handlers,
                    Instant idleBefore, int limit) {
                List<DurableRecord> claimed = super.claimUnresolved(incarnation, handlers, idleBefore, limit);
                if (!claimed.isEmpty() && lostAnswers.getAndIncrement() == 0) {
                    throw new IllegalStateException("connection lost after the commit (test)");
                }
                return claimed;
            }
        };
        try (TaskOrchestrator b = on(bStore, "member-b").handler("charge-v2", Invoice.class, invoice -> "v2")
                .build()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> lostAnswers.get() >= 1);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                DurableRecord ended = store.durable(gone).orElseThrow();
                assertThat(ended.status()).isEqualTo("FAILED");
                assertThat(ended.failure()).contains("'charge-v1'");
                assertThat(b.find(gone).orElseThrow().failure().type()).isEqualTo("TaskRejectedException");
            });
        }
    }

    /** Member B registers the handler of the invocation A left: B runs it again, as ever, and never ends it unrun. */
    @ParameterizedTest
    @MethodSource("databases")
    void anInvocationALiveMemberCanRunRunsThere(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TaskOrchestrator a = on(aStore, "member-a").handler("charge", Invoice.class, invoice -> {
            running.countDown();
            never.await();
            return "on a";
        }).build();
        try {
            SpawningTask<String> durable = a.to(String.class).durable("charge", new Invoice("acme", 100)).run();
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(1_500); // the invocation has not changed for longer than storeUnresolvedAfter
            aStore.down = true;

            try (TaskOrchestrator b = on(store, "member-b").handler("charge", Invoice.class,
                    invoice -> "on b, attempt " + TaskContext.current().orElseThrow().attempt()).build()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                        b.storedResult(durable.id(), String.class)).hasValueSatisfying(result ->
                                assertThat(result.orElseThrow()).isEqualTo("on b, attempt 2")));
                assertThat(store.durable(durable.id()).orElseThrow().status()).isEqualTo("COMPLETED");
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }

    /**
     * Member A, alive, runs an invocation of a handler member B does not register, for longer than B's
     * {@code storeUnresolvedAfter}: B looks for unresolved invocations several times meanwhile and leaves it alone;
     * A's run completes it.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void anInvocationItsLiveOwnerRunsIsLeftToIt(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // a long lease: A's lapsing under a stall (a loaded machine) would make B's failing it right
        try (TaskOrchestrator a = on(store, "member-a").storeLease(Duration.ofSeconds(10))
                .handler("slow-charge", Invoice.class, invoice -> {
                    running.countDown();
                    release.await();
                    return "on a";
                }).build()) {
            SpawningTask<String> durable = a.to(String.class).durable("slow-charge", new Invoice("acme", 100)).run();
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            ReviewSupport.GatedStore bStore = new ReviewSupport.GatedStore(store);
            try (TaskOrchestrator b = on(bStore, "member-b").handler("other", Invoice.class, invoice -> "other")
                    .build()) {
                int looks = bStore.unresolvedLooks.get();
                // B looks at most every half of its 1 s: four more looks span over a second after A's run began
                await().atMost(Duration.ofSeconds(60)).until(() -> bStore.unresolvedLooks.get() >= looks + 4);
                assertThat(store.durable(durable.id()).orElseThrow().status()).isEqualTo("PENDING");
                release.countDown();
                assertThat(durable.join()).isEqualTo("on a");
                await().atMost(Duration.ofSeconds(30)).until(() -> store.durable(durable.id()).orElseThrow().status()
                        .equals("COMPLETED"));
            }
        }
        finally {
            release.countDown();
        }
    }
}
