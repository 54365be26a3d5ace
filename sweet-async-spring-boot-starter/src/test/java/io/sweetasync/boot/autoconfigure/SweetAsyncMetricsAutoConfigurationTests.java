package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.micrometer.SweetAsyncMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SweetAsyncMetricsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncMetricsAutoConfiguration.class))
            .withPropertyValues("sweet.async.groups.pricing.algorithm=fixed", "sweet.async.groups.pricing.initial-limit=3",
                    "sweet.async.groups.pricing.max-limit=3");

    @Test
    void tasksLimitersAndResourcesAreMeteredWithBoundedTags() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            orchestrator.to(Integer.class).named("quote").group("pricing").runtime("platform").await(() -> 1);
            SpawningTask<Integer> failed = orchestrator.to(Integer.class).named("quote").group("pricing").run(() -> {
                throw new IOException("down");
            });
            failed.result();

            Timer completed = registry.get("sweet.async.tasks")
                    .tags("name", "quote", "group", "pricing", "outcome", "completed").timer();
            assertThat(completed.count()).isEqualTo(1);
            assertThat(completed.getId().getDescription()).isNotBlank();
            assertThat(registry.get("sweet.async.tasks").tags("outcome", "failed").timer().count()).isEqualTo(1);
            assertThat(registry.get("sweet.async.tasks").meters())
                    .allSatisfy(meter -> assertThat(meter.getId().getTags()).noneMatch(tag -> tag.getKey().equals("id")));

            Gauge limit = registry.get("sweet.async.limit").tag("group", "pricing").gauge();
            assertThat(limit.value()).isEqualTo(3);
            assertThat(limit.getId().getBaseUnit()).isEqualTo("tasks");
            assertThat(registry.get("sweet.async.limit.inflight").tag("group", "pricing").gauge().value()).isZero();
            assertThat(registry.get("sweet.async.limit.rejected").tag("group", "pricing").functionCounters())
                    .extracting(counter -> counter.getId().getTag("reason"))
                    .containsExactlyInAnyOrder("queue_full", "wait_timeout", "shutdown");
            assertThat(registry.get("sweet.async.limit.rejected").tags("group", "pricing", "reason", "queue_full")
                    .functionCounter().count()).isZero();
            assertThat(registry.get("sweet.async.limit.baseline").tag("group", "pricing").timeGauge().value())
                    .as("FIXED keeps no baseline").isZero();
            assertThat(registry.get("sweet.async.limit.capacity").tag("group", "pricing").gauge().value()).isZero();
            assertThat(registry.get("sweet.async.limit.wait").tag("group", "pricing").functionTimer().count()).isEqualTo(2);
            assertThat(registry.get("sweet.async.tasks.active").gauge().value()).isZero();
            assertThat(registry.get("sweet.async.tasks.queued").gauge().value()).isZero();
            assertThat(registry.get("sweet.async.tasks.runaway").gauge().value()).isZero();
            assertThat(registry.get("sweet.async.runtime.threads").tag("runtime", "single").gauge().value()).isZero();
            assertThat(registry.get("sweet.async.runtime.blocked").tag("runtime", "platform").gauge().value()).isZero();

            FunctionCounter cpu = registry.get("sweet.async.tasks.cpu").tag("name", "quote").functionCounter();
            assertThat(cpu.getId().getBaseUnit()).isEqualTo("seconds");
            assertThat(cpu.count()).isPositive();
        });
    }

    @Test
    void permitsTakenByPipelineReceivesCountAsWaitsOfTheirGroup() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            orchestrator.emits(Integer.class).named("grouped").group("pricing")
                    .sender(SenderStrategy.serial(), emitter -> emitter.emitAll(IntStream.range(0, 200).boxed().toList()))
                    .receiver(ReceiverStrategy.parallel(8), (event, collector) -> collector.collect(event.data(), 1))
                    .awaitFinalEvent();
            FunctionTimer wait = registry.get("sweet.async.limit.wait").tag("group", "pricing").functionTimer();
            assertThat(wait.count()).isEqualTo(200);
            assertThat(wait.totalTime(TimeUnit.NANOSECONDS)).isNotNegative();
        });
    }

    @Test
    void pipelinesAndPerTaskResourcesAreMetered() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            orchestrator.emits(Integer.class).named("import")
                    .sender(emitter -> emitter.emitAll(java.util.stream.IntStream.range(0, 100).boxed()))
                    .receiver((event, collector) -> {
                        if (event.data() % 10 == 0) {
                            throw new IOException("bad row");
                        }
                        collector.collect(event.data(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(registry.get("sweet.async.stream.emitted").tag("name", "import").functionCounter().count()).isEqualTo(100);
            assertThat(registry.get("sweet.async.stream.received").tag("name", "import").functionCounter().count()).isEqualTo(100);
            assertThat(registry.get("sweet.async.stream.errors").tag("name", "import").functionCounter().count()).isEqualTo(10);
            assertThat(registry.get("sweet.async.stream.buffered").tag("name", "import").gauge().value()).isZero();

            orchestrator.to(Integer.class).named("crunch").runtime("platform").await(() -> new byte[1 << 20].length);
            assertThat(registry.get("sweet.async.task.allocated").tag("name", "crunch").summary().totalAmount())
                    .isGreaterThanOrEqualTo(1 << 20);
            assertThat(registry.get("sweet.async.task.cpu").tag("name", "crunch").summary().count()).isEqualTo(1);
        });
    }

    @Test
    void sampledFiguresReachThePerTaskDistributionsWhenTheyArrive(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("data.bin"), new byte[3 << 20]);
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            SpawningTask<Integer> reader = orchestrator.to(Integer.class).named("reader").runtime("virtual")
                    .run(() -> Files.readAllBytes(file).length);
            reader.join();
            // JFR delivers the read about a second later: the distribution gets it then, once.
            await().atMost(Duration.ofSeconds(20)).until(() -> !reader.metrics().bytesRead().isPending());
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                DistributionSummary read = registry.get("sweet.async.task.io.read").tag("name", "reader").summary();
                assertThat(read.count()).isEqualTo(1);
                assertThat(read.totalAmount()).isEqualTo(reader.metrics().bytesRead().amount())
                        .isGreaterThanOrEqualTo(3 << 20);
                assertThat(registry.get("sweet.async.task.io.written").tag("name", "reader").summary().totalAmount())
                        .isZero();
            });
        });
    }

    @Test
    void taskNameTagsAreCappedSoCardinalityStaysBounded() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            for (int i = 0; i < 250; i++) {
                orchestrator.to(Integer.class).named("job-" + i).await(() -> 1);
            }
            long names = registry.get("sweet.async.tasks").timers().stream()
                    .map(timer -> timer.getId().getTag("name")).distinct().count();
            assertThat(names).isLessThanOrEqualTo(201);
            assertThat(registry.get("sweet.async.tasks").tag("name", "other").timer().count()).isPositive();
        });
    }

    /** "Tag values stay bounded" (SPEC 4) holds for groups too: a group per tenant must not make meters each. */
    @Test
    @Timeout(120)
    void groupTagsAreCappedSoCardinalityStaysBounded() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            for (int i = 0; i < 500; i++) {
                orchestrator.to(Integer.class).named("job").group("tenant-" + i).await(() -> 1);
            }
            assertThat(registry.get("sweet.async.limit").gauges()).as("limit gauges").hasSizeLessThanOrEqualTo(201);
            assertThat(registry.get("sweet.async.limit.rejected").functionCounters().stream()
                    .map(counter -> counter.getId().getTag("group")).distinct()).as("rejected counters' groups")
                    .hasSizeLessThanOrEqualTo(201);
            assertThat(registry.get("sweet.async.tasks").timers().stream()
                    .map(timer -> timer.getId().getTag("group")).distinct()).as("task timers' groups")
                    .hasSizeLessThanOrEqualTo(201);
            assertThat(registry.get("sweet.async.tasks").tag("group", "other").timer().count()).isPositive();
            assertThat(registry.get("sweet.async.limit").tag("group", "pricing").gauge().value())
                    .as("a configured group is metered whatever came after").isEqualTo(3);
        });
    }

    /**
     * Names beyond the bound become {@code other} (SweetAsyncMetrics' javadoc) for the resource totals too:
     * the totals over every {@code name} tag add up to the orchestrator's, nothing is left out.
     */
    @Test
    @Timeout(120)
    void resourceTotalsOfNamesBeyondTheBoundCountAsOther() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            for (int i = 0; i < 260; i++) {
                orchestrator.to(byte[].class).named("job-" + i).runtime("platform").await(() -> new byte[64 << 10]);
            }
            assertThat(registry.get("sweet.async.tasks.allocated").functionCounters().stream()
                    .map(counter -> counter.getId().getTag("name")).distinct()).hasSizeLessThanOrEqualTo(201);
            await().alias("allocations over every name tag add up to the orchestrator's").atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> {
                        double total = orchestrator.resourceUsage().stream()
                                .mapToDouble(usage -> usage.allocatedBytes()).sum();
                        double metered = registry.get("sweet.async.tasks.allocated").functionCounters().stream()
                                .mapToDouble(FunctionCounter::count).sum();
                        assertThat(total).as("the orchestrator measured allocations").isPositive();
                        assertThat(metered).isEqualTo(total);
                    });
            assertThat(registry.get("sweet.async.tasks.allocated").tag("name", "other").functionCounter().count())
                    .isPositive();
        });
    }

    /** A registry that outlives the orchestrator (a shared one, a scrape during shutdown) still reads its meters. */
    @Test
    @Timeout(120)
    void metersStillReadAfterTheOrchestratorClosed() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            orchestrator.to(Integer.class).named("quote").group("pricing").runtime("platform").await(() -> 1);
            orchestrator.close();
            assertThat(registry.getMeters()).isNotEmpty().allSatisfy(meter -> assertThat(meter.measure())
                    .as(meter.getId().toString()).allSatisfy(measurement -> assertThat(measurement.getValue())
                            .as(meter.getId().toString()).isNotNaN()));
            assertThat(registry.get("sweet.async.tasks.active").gauge().value()).isZero();
        });
    }

    @Test
    void backsOffWithoutMicrometer() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class,
                SweetAsyncMetricsAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(TaskOrchestrator.class);
                    assertThat(context).doesNotHaveBean(SweetAsyncMetrics.class);
                });
    }
}
