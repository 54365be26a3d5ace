package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.emit.Emitter;
import io.sweetasync.emit.EmittingTaskBuilder;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.Sources;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.TaskClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile values at the public API (SPEC 1.5; CONVENTIONS, habit 3): each is refused where it is given, with
 * an exception naming the argument and its value, or honoured; none is taken and then lost, turned into
 * something else, or left to fail later naming nothing. And a clock is user code: one that cannot tell the
 * time must not hang the tasks whose snapshots read it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileInputsTest {

    private static final Duration HANG = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // ---- names: control characters forged lines in every log message and error naming the task -----------

    @Test
    void taskAndPipelineNamesWithControlCharactersAreRefusedNamingThem() {
        SpawningTaskBuilder<String> task = orchestrator.to(String.class);
        EmittingTaskBuilder<Integer> pipeline = orchestrator.emits(Integer.class);
        for (String name : List.of("import\nERROR forged line", "nul\u0000name", "tab\tname", "bell\u0007")) {
            assertThatThrownBy(() -> task.named(name)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("task name").hasMessageContaining("control characters")
                    .hasMessageNotContaining("\n");
            assertThatThrownBy(() -> pipeline.named(name)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("pipeline name").hasMessageContaining("control characters");
        }
        assertThatThrownBy(() -> task.named("import\nusers")).hasMessageContaining("'import?users'");
        // what was valid stays valid
        assertThat(task.named("import users (nightly) ü").await(() -> "ok")).isEqualTo("ok");
    }

    @Test
    void progressNamesAreCheckedAsTaskNamesAre() {
        String refusals = orchestrator.to(String.class).await(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            List<String> messages = new ArrayList<>();
            for (String name : List.of("", "  ", "rows\nforged", "r".repeat(101))) {
                try {
                    context.progress(name, () -> 1);
                    messages.add("accepted '" + name + "'");
                }
                catch (IllegalArgumentException expected) {
                    messages.add(expected.getMessage());
                }
            }
            context.progress("rows", () -> 7);
            return String.join("|", messages);
        });
        assertThat(refusals.split("\\|")).hasSize(4)
                .allSatisfy(message -> assertThat(message).startsWith("progress name must be"));
        assertThat(refusals).contains("was 'rows?forged'");
    }

    /** A name per item (100,000 of them) took minutes to register, each copying the map, and every snapshot read them all. */
    @Test
    void aTaskPublishesAtMostAThousandProgressNames() {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            for (int i = 0; i < 1_000; i++) {
                context.progress("row-" + i, () -> 1);
            }
            context.progress("row-0", () -> 2); // replacing a name's supplier is not a new name
            try {
                context.progress("row-1000", () -> 1);
                return "accepted";
            }
            catch (IllegalStateException expected) {
                return expected.getMessage();
            }
        });
        assertThat(assertTimeoutPreemptively(HANG, task::join)).contains("'row-1000'").contains("1000 progress values");
        assertThat(task.info().progress()).hasSize(1_000).containsEntry("row-0", 2L);
    }

    // ---- tags: a store dropped a blank key when reading the record back, and a long value when writing it --

    @Test
    void tagsAStoreCouldNotKeepAreRefusedNamingThem() {
        SpawningTaskBuilder<String> builder = orchestrator.to(String.class);
        assertThatThrownBy(() -> builder.tag("", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tag key").hasMessageContaining("''");
        assertThatThrownBy(() -> builder.tag("   ", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tag key");
        assertThatThrownBy(() -> builder.tag("k\n", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'k?'");
        assertThatThrownBy(() -> builder.tag("k".repeat(101), "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tag key");
        assertThatThrownBy(() -> builder.tag("batch", "v".repeat(1_001))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tag value of 'batch'").hasMessageContaining("1001");
        // at the bounds, and an empty value, the tags are kept as given
        SpawningTask<String> task = builder.tag("k".repeat(100), "v".repeat(1_000)).tag("empty", "").run(() -> "x");
        assertThat(task.info().tags()).containsEntry("k".repeat(100), "v".repeat(1_000)).containsEntry("empty", "");
    }

    @Test
    void aTaskTakesAThousandTagsAndRefusesOneMoreNamingIt() {
        SpawningTaskBuilder<String> builder = orchestrator.to(String.class);
        for (int i = 0; i < 1_000; i++) {
            builder = builder.tag("t" + i, "v");
        }
        SpawningTaskBuilder<String> full = builder;
        assertThatThrownBy(() -> full.tag("one-more", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 1000 tags").hasMessageContaining("'one-more'");
        // a key it has already is a new value, not one more tag
        SpawningTask<String> task = full.tag("t7", "changed").run(() -> "x");
        assertThat(task.info().tags()).hasSize(1_000).containsEntry("t7", "changed");
    }

    // ---- groups made from data: each keeps its limiter for good, so it is said -------------------------

    @Test
    void aThousandGroupsAreSaidOnceNamingTheLatest() {
        try (LogLines log = LogLines.capture("io.sweetasync.LimiterGroups")) {
            List<String> warnings = log.messages();
            for (int i = 0; i < 999; i++) {
                orchestrator.limiter("tenant-" + i);
            }
            assertThat(warnings).isEmpty();
            orchestrator.limiter("tenant-999");
            orchestrator.limiter("tenant-0");
            for (int i = 1_000; i < 1_500; i++) {
                orchestrator.limiter("tenant-" + i);
            }
            assertThat(warnings).singleElement().asString().contains("1000 concurrency groups", "'tenant-999'");
        }
    }

    // ---- a group used with nearly the name of a configured one: its configuration is unused, so it is said ----

    @Test
    void aGroupUsedWithNearlyAConfiguredGroupsNameIsSaidOncePerConfiguredGroup() {
        try (LogLines log = LogLines.capture("io.sweetasync.LimiterGroups");
                TaskOrchestrator configured = TaskOrchestrator.builder()
                .group("pricng", LimiterConfig.defaults().withLimits(4, 1, 4))
                .group("tenant-1", LimiterConfig.defaults().withLimits(2, 1, 2))
                .group("billing-eu", LimiterConfig.defaults().withLimits(2, 1, 2))
                .build()) {
            List<String> warnings = log.messages();
            configured.to(String.class).group("pricng").run(() -> "configured").join();
            configured.limiter("billing-us"); // two edits from a configured name: a name of its own
            configured.limiter("mail");
            assertThat(warnings).as("names configured, or not near one").isEmpty();

            assertThat(configured.to(String.class).group("pricing").run(() -> "defaults").join()).isEqualTo("defaults");
            assertThat(warnings).singleElement().asString().contains("'pricing'", "'pricng'", "default group configuration");
            configured.limiter("Pricing"); // near the same configured group: said already
            configured.limiter("tenant-2");
            configured.limiter("tenant-3");
            assertThat(warnings).hasSize(2);
            assertThat(warnings.get(1)).contains("'tenant-2'", "'tenant-1'");
        }
    }

    // ---- groups: every place that names a group checks it alike --------------------------------------

    @Test
    void groupNamesAreCheckedAlikeWhereverAGroupIsNamed() {
        TaskOrchestrator.Builder configuring = TaskOrchestrator.builder();
        for (String group : List.of("pricing\n", "pri\u0000cing", "g".repeat(101), " pricing ", "", "  ")) {
            String expected = "'" + group.replaceAll("\\p{Cntrl}", "?") + "'";
            assertThatThrownBy(() -> orchestrator.to(String.class).group(group))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("group must be")
                    .hasMessageContaining(expected);
            assertThatThrownBy(() -> orchestrator.emits(Integer.class).group(group))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("group must be");
            assertThatThrownBy(() -> configuring.group(group, LimiterConfig.defaults()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("group name must be");
            // limiter(" pricing ") made a limiter no task could reach, listed in limiters() for good
            assertThatThrownBy(() -> orchestrator.limiter(group))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("group must be");
        }
        assertThat(orchestrator.limiters()).isEmpty();
        assertThat(orchestrator.to(String.class).group("g".repeat(100)).await(() -> "ok")).isEqualTo("ok");
        assertThat(orchestrator.limiters()).extracting(LimiterSnapshot::group).containsExactly("g".repeat(100));
    }

    // ---- member: refused where it is set, as the other builder settings are ---------------------------------

    @Test
    void memberNamesAreRefusedWhereTheyAreSet() {
        TaskOrchestrator.Builder builder = TaskOrchestrator.builder();
        for (String member : List.of("", "   ", "node-1\nforged", "node\u00001", "m".repeat(201))) {
            assertThatThrownBy(() -> builder.member(member)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("member must be");
        }
        try (TaskOrchestrator built = builder.member("m".repeat(200)).build()) {
            assertThat(built.to(String.class).await(() -> "ok")).isEqualTo("ok");
        }
    }

    // ---- Future.get(timeout, null) -------------------------------------------------------------------------

    @Test
    void getWithANullUnitIsRefusedNamingIt() {
        SpawningTask<String> done = orchestrator.to(String.class).run(() -> "v");
        done.join();
        // refused whether or not the task has ended (it answered a finished task's value)
        assertThatThrownBy(() -> done.get(1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");
        assertThatThrownBy(() -> done.toCompletableFuture().get(1, null)).isInstanceOf(NullPointerException.class);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        SpawningTask<String> running = orchestrator.to(String.class).run(() -> {
            release.await();
            return "v";
        });
        assertThatThrownBy(() -> running.get(1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");
        release.countDown();
        assertThat(running.join()).isEqualTo("v");
    }

    // ---- RetryPolicy: a draw outside [0, 1) made a negative delay; retryOn() retried everything -----------

    @Test
    void aRetryDrawOutsideZeroToOneIsRefusedNamingIt() {
        List<RetryPolicy> policies = List.of(RetryPolicy.fixed(2, Duration.ofSeconds(1)).withJitter(1),
                RetryPolicy.exponential(2, Duration.ofSeconds(1), Duration.ofSeconds(4)).withJitter(0.5),
                RetryPolicy.when(IOException.class, RetryPolicy.fixed(2, Duration.ofSeconds(1)).withJitter(1)));
        for (RetryPolicy policy : policies) {
            for (double random : new double[] { -5, -0.0001, 1, 5, Double.NaN, Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY }) {
                assertThatThrownBy(() -> policy.nextDelay(1, new IOException(), random))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("random")
                        .hasMessageContaining(String.valueOf(random));
            }
            assertThatThrownBy(() -> policy.nextDelay(1, null, 0.5)).isInstanceOf(NullPointerException.class)
                    .hasMessage("error");
            assertThat(policy.nextDelay(1, new IOException(), 0.0).isNegative()).isFalse();
            assertThat(policy.nextDelay(1, new IOException(), Math.nextDown(1.0)).isNegative()).isFalse();
        }
    }

    @Test
    void retryOnWithNoTypesIsRefused() {
        // "retry only these", given none, retried every exception as if retryOn had not been called
        assertThatThrownBy(() -> RetryPolicy.fixed(2, Duration.ZERO).retryOn())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryOn")
                .hasMessageContaining("none");
        assertThat(RetryPolicy.fixed(2, Duration.ZERO).retryOn(IOException.class)
                .nextDelay(1, new IllegalStateException(), 0.5)).isNull();
    }

    // ---- ConcurrencyLimiter.acquire: nulls were found only on the path that used them -----------------------

    @Test
    void acquireRefusesNullArgumentsNamingThemWhateverThePath() {
        ConcurrencyLimiter limiter = orchestrator.limiter("acquire");
        AtomicInteger granted = new AtomicInteger();
        // a free permit: the null priority was never read; a null onRejected never called
        assertThatThrownBy(() -> limiter.acquire(null, permit -> granted.incrementAndGet(), rejection -> { }))
                .isInstanceOf(NullPointerException.class).hasMessage("priority");
        assertThatThrownBy(() -> limiter.acquire(TaskPriority.NORMAL, permit -> granted.incrementAndGet(), null))
                .isInstanceOf(NullPointerException.class).hasMessage("onRejected");
        assertThatThrownBy(() -> limiter.acquire(TaskPriority.NORMAL, null, rejection -> { }))
                .isInstanceOf(NullPointerException.class).hasMessage("onGranted");
        assertThat(granted).hasValue(0);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.accepted()).isZero();
    }

    // ---- Sources.chunked: a failing source's last, short list was dropped after its elements were accepted -

    @Test
    void whatAChunkedSourceEmittedBeforeItFailedIsReceived() {
        FinalEvent<Long, List<Integer>> done = assertTimeoutPreemptively(HANG, () -> orchestrator.<List<Integer>>emits()
                .sequence()
                .sender(Sources.chunked((Emitter<Integer> emitter) -> {
                    emitter.emitAll(List.of(1, 2, 3));
                    throw new IOException("the source broke after 3");
                }, 2))
                .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                .awaitFinalEvent());
        // as an unchunked sender's events emitted before it failed are (Emitter: "no event is accepted and then lost")
        assertThat(done.collected().values()).containsExactly(List.of(1, 2), List.of(3));
        assertThat(done.errors()).singleElement()
                .satisfies(error -> assertThat(error.error()).hasMessage("the source broke after 3"));
    }

    // ---- a clock whose now() fails: the task ended COMPLETED, and its waiters waited for ever ----------------

    @Test
    void aClockThatCannotTellTheTimeDoesNotHangTasks() {
        List<Supplier<Instant>> broken = List.of(() -> {
            throw new IllegalStateException("the time server is down");
        }, () -> null, () -> Instant.MAX, () -> Instant.MIN);
        for (Supplier<Instant> now : broken) {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
            try (TaskOrchestrator hostile = TaskOrchestrator.builder().clock(new BrokenWallClock(now, timer)).build()) {
                SpawningTask<String> task = hostile.to(String.class).run(() -> "ran");
                assertThat(assertTimeoutPreemptively(HANG, task::result)).isEqualTo(new TaskResult.Ok<>("ran"));
                SpawningTask<String> timed = hostile.to(String.class).timeout(Duration.ofMinutes(5)).run(() -> "timed");
                assertThat(assertTimeoutPreemptively(HANG, timed::join)).isEqualTo("timed");
                FinalEvent<Integer, Integer> done = assertTimeoutPreemptively(HANG, () -> hostile.emits(Integer.class)
                        .sender(emitter -> emitter.emitAll(List.of(1, 2, 3)))
                        .receiver((event, collector) -> collector.collect(event.data(), event.data() * 2))
                        .awaitFinalEvent());
                assertThat(done.collected()).hasSize(3);
                TaskInfo info = task.info();
                assertThat(info.status()).isEqualTo(TaskStatus.COMPLETED);
                assertThat(info.createdAt()).isNotNull();
                assertThat(info.completedAt()).isNotNull();
                assertThat(hostile.liveCount()).isZero();
            }
            finally {
                timer.shutdownNow();
            }
        }
    }

    /** The system's monotonic time and a working scheduler, but a wall clock that cannot tell the time. */
    private record BrokenWallClock(Supplier<Instant> wall, ScheduledExecutorService timer) implements TaskClock {

        @Override
        public Instant now() {
            return wall.get();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            ScheduledFuture<?> scheduled = timer.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> scheduled.cancel(false);
        }
    }
}
