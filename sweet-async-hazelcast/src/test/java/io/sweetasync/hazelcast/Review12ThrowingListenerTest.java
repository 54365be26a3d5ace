package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskStatus;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Throwing user callbacks where placed work runs: a listener on the chosen member that throws (an exception, then an
 * error) at every step of every task does not keep the placing member's handle from its value or its end.
 */
@Timeout(120)
class Review12ThrowingListenerTest {

    private TestCluster test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void aListenerThatThrowsWhereTheWorkRunsKeepsNoHandleWaiting() throws Exception {
        test = TestCluster.start(2, (index, builder) -> index == 0 ? builder : builder.listener(new TaskListener() {
            @Override
            public void onCreated(TaskInfo task) {
                throw new IllegalStateException("listener onCreated");
            }

            @Override
            public void onStarted(TaskInfo task) {
                throw new AssertionError("listener onStarted");
            }

            @Override
            public void onFinished(TaskInfo task) {
                throw new IllegalStateException("listener onFinished");
            }
        }));
        TestCluster.Member a = test.busyFirst();
        TestCluster.Member b = test.get(1);
        for (int i = 0; i < 5; i++) {
            SpawningTask<String> placed = a.orchestrator.to(String.class).anywhere().run("where", "x");
            assertThat(placed.get(30, TimeUnit.SECONDS)).isEqualTo(b.name);
            SpawningTask<String> failing = a.orchestrator.to(String.class).anywhere().run("fail", "boom");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> failing.status().isTerminal());
            assertThat(failing.status()).isEqualTo(TaskStatus.FAILED);
        }
    }
}
