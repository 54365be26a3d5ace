package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A value of a class the placing member cannot load (a lambda, a class of the other member only) came back as
 * Hazelcast's {@code GenericRecord}: found by a new user's trial, the handle ended COMPLETED with it and the caller met
 * a {@code ClassCastException} in its own code. It ends FAILED now, saying why.
 */
@Timeout(120)
class UnreadableValueTest {

    @Test
    void aValueWhoseClassThePlacingMemberCannotLoadFailsTheHandle() {
        try (TestCluster test = TestCluster.start(2, (index, builder) -> builder.handler("lambda", String.class,
                any -> (Runnable) () -> { }))) {
            TestCluster.Member a = test.get(0);
            for (int i = 0; i < 2; i++) {
                a.orchestrator.to(String.class).run(() -> test.hold(a.name)); // a is busier: the work goes to b
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> test.heldCount() == 2);
            TestCluster.Member b = test.get(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                io.sweetasync.hazelcast.MemberLoad seen = a.cluster.loads().of(b.hazelcast.getCluster().getLocalMember());
                return seen != null && seen.live() == 0;
            });
            SpawningTask<Runnable> task = a.orchestrator.to(Runnable.class).anywhere().run("lambda", "x");
            TaskResult<Runnable> result = task.result();
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .isInstanceOf(TaskFailedException.class).hasMessageContaining("GenericRecord")
                    .hasMessageContaining("class path"));
            test.release.countDown();
        }
    }
}
