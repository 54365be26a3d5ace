package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of the looks at what a member's incarnation owns ({@code OwnedDurables}, merged in "Merge owned"):
 * the look must never start a durable invocation that is being run (or already ran) here.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LostAnswerReviewTest {

    record Invoice(String customer, int cents) {
    }

    /**
     * A store that refuses, one record at a time, the task record of {@link #target} once another record of the
     * same failed batch went through (so the sync thread's one-by-one path drops it as "refused by the database",
     * not the store down).
     */
    static final class RefusingStore extends LostAnswerTest.AnswerStore {
        final AtomicReference<Long> target = new AtomicReference<>();
        final AtomicBoolean oneByOne = new AtomicBoolean();
        final AtomicBoolean otherWritten = new AtomicBoolean();
        final AtomicInteger refused = new AtomicInteger();
        /** A record of the target's was written (this round missed the interleaving). */
        final AtomicBoolean targetSaved = new AtomicBoolean();

        RefusingStore(TaskStore delegate) {
            super(delegate);
        }

        @Override
        public void save(Collection<TaskRecord> records) {
            Long id = target.get();
            boolean hasTarget = id != null && records.stream().anyMatch(r -> r.id() == id);
            if (records.size() > 1) {
                if (hasTarget) {
                    oneByOne.set(true);
                    otherWritten.set(false);
                    throw new IllegalStateException("batch refused (test)");
                }
            }
            else if (oneByOne.get()) {
                if (hasTarget && otherWritten.get()) {
                    refused.incrementAndGet();
                    target.set(null);
                    oneByOne.set(false);
                    throw new IllegalStateException("value too long for column (test)");
                }
                if (!hasTarget) {
                    otherWritten.set(true);
                }
            }
            super.save(records);
            if (hasTarget) {
                targetSaved.set(true);
            }
        }

    }

    /**
     * Promise (SPEC §6): a durable invocation never runs twice at the same time. The sync thread's one-by-one path
     * ({@code StoreWriter.saveOneByOne}) drops a task record the database refuses and stops tracking its task, even
     * when that task is a durable one still running: it is then in none of the member's local states (not tracked,
     * not unended), while the store still lists its invocation PENDING and owned by this incarnation. Two looks
     * later the lease keeper "recovers" it and runs it a second time while the first run is still going.
     */
    @Test
    void aRunningDurableTaskWhoseRecordTheStoreRefusedIsNotStartedASecondTime() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        RefusingStore refusing = new RefusingStore(store);
        java.util.Map<Integer, AtomicInteger> live = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<Integer, AtomicInteger> maxLive = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<Integer, AtomicInteger> runs = new java.util.concurrent.ConcurrentHashMap<>();
        CountDownLatch release = new CountDownLatch(1);
        try (TaskOrchestrator a = TaskOrchestrator.builder().store(refusing).member("member-a")
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofMillis(50))
                .storeLease(Duration.ofSeconds(1))
                .handler("hold", Invoice.class, invoice -> {
                    int key = invoice.cents();
                    runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                    AtomicInteger mine = live.computeIfAbsent(key, k -> new AtomicInteger());
                    maxLive.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(mine.incrementAndGet(),
                            Math::max);
                    try {
                        release.await(60, TimeUnit.SECONDS); // deadlock guard only
                    }
                    finally {
                        mine.decrementAndGet();
                    }
                    return "held";
                }).build()) {
            List<SpawningTask<String>> others = new ArrayList<>();
            int hit = -1;
            AtomicReference<SpawningTask<String>> heldTask = new AtomicReference<>();
            for (int round = 0; round < 20 && refusing.refused.get() == 0; round++) {
                // the id is known only once submitted: arm the refusal from inside the start of a plain batch
                CountDownLatch go = new CountDownLatch(1);
                for (int i = 0; i < 30; i++) {
                    others.add(a.to(String.class).run(() -> {
                        go.await(60, TimeUnit.SECONDS);
                        return "plain";
                    }));
                }
                int r = round;
                SpawningTask<String> held = a.to(String.class).durable("hold", new Invoice("acme", round)).run();
                refusing.targetSaved.set(false);
                refusing.target.set(held.id().value());
                await().atMost(Duration.ofSeconds(30)).alias("the durable run started")
                        .until(() -> live.containsKey(r));
                go.countDown();
                hit = round;
                heldTask.set(held);
                await().atMost(Duration.ofSeconds(30)).alias("its record written or refused")
                        // (not store.find(): the durable task's record is there from its enqueue, before any flush)
                        .until(() -> refusing.refused.get() > 0 || refusing.targetSaved.get());
                if (refusing.refused.get() == 0) {
                    // written: this round missed the interleaving; let it end and try again
                    refusing.target.set(null);
                    refusing.oneByOne.set(false);
                }
            }
            assertThat(refusing.refused).as("a round in which the store refused the running task's record").hasValue(1);
            refusing.awaitLooks(4); // a look that starts it again would have by now
            int refusedRound = hit;
            assertThat(maxLive.get(refusedRound)).as("runs of the held invocation at the same time (runs %s)",
                    runs.get(refusedRound)).hasValue(1);
            release.countDown();
            TaskId id = heldTask.get().id();
            assertThat(heldTask.get().join()).isEqualTo("held");
            await().atMost(Duration.ofSeconds(30)).alias("its end is written all the same")
                    .until(() -> store.durable(id).orElseThrow().status().equals("COMPLETED"));
        }
        finally {
            release.countDown();
        }
    }

    /**
     * Promise (SPEC §6): while a member runs an invocation its lease is renewed, so no other member claims it. A
     * store whose {@code owned} does not move past {@code after} (a custom store that ignores it, or one whose ids do
     * not sort as {@code TaskId}s) answered every page with the same full page: the lease keeper paged for ever
     * (memory growing) and renewed nothing more, so the lease lapsed and other members claimed and ran again the
     * invocations this member was running. Here the store gives up after {@value #GARBAGE_PAGES} pages so the test
     * ends either way; a look must read no page more than the one that did not move on.
     */
    @Test
    void anOwnedThatDoesNotMovePastAfterDoesNotHoldTheLeaseKeeper() {
        JdbcTaskStore store = Databases.h2().newStore();
        AtomicInteger pagesThisLook = new AtomicInteger();
        AtomicInteger mostPagesInALook = new AtomicInteger();
        AtomicInteger looks = new AtomicInteger();
        ReviewSupport.GatedStore stuck = new ReviewSupport.GatedStore(store) {
            @Override
            public List<TaskId> owned(long incarnation, TaskId after, int limit) {
                if (after == null) {
                    looks.incrementAndGet();
                    pagesThisLook.set(0);
                }
                int pages = pagesThisLook.incrementAndGet();
                mostPagesInALook.accumulateAndGet(pages, Math::max);
                if (pages >= GARBAGE_PAGES) {
                    return List.of();
                }
                List<TaskId> page = new ArrayList<>(limit);
                for (int i = 1; i <= limit; i++) {
                    page.add(new TaskId(i)); // the same page whatever after is: ids of nobody here
                }
                return page;
            }
        };
        try (TaskOrchestrator a = TaskOrchestrator.builder().store(stuck).member("member-a")
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofMillis(50))
                .storeLease(Duration.ofSeconds(1))
                .handler("charge", Invoice.class, invoice -> "ran").build()) {
            await().atMost(Duration.ofSeconds(30)).alias("three looks").until(() -> looks.get() >= 3);
            assertThat(mostPagesInALook).as("pages read in one look").hasValueLessThanOrEqualTo(2);
        }
    }

    /**
     * Garbage from {@code owned}: the id of an invocation another member owns and is running right now, listed as
     * this member's at every look (and the query failing at every third): the look reads the invocation afresh
     * before it runs it, finds it owned by the other incarnation, and leaves it. Found sound.
     */
    @Test
    void anIdOfAnotherIncarnationListedByOwnedIsNotRunHere() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        LostAnswerTest.AnswerStore garbage = new LostAnswerTest.AnswerStore(store) {
            @Override
            public List<TaskId> owned(long incarnation, TaskId after, int limit) {
                if (after == null && looks.get() % 3 == 2) {
                    looks.incrementAndGet();
                    throw new IllegalStateException("owned failed (test)");
                }
                return super.owned(incarnation, after, limit);
            }
        };
        AtomicInteger runsOnA = new AtomicInteger();
        AtomicInteger runsOnB = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (TaskOrchestrator b = TaskOrchestrator.builder().store(store).member("member-b")
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofMillis(50))
                .storeLease(Duration.ofSeconds(10)) // not to lapse under a stall: A would claim B's run by right
                .handler("charge", Invoice.class, invoice -> {
                    runsOnB.incrementAndGet();
                    release.await(60, TimeUnit.SECONDS); // deadlock guard only
                    return "b";
                }).build();
                TaskOrchestrator a = TaskOrchestrator.builder().store(garbage).member("member-a")
                        .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofMillis(50))
                        .storeLease(Duration.ofSeconds(1))
                        .handler("charge", Invoice.class, invoice -> "a " + runsOnA.incrementAndGet()).build()) {
            SpawningTask<String> onB = b.to(String.class).durable("charge", new Invoice("acme", 1)).run();
            await().atMost(Duration.ofSeconds(30)).alias("it runs on B").until(() -> runsOnB.get() == 1);
            garbage.ownedAlso = List.of(onB.id());
            garbage.awaitLooks(6);
            assertThat(runsOnA).as("runs on A").hasValue(0);
            release.countDown();
            assertThat(onB.join()).isEqualTo("b");
            assertThat(runsOnB).as("runs on B").hasValue(1);
        }
        finally {
            release.countDown();
        }
    }

    private static final int GARBAGE_PAGES = 500;

    private static final String UNENDED_BOUND = "review finding, not fixed: StoreSync.unended is bounded by "
            + "maxTracked; a completed durable task whose end the store refused beyond that bound is forgotten and the "
            + "looks at what the member owns run it again (a design choice to make: unbounded ids, or another bound)";

    /**
     * Race: a durable task waiting out its retry delay between two attempts has no run live, but it is still this
     * member's (tracked, not ended): looks in that wait must not start it. Then a user's cancel during the wait ends
     * it for good (CANCELLED written), and later looks do not run it either.
     */
    @Test
    void aDurableTaskBetweenRetryAttemptsOrCancelledThenIsNotStartedByALook() {
        JdbcTaskStore store = Databases.h2().newStore();
        LostAnswerTest.AnswerStore counting = new LostAnswerTest.AnswerStore(store);
        AtomicInteger runs = new AtomicInteger();
        try (TaskOrchestrator a = TaskOrchestrator.builder().store(counting).member("member-a")
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofMillis(50))
                .storeLease(Duration.ofSeconds(1))
                .handler("flaky", Invoice.class, invoice -> {
                    runs.incrementAndGet();
                    throw new java.io.IOException("flaky (test)");
                }).build()) {
            SpawningTask<String> task = a.to(String.class).retry(io.sweetasync.RetryPolicy.fixed(3, Duration.ofHours(1)))
                    .durable("flaky", new Invoice("acme", 1)).run();
            await().atMost(Duration.ofSeconds(30)).alias("the first attempt ran").until(() -> runs.get() >= 1);
            counting.awaitLooks(4);
            assertThat(runs).as("runs while it waits for its retry").hasValue(1);
            task.cancel();
            await().atMost(Duration.ofSeconds(30)).alias("its cancel is written")
                    .until(() -> !store.durable(task.id()).orElseThrow().status().equals("PENDING"));
            assertThat(store.durable(task.id()).orElseThrow().status()).isEqualTo("CANCELLED");
            counting.awaitLooks(3);
            assertThat(runs).as("runs after its cancel").hasValue(1);
        }
    }

    /**
     * Promise (SPEC §6, and this review's brief): a look never runs a durable task that already ended. An end the
     * store refuses while others of its batch go through is kept in {@code StoreSync.unended}, so the looks know
     * it; but that set holds at most {@code maxTracked} ({@code storeMaxPending}) ids, and an id beyond is
     * forgotten: unknown and still pending, the looks run the completed task a second time. (Documented in
     * StoreSync's field comment as "run here again, at least once"; it breaks what the looks were merged to keep.)
     * Here {@code storeMaxPending(1)}: of three ends in one pass, the first is written, the second kept, the third
     * forgotten and run again.
     */
    @Test
    @org.junit.jupiter.api.Disabled(UNENDED_BOUND)
    void aCompletedTaskWhoseEndWasRefusedBeyondTheUnendedBoundIsNotRunAgain() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        AtomicBoolean armed = new AtomicBoolean();
        AtomicBoolean passFirst = new AtomicBoolean();
        AtomicInteger refusedEnds = new AtomicInteger();
        AtomicInteger looks = new AtomicInteger();
        ReviewSupport.GatedStore refusing = new ReviewSupport.GatedStore(store) {
            @Override
            public boolean[] finishDurables(List<DurableEnd> ends) {
                if (armed.get()) {
                    passFirst.set(true);
                    throw new IllegalStateException("batch of ends refused (test)");
                }
                return super.finishDurables(ends);
            }

            @Override
            public boolean finishDurable(TaskId id, long owner, String status, String result, String failure) {
                if (armed.get() && !passFirst.getAndSet(false)) {
                    refusedEnds.incrementAndGet();
                    throw new IllegalStateException("end refused (test)");
                }
                return super.finishDurable(id, owner, status, result, failure);
            }

            @Override
            public List<TaskId> owned(long incarnation, TaskId after, int limit) {
                if (after == null) {
                    looks.incrementAndGet();
                }
                return super.owned(incarnation, after, limit);
            }
        };
        java.util.Map<Integer, AtomicInteger> runs = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicReference<CountDownLatch> go = new AtomicReference<>(new CountDownLatch(1));
        try (TaskOrchestrator a = TaskOrchestrator.builder().store(refusing).member("member-a")
                .durableCodec(new JsonDurableCodec()).storeFlushInterval(Duration.ofMillis(50))
                .storeLease(Duration.ofSeconds(1)).storeMaxPending(1)
                .handler("gated", Invoice.class, invoice -> {
                    runs.computeIfAbsent(invoice.cents(), k -> new AtomicInteger()).incrementAndGet();
                    go.get().await(60, TimeUnit.SECONDS); // deadlock guard only
                    return "done";
                }).build()) {
            for (int round = 0; round < 10 && refusedEnds.get() < 4; round++) {
                go.set(new CountDownLatch(1));
                List<SpawningTask<String>> three = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    three.add(a.to(String.class).durable("gated", new Invoice("acme", round * 3 + i)).run());
                }
                int from = round * 3;
                await().atMost(Duration.ofSeconds(30)).alias("three runs started")
                        .until(() -> runs.containsKey(from) && runs.containsKey(from + 1) && runs.containsKey(from + 2));
                assertThat(a.flushStore()).isTrue(); // their RUNNING records written: the next pass holds the ends
                armed.set(true);
                go.get().countDown();
                three.forEach(SpawningTask::join);
                assertThat(a.flushStore()).isTrue();
                armed.set(false);
            }
            assertThat(refusedEnds).as("two ends refused in one pass (each with and without its result)")
                    .hasValueGreaterThanOrEqualTo(4);
            int from = looks.get();
            await().atMost(Duration.ofSeconds(30)).alias("three looks").until(() -> looks.get() >= from + 3);
            assertThat(runs.values()).as("runs of each completed invocation").allMatch(count -> count.get() == 1);
        }
    }
}
