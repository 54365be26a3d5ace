package io.sweetasync.jdbc.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A finding of the hostile trial with a real crash (a child JVM killed with SIGKILL); see {@link TrialKillNineTest}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TrialKillNineFindingsTest {

    @TempDir
    Path dir;

    /**
     * "runs lost with a process count as attempts toward the retries" and "TaskContext.attempt() counting up":
     * attempts 1 and 2 failed and attempt 3 was running when the process died; the policy allows four attempts,
     * so the next start runs attempt 4, and when that fails too the task ends FAILED.
     */
    @Test
    void afterKillNineTheRunsMadeBeforeTheCrashCountTowardsTheRetries() throws Exception {
        String[] ids = TrialKillNineTest.runAndKill(dir, "retry");
        TaskId id = TaskId.parse(ids[1]);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        HikariDataSource pool = TrialSupport.pool(dir);
        try (pool; TaskOrchestrator next = TrialSupport.member(TrialSupport.store(pool), "next")
                .handler("retrying", String.class, s -> {
                    attempts.add(TaskContext.current().orElseThrow().attempt());
                    throw new IOException("still failing");
                }).build()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> next.storedResult(id, String.class).isPresent());
            assertThat(next.storedResult(id, String.class).orElseThrow().isOk()).isFalse();
            assertThat(attempts).as("attempts run by the next start").containsExactly(4);
        }
    }

}
