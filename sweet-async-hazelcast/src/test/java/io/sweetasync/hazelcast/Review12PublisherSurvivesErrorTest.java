package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.RemoteOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member's load publisher runs on a scheduled executor, which stops a periodic task for good at the first throwable
 * it lets through, and keeps it in a future nobody reads: one {@code OutOfMemoryError} (or a linkage error) on that
 * thread, caught only as a {@code RuntimeException}, and the member published nothing ever after, without a word.
 * Its load then expired: no placement chose it again, views left it out and cancels by id no longer asked it, while
 * it ran on. It must publish again at the next interval.
 */
@Timeout(120)
class Review12PublisherSurvivesErrorTest {

    private HazelcastInstance a;
    private HazelcastInstance b;
    private MemberLoads loadsA;
    private MemberLoads loadsB;

    @AfterEach
    void stop() {
        for (MemberLoads loads : new MemberLoads[] { loadsA, loadsB }) {
            if (loads != null) {
                loads.stop();
            }
        }
        for (HazelcastInstance member : new HazelcastInstance[] { a, b }) {
            if (member != null) {
                member.getLifecycleService().terminate();
            }
        }
    }

    @Test
    void aMemberWhosePublisherHitAnErrorPublishesAgain() throws InterruptedException {
        String name = "loads-test-" + UUID.randomUUID();
        int base = TestCluster.freeBlock(2);
        a = Hazelcast.newHazelcastInstance(TestCluster.config(name, base, 2, 0));
        b = Hazelcast.newHazelcastInstance(TestCluster.config(name, base, 2, 1));
        loadsA = new MemberLoads(a, Duration.ofMillis(50), UUID.randomUUID());
        loadsB = new MemberLoads(b, Duration.ofMillis(50), UUID.randomUUID());
        Host hostB = new Host();
        loadsA.start(new Host());
        loadsB.start(hostB);
        Member memberB = b.getCluster().getLocalMember();
        await().atMost(Duration.ofSeconds(60)).until(() -> loadsA.isCandidate(memberB));

        hostB.fail.set(true);
        assertThat(hostB.failed.await(30, TimeUnit.SECONDS)).isTrue();
        hostB.live = 7;

        await().alias("b publishes again after the error").atMost(Duration.ofSeconds(30))
                .until(() -> loadsA.seen(memberB) != null && loadsA.seen(memberB).live() == 7);
    }

    /** A host whose {@link #limiters()} throws an {@code OutOfMemoryError} once when {@link #fail} is set. */
    private static final class Host implements ClusterHost {
        final AtomicBoolean fail = new AtomicBoolean();
        final CountDownLatch failed = new CountDownLatch(1);
        volatile int live;

        @Override
        public int liveTasks() {
            return live;
        }

        @Override
        public Set<String> handlers() {
            return Set.of("work");
        }

        @Override
        public List<TaskInfo> roots() {
            return List.of();
        }

        @Override
        public List<LimiterSnapshot> limiters() {
            if (fail.compareAndSet(true, false)) {
                failed.countDown();
                throw new OutOfMemoryError("Java heap space (thrown by the test)");
            }
            return List.of();
        }

        @Override
        public boolean cancel(TaskId id) {
            return false;
        }

        @Override
        public void membersChanged(int position, int members) {
        }

        @Override
        public TaskId start(RemoteInvocation invocation, Consumer<RemoteOutcome> onEnd) {
            throw new UnsupportedOperationException("no tasks in this test");
        }

        @Override
        public long durableOwner() {
            return 0;
        }

        @Override
        public void startDurable(TaskId id, Consumer<RemoteOutcome> onEnd) {
            throw new UnsupportedOperationException("no tasks in this test");
        }

        @Override
        public void durableEnded(TaskId id, RemoteOutcome outcome) {
        }

        @Override
        public void memberLeft(String member) {
        }
    }
}
