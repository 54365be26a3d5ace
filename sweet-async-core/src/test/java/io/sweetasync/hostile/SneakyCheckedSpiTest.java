package io.sweetasync.hostile;

import static io.sweetasync.hostile.Sneaky.sneaky;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.QuietCluster;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskStatus;
import io.sweetasync.emit.Emitter;
import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.RemoteOutcome;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store and cluster SPIs implemented in a language without checked exceptions (a Kotlin store over JDBC throwing
 * {@code SQLException}, a Lombok {@code @SneakyThrows} cluster): the engine's {@code catch (RuntimeException ex)}
 * around their calls let a checked exception past the handling an unchecked one gets. Each test has the store or
 * cluster throw an {@link IOException} that way and checks the promise the unchecked case keeps. The callbacks of the
 * engine core are {@link SneakyCheckedExceptionsTest}'s.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SneakyCheckedSpiTest {

    private static final Duration HANG = Duration.ofSeconds(30);

    /**
     * {@code StoreWriter.saved} and {@code RowByRow.finish}: a durable end the store refuses in its batch is written
     * alone, and after three refusals without its result. A checked exception skipped that fallback: the end was never
     * written, the invocation pending for ever.
     */
    @Test
    void aDurableEndTheStoreRefusesWithACheckedExceptionIsWrittenWithoutItsResult() {
        SneakyStore store = new SneakyStore();
        store.refusedResult = "too large";
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("sneaky")
                .storeFlushInterval(Duration.ofMillis(20)).durableCodec(new Plain())
                .handler("echo", String.class, argument -> "too large")
                .build()) {
            SpawningTask<String> task = orchestrator.to(String.class).durable("echo", "x").run();
            assertThat(assertTimeoutPreemptively(HANG, task::join)).isEqualTo("too large");
            await().atMost(HANG).alias("the end written without its result")
                    .until(() -> store.ended.containsKey(task.id()));
            assertThat(store.ended.get(task.id())).isEqualTo("COMPLETED/no result");
        }
    }

    /**
     * {@code StoreSync.close} and {@code StoreWriter.flush}: a last write the store fails is counted as dropped, and
     * the lease is released all the same. A checked exception out of the store's {@code save} ended the close's thread
     * there: the lease was never released (its member's durable invocations waited for it to lapse).
     */
    @Test
    void aStoreWhoseSaveThrowsACheckedExceptionStillHasItsLeaseReleasedOnClose() {
        SneakyStore store = new SneakyStore();
        store.saveFails = true;
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("sneaky")
                    .storeFlushInterval(Duration.ofMillis(20)).build()) {
                assertThat(orchestrator.to(String.class).run(() -> "ran").join()).isEqualTo("ran");
            }
        });
        assertThat(store.closed).as("the lease released").containsExactly(1L);
    }

    /**
     * {@code TaskOrchestrator.cancel}: a cluster that fails to reach the members answers false (no member was
     * reached); a checked exception out of the cluster's {@code cancel} reached the caller as it was.
     */
    @Test
    void aClusterWhoseCancelThrowsACheckedExceptionAnswersFalse() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(new SneakyCluster(Failing.CANCEL))
                .build()) {
            TaskId elsewhere = TaskId.parse("7-42");
            assertThatCode(() -> assertThat(orchestrator.cancel(elsewhere)).isFalse()).doesNotThrowAnyException();
        }
    }

    /**
     * {@code DurableSubmission.submit}: an invocation the store fails to insert is refused with an
     * {@link IllegalStateException} ("could not be stored"), its task ended rejected. A checked exception reached the
     * caller as it was, the task left live and PENDING for ever (never stopped, listed among the live tasks).
     */
    @Test
    void aDurableInvocationTheStoreFailsToInsertWithACheckedExceptionIsRefusedAsAnyOther() {
        SneakyStore store = new SneakyStore();
        store.enqueueFails = true;
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("sneaky")
                    .durableCodec(new Plain()).handler("echo", String.class, argument -> argument).build()) {
                assertThatThrownBy(() -> orchestrator.to(String.class).durable("echo", "x").run())
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("could not be stored")
                        .hasCauseInstanceOf(IOException.class);
                assertThat(orchestrator.liveTasks()).isEmpty();
            }
        });
    }

    /**
     * {@code OwnedDurables.endRefusedNow}: a refused submission whose rows the store cannot be asked about is left to
     * the looks; the caller hears the refusal ("could not be stored") and the close releases the lease. A checked
     * exception out of the store's read replaced the refusal at the caller, and on close ended the close's work
     * before the lease was released.
     */
    @Test
    void aRefusedSubmissionTheStoreCannotBeAskedAboutWithACheckedExceptionIsLeftToTheLooks() {
        SneakyStore store = new SneakyStore();
        store.enqueueFails = true;
        store.durableReadFails = true;
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("sneaky")
                    .durableCodec(new Plain()).handler("echo", String.class, argument -> argument).build()) {
                assertThatThrownBy(() -> orchestrator.to(String.class).durable("echo", "x").run())
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("could not be stored");
            }
        });
        assertThat(store.closed).as("the lease released").containsExactly(1L);
    }

    /**
     * {@code DurableSubmission.afterStored}: a start gate that throws before it decided ends the task rejected and
     * tells the submitter; a checked exception reached the submitter as it was, the task left live and PENDING for
     * ever.
     */
    @Test
    void aDurableStartGateThatThrowsACheckedExceptionEndsTheTaskRejected() {
        SneakyStore store = new SneakyStore();
        DurableStartGate gate = (start, abandon) -> {
            throw sneaky(new IOException("no transaction to join"));
        };
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("sneaky")
                    .durableCodec(new Plain()).durableStartGate(gate)
                    .handler("echo", String.class, argument -> argument).build()) {
                assertThatThrownBy(() -> orchestrator.to(String.class).durable("echo", "x").run())
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("start gate failed")
                        .hasCauseInstanceOf(IOException.class);
                assertThat(orchestrator.liveTasks()).isEmpty();
            }
        });
    }

    /**
     * {@code StoreAndCluster.start}: a cluster that refuses to be joined fails the build, and the store's thread is
     * stopped and the lease released first. A checked exception skipped that: the lease was held by a member nobody can
     * close (its store threads ran on).
     */
    @Test
    void aClusterWhoseAttachThrowsACheckedExceptionLeavesTheLeaseReleased() {
        SneakyStore store = new SneakyStore();
        Throwable thrown = catching(() -> TaskOrchestrator.builder().store(store).member("sneaky")
                .cluster(new SneakyCluster(Failing.ATTACH)).build());
        assertThat(thrown).isInstanceOf(IOException.class).hasMessage("the cluster could not be joined");
        assertThat(store.closed).as("the lease released").containsExactly(1L);
    }

    /**
     * {@code Incarnations.open}: a cluster that fails to claim the store's incarnation fails the build, the unused
     * incarnation released in the store; a checked exception left it held until its lease lapsed.
     */
    @Test
    void aClusterWhoseIncarnationClaimThrowsACheckedExceptionLeavesTheIncarnationReleased() {
        SneakyStore store = new SneakyStore();
        Throwable thrown = catching(() -> TaskOrchestrator.builder().store(store).member("sneaky")
                .cluster(new SneakyCluster(Failing.CLAIM_INCARNATION)).build());
        assertThat(thrown).isInstanceOf(IOException.class);
        assertThat(store.closed).as("the unused incarnation released").containsExactly(1L);
    }

    /**
     * {@code DurableEnds.decoded}: a stored result the codec cannot read is refused with an
     * {@link IllegalArgumentException} naming the task and its handler, as {@code storedResult} says; a checked
     * exception reached the caller as it was.
     */
    @Test
    void aStoredResultTheCodecCannotDecodeWithACheckedExceptionIsRefusedAsAnyOther() {
        SneakyStore store = new SneakyStore();
        TaskId id = TaskId.parse("1-9");
        store.durables.put(id, new DurableRecord(id.value(), "echo", "x", "COMPLETED", 1, 1, "garbled", null,
                System.currentTimeMillis(), 0, null));
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("sneaky")
                .durableCodec(new Plain("garbled")).handler("echo", String.class, argument -> argument).build()) {
            assertThatThrownBy(() -> orchestrator.storedResult(id, String.class))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handler 'echo'")
                    .hasCauseInstanceOf(IOException.class);
        }
    }

    /**
     * {@code DurableReruns.start}: an orphan claimed here whose run cannot start (the store fails to read its record)
     * is kept and started at the next look; this member owns it, and nobody else runs it while its lease is renewed.
     * A checked exception lost it: owned here and never run, pending for as long as this member lives.
     */
    @Test
    void aClaimedOrphanWhoseRecordTheStoreFailsToReadWithACheckedExceptionRunsAtTheNextLook() {
        SneakyStore store = new SneakyStore();
        TaskId id = TaskId.of(5, 1); // submitted by a member gone since
        store.orphan.set(new DurableRecord(id.value(), "echo", "x", "PENDING", 1, 1, null, null,
                System.currentTimeMillis(), 0, null));
        store.findFailsOnce.set(true);
        CountDownLatch ran = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).member("sneaky")
                .storeLease(Duration.ofSeconds(3)).storeFlushInterval(Duration.ofMillis(20)).durableCodec(new Plain())
                .handler("echo", String.class, argument -> {
                    ran.countDown();
                    return argument;
                }).build()) {
            await().atMost(HANG).alias("the claimed orphan run").until(() -> ran.getCount() == 0);
            assertThat(store.findFailsOnce).as("its first start failed").isFalse();
        }
    }

    /**
     * {@code ClusterPlacement.start}: what the cluster's {@code onStarted} throws is logged ({@link ClusterHost}'s
     * javadoc), and the placed task runs; a checked exception failed the task's body instead, its handler never run.
     */
    @Test
    void aPlacedTaskWhoseStartCannotBeReportedWithACheckedExceptionRunsAllTheSame() {
        SneakyCluster cluster = new SneakyCluster(Failing.NOTHING);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .handler("echo", String.class, argument -> argument).build()) {
            CompletableFuture<RemoteOutcome> ended = new CompletableFuture<>();
            cluster.host().get().start(new RemoteInvocation("echo", "x", "placed", null, TaskPriority.NORMAL, Map.of(),
                    "there/1-1"), () -> {
                        throw sneaky(new IOException("the placing member is out of reach"));
                    }, ended::complete);
            RemoteOutcome outcome = assertTimeoutPreemptively(HANG, () -> ended.get());
            assertThat(outcome.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(outcome.value()).isEqualTo("x");
        }
    }

    /**
     * {@code PipelineSenders.emitAll(Stream)}: a stream handed to an emitter past its run is closed all the same, and
     * what its close throws is suppressed by the refusal; a checked exception out of its {@code onClose} replaced the
     * refusal.
     */
    @Test
    void aStreamWhoseCloseThrowsACheckedExceptionPastTheRunKeepsTheRefusal() {
        AtomicReference<Emitter<Integer>> kept = new AtomicReference<>();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            orchestrator.emits(Integer.class).sequence().sender(kept::set)
                    .receiver((event, collector) -> collector.collect(event.data(), event.data())).awaitFinalEvent();
        }
        Stream<Integer> stream = Stream.of(1).onClose(() -> {
            throw sneaky(new IOException("the stream's close failed"));
        });
        Throwable thrown = catching(() -> {
            try {
                kept.get().emitAll(stream);
            }
            catch (InterruptedException ex) {
                throw new AssertionError(ex);
            }
        });
        assertThat(thrown).as("the refusal").isNotNull().isNotInstanceOf(IOException.class);
        assertThat(thrown.getSuppressed()).singleElement()
                .satisfies(suppressed -> assertThat(suppressed).hasMessage("the stream's close failed"));
    }

    private static Throwable catching(Runnable code) {
        try {
            code.run();
            return null;
        }
        catch (Throwable t) {
            return t;
        }
    }

    /**
     * A task store that keeps the ends written ({@code status/result}, {@code no result} for none) and the incarnations
     * closed; its {@code save} throws a checked exception if {@code saveFails}, its ends one if their result holds
     * {@code refusedResult}. A class, not a {@link java.lang.reflect.Proxy}: a proxy wraps a checked exception its
     * method does not declare in an unchecked one.
     */
    private static final class SneakyStore implements TaskStore {
        final Map<TaskId, String> ended = new ConcurrentHashMap<>();
        final Set<Long> closed = ConcurrentHashMap.newKeySet();
        final Map<TaskId, DurableRecord> durables = new ConcurrentHashMap<>();
        final AtomicReference<DurableRecord> orphan = new AtomicReference<>();
        final AtomicBoolean findFailsOnce = new AtomicBoolean();
        volatile boolean saveFails;
        volatile boolean enqueueFails;
        volatile boolean durableReadFails;
        volatile String refusedResult;

        @Override
        public Incarnation open(String member, Duration lease) {
            return new Incarnation(1, member, Instant.now().plus(Duration.ofHours(1)));
        }

        @Override
        public int heartbeat(long incarnation, Duration lease) {
            return 0;
        }

        @Override
        public void close(long incarnation) {
            closed.add(incarnation);
        }

        @Override
        public void save(Collection<TaskRecord> records) {
            if (saveFails) {
                throw sneaky(new IOException("the store's save failed"));
            }
        }

        @Override
        public Optional<TaskRecord> find(TaskId id) {
            if (findFailsOnce.compareAndSet(true, false)) {
                throw sneaky(new IOException("the store's read failed"));
            }
            return Optional.empty();
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
            if (enqueueFails) {
                throw sneaky(new IOException("the store's insert failed"));
            }
        }

        @Override
        public List<DurableRecord> claimOrphans(long incarnation, Collection<String> handlers, int limit) {
            DurableRecord claimed = orphan.getAndSet(null);
            if (claimed == null) {
                return List.of();
            }
            durables.put(new TaskId(claimed.id()), claimed);
            return List.of(claimed);
        }

        @Override
        public boolean finishDurable(TaskId id, long owner, String status, String result, String failure) {
            refuse(result);
            ended.put(id, status + "/" + (result == null ? "no result" : result));
            return true;
        }

        @Override
        public boolean[] finishDurables(List<DurableEnd> ends) {
            ends.forEach(end -> refuse(end.result()));
            return TaskStore.super.finishDurables(ends);
        }

        @Override
        public Optional<DurableRecord> durable(TaskId id) {
            if (durableReadFails) {
                throw sneaky(new IOException("the store's read failed"));
            }
            return Optional.ofNullable(durables.get(id));
        }

        @Override
        public List<TaskId> owned(long incarnation, TaskId after, int limit) {
            if (durableReadFails) {
                throw sneaky(new IOException("the store's read failed"));
            }
            return List.of();
        }

        private void refuse(String result) {
            if (result != null && refusedResult != null && result.contains(refusedResult)) {
                throw sneaky(new IOException("the result is too large for its column"));
            }
        }
    }

    /** Strings as they are; decoding {@code undecodable} throws a checked exception. */
    private record Plain(String undecodable) implements DurableCodec {
        Plain() {
            this(null);
        }

        @Override
        public String encode(Object value) {
            return String.valueOf(value);
        }

        @Override
        public <T> T decode(String text, Class<T> type) {
            if (text.equals(undecodable)) {
                throw sneaky(new IOException("cannot decode " + text));
            }
            return type.cast(text);
        }
    }

    /** Which call of {@link SneakyCluster} throws a checked exception. */
    private enum Failing { NOTHING, CANCEL, ATTACH, CLAIM_INCARNATION }

    /**
     * A cluster of this member alone whose {@code failing} call throws a checked exception; {@code host}, the
     * orchestrator it is attached to.
     */
    private static final class SneakyCluster extends QuietCluster {
        private final Failing failing;
        private final AtomicReference<ClusterHost> host = new AtomicReference<>();

        SneakyCluster(Failing failing) {
            this.failing = failing;
        }

        AtomicReference<ClusterHost> host() {
            return host;
        }

        @Override
        public void attach(ClusterHost host) {
            if (failing == Failing.ATTACH) {
                throw sneaky(new IOException("the cluster could not be joined"));
            }
            this.host.set(host);
        }

        @Override
        public long incarnation() {
            return 3;
        }

        @Override
        public long claimIncarnation(long proposed) {
            if (failing == Failing.CLAIM_INCARNATION) {
                throw sneaky(new IOException("the cluster's engine failed"));
            }
            return proposed;
        }

        @Override
        public boolean cancel(TaskId id) {
            if (failing == Failing.CANCEL) {
                throw sneaky(new IOException("the cluster's engine failed"));
            }
            return false;
        }
    }
}
