package io.sweetasync.review13;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review13RuntimeSparesProbeTest {

    @Test
    void virtualSparesOnlyNestedWaitsAndRunaways() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.platform("p0", 1, 0)).build()) {
            for (int round = 0; round < 5; round++) {
                assertThat(level(o, 0)).isEqualTo(10);
            }
            CountDownLatch hold = new CountDownLatch(1);
            List<SpawningTask<Integer>> stuck = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    stuck.add(o.to(Integer.class).runtime("p0").timeout(Duration.ofMillis(50)).run(() -> {
                        while (true) {
                            try {
                                hold.await();
                                return 1;
                            }
                            catch (InterruptedException ignored) {
                            }
                        }
                    }));
                }
                for (SpawningTask<Integer> t : stuck) {
                    t.result();
                    assertThat(t.status()).isEqualTo(TaskStatus.TIMED_OUT);
                }
                System.out.println("after runaways " + o.runtimes().get("p0").snapshot() + " runaways " + o.runaways().size());
                assertThat(level(o, 0)).isEqualTo(10);
                System.out.println("after level " + o.runtimes().get("p0").snapshot());
                Thread.sleep(200);
                System.out.println("later " + o.runtimes().get("p0").snapshot() + " runaways " + o.runaways().size());
            }
            finally {
                hold.countDown();
            }
        }
    }

    private static int level(TaskOrchestrator o, int depth) {
        if (depth == 10) {
            return depth;
        }
        return o.to(Integer.class).runtime("p0").detached().run(() -> level(o, depth + 1)).join();
    }

    @Test
    void configurationEdges() {
        for (int[] c : new int[][] { { 0, 1 }, { -1, 1 }, { 1, -1 }, { Integer.MAX_VALUE, 1 }, { 1, Integer.MAX_VALUE } }) {
            try {
                TaskRuntime r = TaskRuntime.platform("x", c[0], c[1]);
                System.out.println(c[0] + "," + c[1] + " -> " + r + " " + r.parallelism());
            }
            catch (RuntimeException ex) {
                System.out.println(c[0] + "," + c[1] + " refused: " + ex.getMessage());
            }
        }
    }
}
