package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Examples of the public API's javadoc, as written (between the markers), so that a user who copies one gets
 * code that compiles and does what the javadoc says. Stand-ins are declared around them.
 */
class JavadocExamplesTest {

    private TaskOrchestrator orchestrator;
    private TaskOrchestrator previous;

    @BeforeEach
    void useOwnGlobal() {
        orchestrator = TaskOrchestrator.builder().build();
        previous = TaskOrchestrator.setGlobal(orchestrator);
    }

    @AfterEach
    void restoreGlobal() {
        TaskOrchestrator.setGlobal(previous);
        orchestrator.close();
    }

    @Test
    void taskContext(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a"), new byte[3]);
        List<Path> files = List.of(dir.resolve("a"), dir.resolve("missing"));
        SpawningTask<Long> counted =
        // --- javadoc: TaskContext ---
        AsyncTask.to(Long.class).named("sum-files").run(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            for (Path file : files) {
                ctx.child(Long.class).named("size").run(() -> Files.size(file));
            }
            return ctx.joinChildren().stream().filter(TaskResult::isOk).count();
        });
        // --- end ---
        assertThat(counted.join()).as("children that succeeded").isEqualTo(1L);
        LongAdder[] seen = new LongAdder[1];
        SpawningTask<Void> progressing = AsyncTask.to(Void.class).run(() -> {
            // --- javadoc: TaskContext.progress ---
            LongAdder rows = new LongAdder();
            TaskContext.current().orElseThrow().progress("rows", rows::sum);
            // --- end ---
            rows.add(7);
            seen[0] = rows;
            return null;
        });
        progressing.join();
        assertThat(seen[0].sum()).isEqualTo(7);
    }

    @Test
    void taskLostAndListener() {
        SpawningTask<String> done = orchestrator.to(String.class).named("x").run(() -> "x");
        done.join();
        TaskId id = done.id();
        // --- javadoc: TaskLostException ---
        orchestrator.find(id).map(TaskInfo::failure)
                .filter(f -> f.type().equals("TaskLostException"))
                .ifPresent(f -> log.warn("lost: {}", f.message()));
        // --- end ---
        // --- javadoc: TaskListener ---
        orchestrator.addListener(new TaskListener() {
            public void onFinished(TaskInfo task) {
                log.info("{} ended {} in {}", task.path(), task.status(), task.runTime());
            }
        });
        // --- end ---
        assertThat(orchestrator.find(id).map(TaskInfo::failure)).as("a completed task has no failure").isEmpty();
    }

    @Test
    void idsMetricsAndUsage() {
        // --- javadoc: TaskId ---
        SpawningTask<String> task = AsyncTask.to(String.class).run(() -> "hi");
        Optional<TaskInfo> info = TaskOrchestrator.global().find(task.id());
        TaskId same = TaskId.parse(task.id().toString());
        // --- end ---
        assertThat(same).isEqualTo(task.id());
        assertThat(info).isPresent();
        task.join();
        // --- javadoc: TaskMetrics ---
        TaskMetrics m = task.metrics();
        System.out.printf("waited %s, ran %s%n", m.queueWait(), m.runTime());
        // --- end ---
        // --- javadoc: ResourceValue ---
        ResourceValue cpu = task.metrics().cpuTimeNanos();
        if (cpu.isAvailable()) System.out.println(cpu.amount() + " ns, " + cpu.source());
        // --- end ---
        // --- javadoc: ResourceUsage ---
        orchestrator.resourceUsage().forEach(u ->
                System.out.printf("%s: %d attempts, %d ms CPU, %d MB allocated%n",
                        u.name(), u.attempts(), u.cpuNanos() / 1_000_000, u.allocatedBytes() >> 20));
        // --- end ---
        // --- javadoc: TaskOrchestrator ---
        long cpuOfImports = orchestrator.resourceUsage("order-import").map(ResourceUsage::cpuNanos).orElse(0L);
        boolean cancelled = orchestrator.cancel(TaskId.parse("1-42"));
        // --- end ---
        assertThat(cpuOfImports).isZero();
        assertThat(cancelled).isFalse();
        // --- javadoc: StoreStatistics ---
        orchestrator.storeStatistics().filter(s -> s.dropped() > 0)
                .ifPresent(s -> log.warn("{} task records were never written", s.dropped()));
        // --- end ---
        // --- javadoc: RuntimeSnapshot ---
        RuntimeSnapshot single = orchestrator.runtimes().get("single").snapshot();
        if (single.blocked() > 0) {
            log.info("{} bodies on 'single' wait; {} threads cover them", single.blocked(), single.threads());
        }
        // --- end ---
    }

    @Test
    void managedBlockOnSingle() {
        // --- javadoc: TaskRuntime.managedBlock ---
        CountDownLatch ready = new CountDownLatch(1);
        orchestrator.to(Void.class).runtime("single").run(() -> { prepare(); ready.countDown(); return null; });
        orchestrator.to(Void.class).runtime("single").run(() -> {
            TaskRuntime.managedBlock(new ForkJoinPool.ManagedBlocker() {
                public boolean block() throws InterruptedException { ready.await(); return true; }
                public boolean isReleasable() { return ready.getCount() == 0; }
            });
            return null;
        });
        // --- end ---
        assertThat(orchestrator.to(String.class).runtime("single").await(() -> "after both")).isEqualTo("after both");
    }

    @Test
    void spawningTaskChainAndCancel() {
        // --- javadoc: SpawningTask ---
        SpawningTask<Integer> count = AsyncTask.to(Integer.class).named("count").run(() -> db.count());
        SpawningTask<String> text = count.chain(n -> n + " rows");
        System.out.println(text.join());
        // --- end ---
        assertThat(text.join()).isEqualTo("3 rows");
        // --- javadoc: TaskResult ---
        String described = switch (count.result()) {
            case TaskResult.Ok<Integer>(Integer n) -> "got " + n;
            case TaskResult.Err<Integer>(AsyncTaskException e) -> "failed: " + e.getMessage();
        };
        // --- end ---
        assertThat(described).isEqualTo("got 3");
    }

    void prepare() {
    }

    interface Db {
        int count();
    }

    final Db db = () -> 3;

    /** Stands in for an SLF4J logger. */
    static final class Log {
        void info(String format, Object... arguments) {
        }

        void warn(String format, Object... arguments) {
        }
    }

    final Log log = new Log();
}
