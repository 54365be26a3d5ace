package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Orchestrators on a real store: history across restarts, lost tasks, durable tasks re-run after a "crash". */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DurableTasksTest {

    record Invoice(String customer, int cents) {
    }

    record Receipt(String customer, int cents, int attempt) {
    }

    static java.util.stream.Stream<Databases.Database> databases() {
        return Databases.all();
    }

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void historyOutlivesTheOrchestrator(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        TaskId rootId;
        TaskId childId;
        try (TaskOrchestrator first = on(store, "first").build()) {
            SpawningTask<String> root = first.to(String.class).named("nightly").tag("tenant", "acme").run(() -> {
                TaskContext.current().orElseThrow().child(String.class).named("step").run(() -> {
                    throw new java.io.IOException("disk full");
                });
                return "done";
            });
            assertThat(root.join()).isEqualTo("done");
            rootId = root.id();
            childId = root.info().id();
            childId = first.find(rootId).orElseThrow().children().getFirst().id();
            assertThat(rootId.incarnation()).isPositive();
            assertThat(rootId.toString()).isEqualTo(rootId.incarnation() + "-" + rootId.sequence());
        }
        try (TaskOrchestrator second = on(store, "second").build()) {
            TaskInfo root = second.find(rootId).orElseThrow();
            assertThat(root.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(root.name()).isEqualTo("nightly");
            assertThat(root.tags()).containsEntry("tenant", "acme");
            TaskInfo child = second.find(childId).orElseThrow();
            assertThat(child.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(child.parentId()).isEqualTo(rootId);
            assertThat(child.failure().type()).isEqualTo("IOException");
            assertThat(second.stored(new TaskQuery("FAILED", "step", null, 0, 10))).extracting(TaskInfo::id)
                    .containsExactly(childId);
            TaskId next = second.to(String.class).run(() -> "x").id();
            assertThat(next.incarnation()).isGreaterThan(rootId.incarnation());
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aDurableTaskRunsAtOnceAndItsResultIsReadableAfterARestart(Databases.Database database) {
        JdbcTaskStore store = database.newStore();
        TaskId id;
        try (TaskOrchestrator orchestrator = on(store, "a").handler("send-invoice", Invoice.class,
                invoice -> new Receipt(invoice.customer(), invoice.cents(), TaskContext.current().orElseThrow().attempt()))
                .build()) {
            SpawningTask<Receipt> sent = orchestrator.to(Receipt.class).durable("send-invoice", new Invoice("acme", 4200))
                    .run();
            assertThat(sent.join()).isEqualTo(new Receipt("acme", 4200, 1));
            assertThat(sent.name()).isEqualTo("send-invoice");
            id = sent.id();
        }
        try (TaskOrchestrator later = on(store, "b").build()) {
            TaskResult<Receipt> result = later.storedResult(id, Receipt.class).orElseThrow();
            assertThat(result.orElseThrow()).isEqualTo(new Receipt("acme", 4200, 1));
            assertThat(later.find(id).orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);
        }
    }

    /**
     * Member A dies with an ordinary and a durable task running (its store connection cut: it can neither
     * renew its lease nor write). Member B notices when A's lease expires: the ordinary task ends FAILED
     * with TaskLostException, the durable one runs again on B, same id, attempt 2, and completes.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void whenAMemberDiesItsTasksAreLostOrRunAgain(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch aRunning = new CountDownLatch(2);
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger runsOnB = new AtomicInteger();
        TaskOrchestrator a = on(aStore, "member-a").handler("charge", Invoice.class, invoice -> {
            aRunning.countDown();
            never.await();
            return null;
        }).build();
        try {
            SpawningTask<Receipt> durable = a.to(Receipt.class).durable("charge", new Invoice("acme", 100)).run();
            SpawningTask<String> ordinary = a.to(String.class).named("report").run(() -> {
                aRunning.countDown();
                never.await();
                return "never";
            });
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> store.find(ordinary.id()).map(r -> r.status().equals("RUNNING")).orElse(false));
            aStore.down = true; // member A is gone, as far as the store can tell

            try (TaskOrchestrator b = on(store, "member-b").handler("charge", Invoice.class,
                    invoice -> new Receipt(invoice.customer(), invoice.cents(), TaskContext.current().orElseThrow()
                            .attempt() + 100 * runsOnB.incrementAndGet())).build()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    TaskInfo lost = b.find(ordinary.id()).orElseThrow();
                    assertThat(lost.status()).isEqualTo(TaskStatus.FAILED);
                    assertThat(lost.failure().type()).isEqualTo("TaskLostException");
                    assertThat(lost.failure().message()).contains("member-a");
                });
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                        b.storedResult(durable.id(), Receipt.class)).hasValueSatisfying(result ->
                                assertThat(result.orElseThrow()).isEqualTo(new Receipt("acme", 100, 102))));
                assertThat(runsOnB).hasValue(1);
                assertThat(b.find(durable.id()).orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);
            }
        }
        finally {
            never.countDown();
            aStore.down = false;
            a.close();
        }
    }

    /**
     * Member A is cut off from the store (alive, running a durable task) long enough for its lease to lapse;
     * member B claims the invocation and completes it. When A reaches the store again, its own run is the
     * duplicate: A stops it (the body is interrupted, the handle ends FAILED with TaskLostException saying
     * where to read the result), and A's end does not overwrite B's.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aMemberBackFromBeyondItsLeaseStopsTheRunsAnotherMemberTookOver(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch aRunning = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean aInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
        try (TaskOrchestrator a = on(aStore, "member-a").handler("charge", Invoice.class, invoice -> {
            aRunning.countDown();
            try {
                never.await();
            }
            catch (InterruptedException ex) {
                aInterrupted.set(true);
                throw ex;
            }
            return new Receipt("from a", 0, 0);
        }).build()) {
            SpawningTask<Receipt> durable = a.to(Receipt.class).durable("charge", new Invoice("acme", 100)).run();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            aStore.down = true;
            try (TaskOrchestrator b = on(store, "member-b").handler("charge", Invoice.class,
                    invoice -> new Receipt("from b", invoice.cents(), 2)).build()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                        b.storedResult(durable.id(), Receipt.class)).hasValueSatisfying(result ->
                                assertThat(result.orElseThrow()).isEqualTo(new Receipt("from b", 100, 2))));
                assertThat(durable.isDone()).as("A cannot tell yet: it has not reached the store").isFalse();
                aStore.down = false;

                await().atMost(Duration.ofSeconds(60)).alias("A stops its duplicate run once it reaches the store")
                        .until(durable::isDone);
                TaskResult<Receipt> ended = durable.result();
                assertThat(ended.isOk()).isFalse();
                assertThatThrownBy(ended::orElseThrow).isInstanceOf(io.sweetasync.TaskLostException.class)
                        .hasMessageContaining("member-a").hasMessageContaining("lease")
                        .hasMessageContaining("storedResult(" + durable.id());
                assertThat(aInterrupted).as("A's duplicate body was interrupted").isTrue();
                a.flushStore();
                assertThat(a.storedResult(durable.id(), Receipt.class).orElseThrow().orElseThrow())
                        .as("B's end stands").isEqualTo(new Receipt("from b", 100, 2));
            }
        }
        finally {
            never.countDown();
        }
    }

    /** The other side of the same promise: out of reach past its lease, but nobody claimed it, A's run goes on. */
    @ParameterizedTest
    @MethodSource("databases")
    void aMemberBackFromBeyondItsLeaseKeepsTheRunsNobodyTookOver(Databases.Database database) throws Exception {
        JdbcTaskStore store = database.newStore();
        ReviewSupport.GatedStore aStore = new ReviewSupport.GatedStore(store);
        CountDownLatch aRunning = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        try (TaskOrchestrator a = on(aStore, "member-a").handler("charge", Invoice.class, invoice -> {
            aRunning.countDown();
            finish.await(); // an interrupt (a wrongful stop) fails the run, and the test
            return new Receipt("from a", invoice.cents(), 1);
        }).build()) {
            SpawningTask<Receipt> durable = a.to(Receipt.class).durable("charge", new Invoice("acme", 7)).run();
            assertThat(aRunning.await(30, TimeUnit.SECONDS)).isTrue();
            aStore.down = true;
            long lapsed = System.nanoTime() + Duration.ofSeconds(3).toNanos(); // three leases
            await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() - lapsed > 0);
            aStore.down = false;
            int renewed = aStore.renewals.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> aStore.renewals.get() >= renewed + 2); // back, and again
            assertThat(durable.isDone()).as("nobody took it over: it runs on").isFalse();
            finish.countDown();
            assertThat(durable.join()).isEqualTo(new Receipt("from a", 7, 1));
            a.flushStore();
            assertThat(a.storedResult(durable.id(), Receipt.class).orElseThrow().orElseThrow())
                    .isEqualTo(new Receipt("from a", 7, 1));
        }
        finally {
            finish.countDown();
        }
    }

    @Test
    void anArgumentThatCannotBeEncodedFailsAtRunNamingTheHandler() {
        JdbcTaskStore store = Databases.h2().newStore();
        try (TaskOrchestrator orchestrator = on(store, "a").handler("notify", Object.class, argument -> "ok").build()) {
            assertThatThrownBy(() -> orchestrator.to(String.class).durable("notify", new Object()).run())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("notify")
                    .hasMessageContaining("cannot be stored");
            assertThatThrownBy(() -> orchestrator.to(String.class).durable("unknown", "x").run())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown")
                    .hasMessageContaining("notify");
            assertThat(orchestrator.roots()).isEmpty();
        }
        try (TaskOrchestrator storeless = TaskOrchestrator.builder().build()) {
            assertThatThrownBy(() -> storeless.to(String.class).durable("notify", "x").run())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("store");
        }
    }

    /** With the store down, tasks run on; what waits is bounded and counted; writing resumes when it is back. */
    @Test
    void aStoreThatIsDownNeitherStopsTasksNorLosesRecordsSilently() {
        JdbcTaskStore real = Databases.h2().newStore();
        ReviewSupport.GatedStore store = new ReviewSupport.GatedStore(real);
        try (TaskOrchestrator orchestrator = on(store, "a").storeMaxPending(50).build()) {
            store.down = true;
            List<SpawningTask<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                int n = i;
                tasks.add(orchestrator.to(Integer.class).named("while-down").run(() -> n));
            }
            assertThat(tasks.stream().mapToInt(SpawningTask::join).sum()).isEqualTo(79 * 80 / 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.storeStatistics().orElseThrow()
                    .failedWrites() > 0);
            assertThat(orchestrator.storeStatistics().orElseThrow().dropped()).isEqualTo(30);
            assertThat(orchestrator.storeStatistics().orElseThrow().pending()).isEqualTo(50);
            store.down = false;
            await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.storeStatistics().orElseThrow().pending() == 0);
            assertThat(real.query(new TaskQuery("COMPLETED", "while-down", null, 0, 1000))).hasSize(50);
        }
    }
}
