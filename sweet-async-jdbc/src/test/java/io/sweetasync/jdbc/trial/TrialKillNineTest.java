package io.sweetasync.jdbc.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.jdbc.JdbcTaskStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: a child JVM runs a durable task, an ordinary task and has a finished durable task in a file-based
 * H2 store; it is killed with SIGKILL; the next start (this JVM) on the same file re-runs the durable task (same id,
 * attempt 2), ends the ordinary one FAILED with TaskLostException, and reads the finished one's result.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TrialKillNineTest {

    @TempDir
    Path dir;

    /** The child: prints "READY quick slow plain" once all three are where the test wants them, then waits. */
    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(60_000);
            }
            catch (InterruptedException ignored) {
                // halt anyway
            }
            Runtime.getRuntime().halt(3);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        HikariDataSource pool = TrialSupport.pool(Path.of(args[0]));
        JdbcTaskStore store = TrialSupport.store(pool);
        if (args.length > 1 && args[1].equals("retry")) {
            retryThenDie(store);
            return;
        }
        CountDownLatch running = new CountDownLatch(2);
        TaskOrchestrator child = TrialSupport.member(store, "child").handler("slow", String.class, s -> {
            running.countDown();
            new CountDownLatch(1).await();
            return "never";
        }).handler("quick", String.class, s -> "quick " + s).handler("instant", String.class, s -> {
            new CountDownLatch(1).await();
            return "never";
        }).build();
        SpawningTask<String> quick = child.to(String.class).durable("quick", "q").run();
        quick.join();
        SpawningTask<String> slow = child.to(String.class).named("slow-job").tag("tenant", "acme")
                .timeout(Duration.ofSeconds(30)).retry(RetryPolicy.fixed(2, Duration.ofMillis(5)))
                .durable("slow", "s").run();
        SpawningTask<String> plain = child.to(String.class).named("plain").run(() -> {
            running.countDown();
            new CountDownLatch(1).await();
            return "never";
        });
        if (!running.await(20, TimeUnit.SECONDS) || !child.flushStore()) {
            System.out.println("FAILED to get ready");
            Runtime.getRuntime().halt(2);
        }
        // stored before run() returns: killed right after, before any flush, it still runs on the next start
        SpawningTask<String> instant = child.to(String.class).durable("instant", "i").run();
        System.out.println("READY " + quick.id() + " " + slow.id() + " " + plain.id() + " " + instant.id());
        System.out.flush();
        Thread.sleep(120_000);
    }

    /**
     * The child of {@link TrialKillNineFindingsTest}: a durable task retried
     * on IOException three times (four attempts in all); attempts 1 and 2 fail, attempt 3 hangs until the kill.
     */
    private static void retryThenDie(JdbcTaskStore store) throws Exception {
        CountDownLatch third = new CountDownLatch(1);
        TaskOrchestrator child = TrialSupport.member(store, "child").handler("retrying", String.class, s -> {
            int attempt = TaskContext.current().orElseThrow().attempt();
            System.out.println("ATTEMPT " + attempt);
            if (attempt < 3) {
                throw new IOException("attempt " + attempt + " fails");
            }
            third.countDown();
            new CountDownLatch(1).await();
            return "never";
        }).build();
        SpawningTask<String> task = child.to(String.class)
                .retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(3, Duration.ofMillis(5))))
                .durable("retrying", "r").run();
        if (!third.await(20, TimeUnit.SECONDS) || !child.flushStore()) {
            System.out.println("FAILED to get ready");
            Runtime.getRuntime().halt(2);
        }
        System.out.println("READY " + task.id());
        System.out.flush();
        Thread.sleep(120_000);
    }

    /** Starts the child in {@code mode}, waits for its READY line, kills it with SIGKILL; returns the line's ids. */
    static String[] runAndKill(Path dir, String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath,
                TrialKillNineTest.class.getName(), dir.toString(), mode).redirectErrorStream(true).start();
        try {
            BlockingQueue<String> ready = new ArrayBlockingQueue<>(1);
            List<String> output = new CopyOnWriteArrayList<>();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = reader.readLine()) != null;) {
                        output.add(line);
                        if (line.startsWith("READY ")) {
                            ready.offer(line);
                        }
                    }
                }
                catch (IOException ignored) {
                    // the process was killed
                }
            });
            String line = ready.poll(40, TimeUnit.SECONDS);
            assertThat(line).as("the child got ready: %s", output).isNotNull();
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no last write
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            System.out.println("child said: " + output);
            return line.split(" ");
        }
        finally {
            process.destroyForcibly();
        }
    }

    @Test
    void afterKillNineTheDurableTaskRunsAgainAndTheRestIsReadable() throws Exception {
        String[] ids = runAndKill(dir, "basic");
        TaskId quick = TaskId.parse(ids[1]);
        TaskId slow = TaskId.parse(ids[2]);
        TaskId plain = TaskId.parse(ids[3]);
        TaskId instant = TaskId.parse(ids[4]);

        List<String> reRuns = new CopyOnWriteArrayList<>();
        HikariDataSource pool = TrialSupport.pool(dir);
        try (pool; TaskOrchestrator next = TrialSupport.member(TrialSupport.store(pool), "next")
                .handler("slow", String.class, s -> {
                    TaskContext context = TaskContext.current().orElseThrow();
                    reRuns.add(context.attempt() + " " + context.id() + " " + context.name());
                    return "done " + s;
                }).handler("quick", String.class, s -> "quick again")
                .handler("instant", String.class, s -> "instant " + s).build()) {
            assertThat(next.storedResult(quick, String.class).orElseThrow().orElseThrow()).isEqualTo("quick q");
            assertThat(next.find(quick).map(TaskInfo::status)).hasValue(TaskStatus.COMPLETED);
            await().atMost(Duration.ofSeconds(20)).until(() -> next.storedResult(slow, String.class).isPresent());
            assertThat(next.storedResult(slow, String.class).orElseThrow().orElseThrow()).isEqualTo("done s");
            assertThat(reRuns).containsExactly("2 " + slow + " slow-job");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                TaskInfo lost = next.find(plain).orElseThrow();
                assertThat(lost.status()).isEqualTo(TaskStatus.FAILED);
                assertThat(lost.failure().type()).isEqualTo("TaskLostException");
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> next.storedResult(instant, String.class).isPresent());
            assertThat(next.storedResult(instant, String.class).orElseThrow().orElseThrow()).isEqualTo("instant i");
            assertThat(next.flushStore()).isTrue();
            TaskInfo reRun = next.find(slow).orElseThrow();
            assertThat(reRun.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(reRun.attempts()).isEqualTo(2);
            assertThat(reRun.tags()).containsEntry("tenant", "acme");
            TaskId fresh = next.to(String.class).run(() -> "x").id();
            assertThat(fresh.incarnation()).isGreaterThan(slow.incarnation());
        }
    }
}
