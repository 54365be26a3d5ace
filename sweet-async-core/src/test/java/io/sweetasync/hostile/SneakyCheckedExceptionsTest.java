package io.sweetasync.hostile;

import static io.sweetasync.hostile.Sneaky.sneaky;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.Sources;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.RejectionReason;
import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.TaskClock;
import io.sweetasync.spi.TaskStore;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * User code the compiler does not check (Kotlin, Scala, Lombok's {@code @SneakyThrows}) may throw a checked exception
 * from a method that declares none. The engine's {@code catch (RuntimeException | Error ex)} around such a callback
 * let it through: a task whose outcome never completed, a task failed with no end, a permit never given back. Each
 * test here has a callback of the user's throw an {@link IOException} that way, and checks the promise the unchecked
 * case keeps.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SneakyCheckedExceptionsTest {

    private static final Duration HANG = Duration.ofSeconds(30);
    private static final LimiterConfig ONE = new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(30));

    /** How a task with a deadline ends, cancelling its deadline on a clock whose cancel throws. */
    enum Ending { RETURNED, FAILED, CANCELLED }

    /**
     * {@code TaskEnding.cancel(Scheduled)}: the clock's failure left {@code finish} with the status terminal and the
     * outcome never completed ({@code result()} waited for ever), or reached {@code cancel()}'s caller.
     */
    @ParameterizedTest
    @EnumSource(Ending.class)
    void aClockWhoseCancelThrowsACheckedExceptionStillLetsTheTaskEnd(Ending ending) {
        SneakyClock clock = new SneakyClock(false, true);
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).build()) {
                CountDownLatch go = new CountDownLatch(1);
                SpawningTask<String> task = orchestrator.to(String.class).named("deadlined")
                        .timeout(Duration.ofHours(1)).run(() -> {
                            go.await();
                            if (ending == Ending.FAILED) {
                                throw new IllegalStateException("the body fails");
                            }
                            return "done";
                        });
                if (ending == Ending.CANCELLED) {
                    assertThatCode(() -> task.cancel()).doesNotThrowAnyException();
                }
                go.countDown();
                TaskResult<String> result = task.result();
                switch (ending) {
                    case RETURNED -> assertThat(result).isEqualTo(TaskResult.ok("done"));
                    case FAILED -> assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
                    case CANCELLED -> assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
                }
            }
        });
        assertThat(clock.cancels).as("the deadline was cancelled").hasPositiveValue();
    }

    /** What a task asks a clock to schedule. */
    enum Scheduling { DEADLINE, RETRY }

    /**
     * {@code TaskSubmission.schedule}: a deadline the clock cannot schedule reached the caller of {@code run}; a retry,
     * the worker that ran the failed attempt, which logged it as the engine's failure: the task never ended.
     */
    @ParameterizedTest
    @EnumSource(Scheduling.class)
    void aClockWhoseScheduleThrowsACheckedExceptionFailsTheTask(Scheduling what) {
        SneakyClock clock = new SneakyClock(true, false);
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).build()) {
                var builder = orchestrator.to(String.class).named("scheduled");
                builder = what == Scheduling.DEADLINE ? builder.timeout(Duration.ofHours(1))
                        : builder.retry(RetryPolicy.fixed(3, Duration.ofMillis(10)));
                SpawningTask<String> task = builder.run(() -> {
                    throw new IllegalStateException("the attempt fails");
                });
                TaskResult<String> result = task.result();
                assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
                assertThat(((TaskResult.Err<String>) result).error()).hasStackTraceContaining("the clock's schedule failed");
            }
        });
    }

    /**
     * {@code TaskSubmission.execute}: a user's executor that throws fails the task; a checked exception went past
     * that to the caller of {@code run}, the task left QUEUED.
     */
    @Test
    void anExecutorThatThrowsACheckedExceptionFailsTheTask() {
        TaskRuntime throwing = TaskRuntime.executor("throwing", command -> {
            throw sneaky(new IOException("the executor failed"));
        });
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(throwing).build()) {
                SpawningTask<String> task = orchestrator.to(String.class).named("executed").runtime("throwing")
                        .run(() -> "never");
                TaskResult<String> result = task.result();
                assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
                assertThat(((TaskResult.Err<String>) result).error()).hasStackTraceContaining("the executor failed");
            }
        });
    }

    /**
     * {@code AdmissionQueue.time}: a wait the limiter's clock cannot time is rejected SHUTDOWN; a checked exception
     * reached the caller of {@code acquire} and left the request queued, to be granted to a caller who saw it fail.
     */
    @Test
    void aWaitTheLimitersClockCannotTimeWithACheckedExceptionIsRejected() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("g", ONE, new SneakyClock(true, false));
        ConcurrencyLimiter.Permit held = limiter.tryAcquire().orElseThrow();
        List<Object> outcomes = new ArrayList<>();
        assertThatCode(() -> limiter.acquire(TaskPriority.NORMAL, outcomes::add, outcomes::add))
                .doesNotThrowAnyException();
        assertThat(limiter.queued()).isZero();
        held.success();
        assertThat(limiter.inFlight()).isZero();
        assertThat(outcomes).singleElement().isInstanceOfSatisfying(ConcurrencyLimiter.Rejection.class,
                rejection -> assertThat(rejection.reason()).isEqualTo(RejectionReason.SHUTDOWN));
    }

    /**
     * {@code HandOver.run}: a grant callback that throws gives its permit back, to the next waiter; a checked
     * exception cut the hand-over short (the next waiter never granted, the permit counted for good) and reached the
     * code that released the permit.
     */
    @Test
    void aGrantCallbackThrowingACheckedExceptionGivesItsPermitToTheNextWaiter() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("g", ONE, new SneakyClock(false, false));
        ConcurrencyLimiter.Permit held = limiter.tryAcquire().orElseThrow();
        List<Object> rejected = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, permit -> {
            throw sneaky(new IOException("the grant callback failed"));
        }, rejected::add);
        List<ConcurrencyLimiter.Permit> granted = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, granted::add, rejected::add);
        assertThatCode(held::success).doesNotThrowAnyException();
        assertThat(granted).as("the next waiter").hasSize(1);
        granted.getFirst().success();
        assertThat(limiter.inFlight()).isZero();
        assertThat(rejected).isEmpty();
    }

    /**
     * {@code PermitAccounting.acquire}: a permit granted at once whose callback throws is given back before the caller
     * sees the failure; with a checked exception it was kept for good.
     */
    @Test
    void aPermitGrantedAtOnceWhoseCallbackThrowsACheckedExceptionIsGivenBack() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("g", ONE, new SneakyClock(false, false));
        Throwable thrown = null;
        try {
            limiter.acquire(TaskPriority.NORMAL, permit -> {
                throw sneaky(new IOException("the grant callback failed"));
            }, rejection -> { });
        }
        catch (Throwable t) {
            thrown = t;
        }
        assertThat(thrown).as("the caller sees its callback's failure").isInstanceOf(IOException.class);
        assertThat(limiter.inFlight()).as("the permit its callback failed to take").isZero();
    }

    /**
     * {@code WallClockAnchor.wallNow}: a clock whose {@code now()} throws is replaced by the system's for that reading;
     * read while the task finishes, a checked exception left its waiters waiting for ever.
     */
    @Test
    void aClockThatCannotTellTheTimeWithACheckedExceptionDoesNotHangTasks() {
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(new SneakyClock(false, false, true))
                    .build()) {
                SpawningTask<String> task = orchestrator.to(String.class).run(() -> "ran");
                assertThat(task.result()).isEqualTo(TaskResult.ok("ran"));
                assertThat(task.info().completedAt()).isNotNull();
            }
        });
    }

    /**
     * {@code Timeouts.isTimeout}, which decides how a group task's permit goes back: an error whose {@code getCause()}
     * throws reads as no timeout; a checked exception left the attempt's end part way, the permit kept for good and
     * the task never ended.
     */
    @Test
    void aBodyErrorWhoseCauseCannotBeReadStillEndsAGroupTaskAndGivesItsPermitBack() {
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().group("g", ONE).build()) {
                SpawningTask<String> task = orchestrator.to(String.class).group("g").run(() -> {
                    throw new IllegalStateException("the body fails") {
                        @Override
                        public synchronized Throwable getCause() {
                            throw sneaky(new IOException("the cause cannot be read"));
                        }
                    };
                });
                assertThat(task.result()).isInstanceOf(TaskResult.Err.class);
                assertThat(orchestrator.to(String.class).group("g").run(() -> "next").join()).isEqualTo("next");
            }
        });
    }

    /**
     * {@code PublisherSource.onSubscribe}: a subscription whose first {@code request} throws ends the source with that
     * error. Thrown on to a publisher that signals on a thread of its own (and swallows it), a checked exception
     * left the sender waiting for items for ever.
     */
    @Test
    void aSubscriptionWhoseFirstRequestThrowsACheckedExceptionEndsTheSource() {
        Flow.Publisher<Integer> publisher = subscriber -> Thread.ofVirtual().start(() -> {
            try {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                        throw sneaky(new IOException("the subscription's request failed"));
                    }

                    @Override
                    public void cancel() {
                    }
                });
            }
            catch (Throwable swallowed) { // as a publisher's own thread may
            }
        });
        FinalEvent<Integer, Integer> done = assertTimeoutPreemptively(HANG, () -> drain(publisher));
        assertThat(done.errors()).singleElement()
                .satisfies(error -> assertThat(error.error()).hasMessage("the subscription's request failed"));
    }

    /**
     * {@code PublisherSource.cancelAfter}: a cancel that throws, after a failure stopped the source, is suppressed by
     * that failure; a checked exception replaced it as the sender's error.
     */
    @Test
    void aCancelThrowingACheckedExceptionDoesNotReplaceTheFailureThatStoppedTheSource() {
        AtomicLong requests = new AtomicLong();
        Flow.Publisher<Integer> publisher = subscriber -> {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    if (requests.incrementAndGet() > 1) {
                        throw new IllegalStateException("request is broken");
                    }
                }

                @Override
                public void cancel() {
                    throw sneaky(new IOException("cancel is broken"));
                }
            });
            for (int i = 1; i <= 8; i++) {
                subscriber.onNext(i);
            }
        };
        FinalEvent<Integer, Integer> done = assertTimeoutPreemptively(HANG, () -> drain(publisher));
        assertThat(done.errors()).singleElement().satisfies(error -> {
            assertThat(error.error()).hasMessage("request is broken");
            assertThat(error.error().getSuppressed()).singleElement()
                    .satisfies(suppressed -> assertThat(suppressed).hasMessage("cancel is broken"));
        });
    }

    /**
     * {@code PublisherSource.subscribeTo}: a publisher that hands over a subscription, then throws from
     * {@code subscribe}, has that subscription cancelled (nothing will take its items); with a checked exception it
     * was left open.
     */
    @Test
    void aPublisherWhoseSubscribeThrowsACheckedExceptionHasItsSubscriptionCancelled() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Flow.Publisher<Integer> publisher = subscriber -> {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
            throw sneaky(new IOException("subscribe failed"));
        };
        FinalEvent<Integer, Integer> done = assertTimeoutPreemptively(HANG, () -> drain(publisher));
        assertThat(done.errors()).singleElement()
                .satisfies(error -> assertThat(error.error()).hasMessage("subscribe failed"));
        assertThat(cancelled).isTrue();
    }

    private static FinalEvent<Integer, Integer> drain(Flow.Publisher<Integer> publisher) {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            return orchestrator.emits(Integer.class).sequence()
                    .sender(Sources.publisher(publisher, 8))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
        }
    }

    /**
     * {@code DurableSubmission.submit}: an argument the codec cannot encode is refused with an
     * {@link IllegalArgumentException} naming the durable task; a checked exception reached the caller as it was.
     */
    @Test
    void aDurableArgumentTheCodecCannotEncodeWithACheckedExceptionIsRefusedAsAnyOther() {
        EndsSeen store = new EndsSeen();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store.proxy()).member("sneaky")
                .durableCodec(new SneakyCodec("x")).handler("echo", String.class, argument -> argument).build()) {
            assertThatThrownBy(() -> orchestrator.to(String.class).durable("echo", "x").run())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("durable task 'echo'")
                    .hasCauseInstanceOf(IOException.class);
        }
    }

    /**
     * {@code DurableEnds.end}: a result the codec cannot encode, on the store's thread, costs that result only (the end
     * is stored without it); a checked exception left the end unwritten at every flush, the invocation pending.
     */
    @Test
    void aDurableResultTheCodecCannotEncodeWithACheckedExceptionStillHasItsEndStored() {
        EndsSeen store = new EndsSeen();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().store(store.proxy()).member("sneaky")
                .storeFlushInterval(Duration.ofMillis(20)).durableCodec(new SneakyCodec("unencodable"))
                .handler("echo", String.class, argument -> "unencodable").build()) {
            SpawningTask<String> task = orchestrator.to(String.class).durable("echo", "x").run();
            assertThat(assertTimeoutPreemptively(HANG, task::join)).isEqualTo("unencodable");
            await().atMost(HANG).alias("the end written by the store's thread")
                    .until(() -> store.ended.contains(task.id()));
        }
    }

    /** Strings as they are, except {@code refused}, whose encoding throws a checked exception. */
    private record SneakyCodec(String refused) implements DurableCodec {
        @Override
        public String encode(Object value) {
            if (refused.equals(value)) {
                throw sneaky(new IOException("cannot encode " + value));
            }
            return String.valueOf(value);
        }

        @Override
        public <T> T decode(String text, Class<T> type) {
            return type.cast(text);
        }
    }

    /** A task store that keeps nothing but the ids of the durable invocations whose ends were written. */
    private static final class EndsSeen {
        final Set<TaskId> ended = ConcurrentHashMap.newKeySet();

        TaskStore proxy() {
            return (TaskStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { TaskStore.class },
                    (proxy, method, args) -> switch (method.getName()) {
                        case "within" -> {
                            ((Runnable) args[1]).run();
                            yield null;
                        }
                        case "open" -> new TaskStore.Incarnation(1, (String) args[0], Instant.now().plus(Duration.ofHours(1)));
                        case "heartbeat", "purge" -> 0;
                        case "claimOrphans", "claimUnresolved", "owned", "query" -> List.of();
                        case "durable", "find" -> Optional.empty();
                        case "finishDurable" -> ended.add((TaskId) args[0]) || true;
                        case "finishDurables" -> {
                            List<?> ends = (List<?>) args[0];
                            boolean[] recorded = new boolean[ends.size()];
                            for (int i = 0; i < recorded.length; i++) {
                                recorded[i] = ended.add(((TaskStore.DurableEnd) ends.get(i)).id()) || true;
                            }
                            yield recorded;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "EndsSeen";
                        default -> null; // save, close, releaseDurables, enqueue
                    });
        }
    }

    /** The system's time; its actions never run. Its schedule, its actions' cancel or its now() throw a checked exception. */
    private static final class SneakyClock implements TaskClock {
        private final boolean failSchedule;
        private final boolean failCancel;
        private final boolean failNow;
        final AtomicInteger cancels = new AtomicInteger();

        SneakyClock(boolean failSchedule, boolean failCancel) {
            this(failSchedule, failCancel, false);
        }

        SneakyClock(boolean failSchedule, boolean failCancel, boolean failNow) {
            this.failSchedule = failSchedule;
            this.failCancel = failCancel;
            this.failNow = failNow;
        }

        @Override
        public Instant now() {
            if (failNow) {
                throw sneaky(new IOException("the time server is down"));
            }
            return Instant.now();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            if (failSchedule) {
                throw sneaky(new IOException("the clock's schedule failed"));
            }
            return () -> {
                cancels.incrementAndGet();
                if (failCancel) {
                    throw sneaky(new IOException("the clock's cancel failed"));
                }
            };
        }
    }
}
