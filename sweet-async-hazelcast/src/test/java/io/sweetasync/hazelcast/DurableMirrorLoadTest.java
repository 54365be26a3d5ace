package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A durable task placed on another member is followed here by a mirror, no load of this member while it lives (a
 * review of the same rule for {@code anywhere()} handles): its count was given back only after it had left the live
 * count, so while its end was recorded (its {@code onFinished} listeners, its future's callbacks) this member's load
 * was one short of the work running here, and a decision taken then, or a load published then, saw it idle.
 */
@Timeout(120)
class DurableMirrorLoadTest {

    @Test
    void aMirrorsEndSeesTheWorkRunningHere() throws Exception {
        AtomicReference<TestCluster.Member> placing = new AtomicReference<>();
        List<Integer> seenAtTheMirrorsEnd = new CopyOnWriteArrayList<>();
        try (DurableMembers test = DurableMembers.start(2, (index, builder) -> index != 0 ? builder
                : builder.listener(new TaskListener() {
                    @Override
                    public void onFinished(TaskInfo task) {
                        if (task.name().equals("followed")) {
                            seenAtTheMirrorsEnd.add(placing.get().cluster.host().liveTasks());
                        }
                    }
                }))) {
            TestCluster.Member a = test.get(0);
            placing.set(a);
            CountDownLatch stop = new CountDownLatch(1);
            SpawningTask<String> here = a.orchestrator.to(String.class).named("here").run(() -> {
                stop.await();
                return "here";
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> a.cluster.host().liveTasks() == 1);
            await().atMost(Duration.ofSeconds(30)).alias("b's idle load seen by a").until(() -> {
                MemberLoad seen = a.cluster.loads().of(test.get(1).hazelcast.getCluster().getLocalMember());
                return seen != null && seen.live() == 0 && seen.handlers().contains("first-holds");
            });
            SpawningTask<String> followed = a.orchestrator.to(String.class).named("followed")
                    .durable("first-holds", "job").run();
            await().atMost(Duration.ofSeconds(30)).until(() -> test.holding.get() == 1);
            assertThat(test.runs.get("job")).as("placed on the idle member").containsExactly(test.get(1).name);
            assertThat(a.cluster.host().liveTasks()).as("the mirror is no load here").isEqualTo(1);
            test.release.countDown();
            assertThat(followed.get(30, TimeUnit.SECONDS)).isEqualTo(test.get(1).name);
            await().atMost(Duration.ofSeconds(30)).until(() -> seenAtTheMirrorsEnd.size() == 1);
            assertThat(seenAtTheMirrorsEnd).as("a's load at the mirror's end: the task running here").containsExactly(1);
            stop.countDown();
            assertThat(here.get(30, TimeUnit.SECONDS)).isEqualTo("here");
        }
    }
}
