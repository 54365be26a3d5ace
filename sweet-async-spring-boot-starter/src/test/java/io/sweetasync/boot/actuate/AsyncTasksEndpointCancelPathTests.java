package io.sweetasync.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint.CancelDescriptor;
import io.sweetasync.boot.actuate.AsyncTasksEndpointLostCancelTests.EndsNotYetWritten;
import io.sweetasync.hazelcast.HazelcastTaskCluster;
import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.MemberSnapshot;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.TaskCluster;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The way a cancel by id takes: this member's live trees, looked at once, else the cluster, asked as
 * {@link TaskOrchestrator#cancel(TaskId)} asks it.
 */
@Timeout(60)
class AsyncTasksEndpointCancelPathTests {

    /** A task of another member: no member here holds it. */
    private static final String ELSEWHERE = "9-42";

    /**
     * A cluster that cannot be asked any more (detached as its member closes, or its engine failed):
     * {@code TaskOrchestrator.cancel} answers false then; the endpoint let the exception out (a 500).
     */
    @Test
    void aClusterThatCannotBeAskedAnswersNotFoundForAnUnknownTask() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator, new StubCluster(null));

            assertThat(endpoint.cancel(ELSEWHERE)).as("no member could be asked: 404, as for an unknown task")
                    .isNull();
            assertThat(orchestrator.cancel(TaskId.parse(ELSEWHERE))).as("as the orchestrator answers").isFalse();
        }
    }

    /**
     * The same with a real Hazelcast member whose cluster was detached from its orchestrator (as it is when the
     * orchestrator closes, the endpoint still serving): asking it throws, and the endpoint, made either way, answered
     * 500; it answers 404.
     */
    @Test
    void aRealDetachedClusterAnswersNotFound() {
        Config config = new Config();
        config.setClusterName("cancel-path-" + UUID.randomUUID());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        try {
            HazelcastTaskCluster cluster = new HazelcastTaskCluster(member);
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster).build()) {
                cluster.detach();

                assertThat(new AsyncTasksEndpoint(orchestrator, cluster).cancel(ELSEWHERE)).isNull();
                assertThat(new AsyncTasksEndpoint(orchestrator).cancel(ELSEWHERE)).isNull();
            }
        }
        finally {
            member.shutdown();
        }
    }

    /** The same for a task the store lists live (its end not written yet) that no member here holds. */
    @Test
    void aClusterThatCannotBeAskedAnswersNotFoundForATaskTheStoreListsLive() throws Exception {
        EndsNotYetWritten store = new EndsNotYetWritten();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store).historySize(0).build()) {
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator, new StubCluster(null));
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> {
                release.await();
                return 1;
            });
            assertThat(orchestrator.flushStore()).isTrue();
            release.countDown();
            task.join();
            awaitGone(orchestrator);
            assertThat(orchestrator.find(task.id()).orElseThrow().status().isTerminal())
                    .as("the store's record still says live").isFalse();

            assertThat(endpoint.cancel(task.id().toString())).isNull();
        }
    }

    /**
     * An endpoint made with the one-argument constructor over an orchestrator in a cluster cancels a task of
     * another member as {@code orchestrator.cancel(id)} does, through the orchestrator's cluster: it answered 404.
     */
    @Test
    void theOneArgumentEndpointCancelsThroughTheOrchestratorsCluster() {
        StubCluster cluster = new StubCluster(Set.of(ELSEWHERE));
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster).build()) {
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator);

            CancelDescriptor answer = endpoint.cancel(ELSEWHERE);

            assertThat(answer).isEqualTo(new CancelDescriptor(ELSEWHERE, true, null));
            assertThat(cluster.asked).containsExactly(ELSEWHERE);
            assertThat(endpoint.cancel("9-43")).as("no member runs it").isNull();
        }
    }

    /** A detached cluster behind the one-argument endpoint: 404, as orchestrator.cancel answers false. */
    @Test
    void theOneArgumentEndpointOverADetachedClusterAnswersNotFound() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(new StubCluster(null)).build()) {
            assertThat(new AsyncTasksEndpoint(orchestrator).cancel(ELSEWHERE)).isNull();
        }
    }

    /**
     * A cancel looks for the task in this member's live trees once, and builds no snapshot of it: the endpoint first
     * read the task with its whole subtree (its progress values and its children's, on the request's thread) only to
     * see whether it was live here, then looked it up again to cancel it.
     */
    @Test
    void aCancelBuildsNoSnapshotOfTheTaskNorOfItsSubtree() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator);
            Thread requester = Thread.currentThread();
            AtomicReference<SpawningTask<Integer>> root = new AtomicReference<>();
            AtomicInteger readsBeforeTheCancel = new AtomicInteger();
            CountDownLatch running = new CountDownLatch(4);
            CountDownLatch never = new CountDownLatch(1);
            root.set(orchestrator.to(Integer.class).named("root").run(() -> {
                TaskContext task = TaskContext.current().orElseThrow();
                task.progress("rows", () -> countRead(requester, root, readsBeforeTheCancel));
                for (int i = 0; i < 3; i++) {
                    task.child(Integer.class).named("part").run(() -> {
                        TaskContext.current().orElseThrow()
                                .progress("rows", () -> countRead(requester, root, readsBeforeTheCancel));
                        running.countDown();
                        never.await();
                        return 1;
                    });
                }
                running.countDown();
                never.await();
                return 0;
            }));
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

            CancelDescriptor answer = endpoint.cancel(root.get().id().toString());

            assertThat(answer.cancelled()).isTrue();
            assertThat(readsBeforeTheCancel.get()).as("progress values read on the request's thread").isZero();
            assertThat(root.get().toCompletableFuture().handle((value, failure) -> failure).get(30, TimeUnit.SECONDS))
                    .isNotNull();
        }
    }

    private static long countRead(Thread requester, AtomicReference<SpawningTask<Integer>> root, AtomicInteger reads) {
        if (Thread.currentThread() == requester && !root.get().isDone()) {
            reads.incrementAndGet();
        }
        return 1;
    }

    private static void awaitGone(TaskOrchestrator orchestrator) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (orchestrator.liveCount() > 0 && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertThat(orchestrator.liveCount()).as("the task left memory").isZero();
    }

    /**
     * A cluster whose other members run the tasks of {@code elsewhere}; null: detached, every question throws, as
     * {@code HazelcastTaskCluster} does once its member closed.
     */
    private static final class StubCluster implements TaskCluster {

        private final Set<String> elsewhere;
        final Set<String> asked = ConcurrentHashMap.newKeySet();

        StubCluster(Set<String> elsewhere) {
            this.elsewhere = elsewhere;
        }

        @Override
        public void attach(ClusterHost host) {
        }

        @Override
        public long incarnation() {
            return 1;
        }

        @Override
        public String memberName() {
            return "here";
        }

        @Override
        public PlacedTask place(RemoteInvocation invocation) {
            return null;
        }

        @Override
        public List<MemberSnapshot> members() {
            return List.of();
        }

        @Override
        public boolean cancel(TaskId id) {
            if (elsewhere == null) {
                throw new IllegalStateException("this member no longer serves the cluster");
            }
            asked.add(id.toString());
            return elsewhere.contains(id.toString());
        }

        @Override
        public void detach() {
        }
    }
}
