package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's usage snippets, as written (between the markers), so that they keep compiling and doing
 * what the README says. Stand-in types are declared below them.
 */
class ReadmeSnippetsTest {

    record Report(String text) {
        static Report empty() {
            return new Report("");
        }

        String summary() {
            return "summary of " + text;
        }
    }

    record User(String id) {
    }

    record Price(long cents) {
    }

    final YearMonth month = YearMonth.of(2026, 11);
    final String id = "u1";
    interface Reports {
        Report build(YearMonth month);
    }

    interface Users {
        User load(String id);
    }

    interface Pricing {
        Price quote(String item);
    }

    final Reports reports = m -> new Report("report " + m);
    final Users users = User::new;
    final Pricing pricing = item -> new Price(item.length());
    final String item = "book";

    int count() {
        return 3;
    }

    private TaskOrchestrator previous;
    private TaskOrchestrator orchestratorForGlobal;

    @BeforeEach
    void useOwnGlobal() {
        orchestratorForGlobal = TaskOrchestrator.builder().build();
        previous = TaskOrchestrator.setGlobal(orchestratorForGlobal);
    }

    @AfterEach
    void restoreGlobal() {
        TaskOrchestrator.setGlobal(previous);
        orchestratorForGlobal.close();
    }

    @Test
    void singleTasks() throws Exception {
        // --- README: Single tasks ---
        // Run now, get a handle at once.
        SpawningTask<Report> task = AsyncTask.to(Report.class)
                .named("monthly-report")
                .timeout(Duration.ofSeconds(30))                       // interrupts the work on expiry
                .retry(RetryPolicy.exponential(3, Duration.ofMillis(200), Duration.ofSeconds(2))
                        .withJitter(0.2)
                        .retryOn(IOException.class))
                .fallback(error -> Report.empty())                      // after the last attempt
                .priority(TaskPriority.HIGH)
                .run(() -> reports.build(month));

        Report report = task.join();                                   // or result(), get(), toCompletableFuture()

        // Run and wait.
        User user = AsyncTask.to(User.class).named("load-user").await(() -> users.load(id));

        // Handle the outcome without exceptions.
        String text = AsyncTask.to(Integer.class).awaitResult(() -> count(), result -> switch (result) {
            case TaskResult.Ok<Integer>(Integer n) -> n + " rows";
            case TaskResult.Err<Integer>(AsyncTaskException e) -> "failed: " + e.getMessage();
        });

        // Continue with the value; failures pass through.
        SpawningTask<String> summary = task.chain(Report::summary);
        // --- end ---
        assertThat(report.text()).isEqualTo("report 2026-11");
        assertThat(user.id()).isEqualTo("u1");
        assertThat(text).isEqualTo("3 rows");
        assertThat(summary.join()).isEqualTo("summary of report 2026-11");
    }

    @Test
    void retriesPerErrorType() {
        // --- README: Retries per error type ---
        RetryPolicy policy = RetryPolicy
                .when(SocketTimeoutException.class, RetryPolicy.fixed(5, Duration.ofMillis(50)))
                .when(IOException.class, RetryPolicy.exponential(2, Duration.ofMillis(200), Duration.ofSeconds(1)));
        // any other exception: no retry. Cancelled or timed-out tasks are never retried.
        // --- end ---
        assertThat(policy.nextDelay(5, new SocketTimeoutException())).hasValue(Duration.ofMillis(50));
        assertThat(policy.nextDelay(1, new IllegalStateException())).isEmpty();
    }

    @Test
    void taskTrees(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a"), new byte[10]);
        Files.write(dir.resolve("b"), new byte[32]);
        List<Path> files = List.of(dir.resolve("a"), dir.resolve("b"));
        // --- README: Task trees ---
        long total = AsyncTask.to(Long.class).named("sum-sizes").await(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            for (Path file : files) {
                ctx.child(Long.class).named("size").run(() -> Files.size(file));
            }
            return ctx.joinChildren().stream()
                    .filter(TaskResult::isOk)
                    .mapToLong(r -> (Long) r.orElseThrow())
                    .sum();
        });
        // --- end ---
        assertThat(total).isEqualTo(42);
    }

    @Test
    void concurrencyGroups() {
        // --- README: Concurrency groups and adaptive limits ---
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("pricing", LimiterConfig.defaults()                 // ADAPTIVE, initial 20, 1..1000
                        .withLimits(8, 2, 64)
                        .withQueueCapacity(200)
                        .withMaxWait(Duration.ofSeconds(2)))
                .build();
        Price price = orchestrator.to(Price.class).group("pricing").await(() -> pricing.quote(item));
        orchestrator.limiters().forEach(g -> System.out.println(g.group() + " limit " + g.limit() + " (" + g.phase()
                + ", baseline " + g.baselineLatency() + ", capacity " + g.estimatedCapacity() + "/s), " + g.queued() + " queued"));
        // --- end ---
        assertThat(price.cents()).isEqualTo(4);
        assertThat(orchestrator.limiters()).singleElement().satisfies(g -> assertThat(g.limit()).isEqualTo(8));
        orchestrator.close();
    }

    @Test
    void resourceFigures() {
        // --- README: Resource figures ---
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE)   // default: MEASURE (no JFR)
                .listener(new TaskListener() {
                    public void onResourcesUpdated(TaskInfo task) {      // figures PENDING in onFinished arrived
                        log.info("{} read {} bytes", task.path(), task.metrics().bytesRead().amount());
                    }
                })
                .build();
        TaskMetrics m = orchestrator.to(Report.class).run(() -> build()).metrics();
        orchestrator.resourceUsage();   // totals per task name
        orchestrator.resourceUsage("order-import");   // one name's totals (Optional)
        // --- end ---
        assertThat(m.queueWait()).isNotNull();
        assertThat(orchestrator.resourceUsage("order-import")).isEmpty();
        assertThat(m.bytesRead().isPending() || m.bytesRead().equals(ResourceValue.unavailable())).isTrue();
        orchestrator.close();
    }

    @Test
    void runtimes() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        // --- README: Runtimes ---
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .runtime(TaskRuntime.platform("cpu", 4))
                .runtime(TaskRuntime.executor("legacy", pool))
                .runtime(TaskRuntime.platform("spares", 2, 8))            // TaskRuntime.platform(name, threads, maxSpareThreads)
                .build();
        // --- end ---
        try (orchestrator) {
            assertThat(orchestrator.to(String.class).runtime("cpu").await(() -> Thread.currentThread().isVirtual() + ""))
                    .isEqualTo("false");
            assertThat(orchestrator.to(String.class).runtime("legacy").await(() -> "ran on legacy")).isEqualTo("ran on legacy");
            assertThat(orchestrator.to(String.class).runtime("spares").await(() -> "ran on spares")).isEqualTo("ran on spares");
        } finally {
            pool.shutdown();
        }
    }

    Report build() {
        return new Report("built");
    }

    /** Stands in for an SLF4J logger. */
    static final class Log {
        void info(String format, Object... arguments) {
        }
    }

    final Log log = new Log();
}
