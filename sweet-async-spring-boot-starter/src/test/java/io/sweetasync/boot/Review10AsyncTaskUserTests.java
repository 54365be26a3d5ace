package io.sweetasync.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.autoconfigure.SweetAsyncAspectAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A new user's reading of the README's Spring Boot section, tried on the annotation: the README's own
 * {@code price} (blocking) and {@code audit} (void: fire-and-forget outside tasks, a child inside one) snippets
 * combined the way an application combines them, plus return shapes and attributes the existing tests leave out.
 */
@Timeout(60)
class Review10AsyncTaskUserTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class))
            .withUserConfiguration(Beans.class);

    /**
     * SPEC 4: "Annotated calls made inside a task become its children"; README: a {@code void} method called inside a
     * task is that task's child, and the task ends only after it. Called from inside the README's {@code price}
     * (blocking), the audit is price's child: price returns once the audit has ended, not before.
     */
    @Test
    void aVoidCallMadeInsideABlockingMethodIsItsChildAndEndsBeforeIt() throws Exception {
        runner.run(context -> {
            Pricing pricing = context.getBean(Pricing.class);
            Audit audit = context.getBean(Audit.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            ExecutorService caller = Executors.newSingleThreadExecutor();
            try {
                Future<String> price = caller.submit(() -> pricing.priceAndAudit("o-1"));
                assertThat(audit.started().await(10, TimeUnit.SECONDS)).as("the audit started").isTrue();
                audit.release().countDown();
                assertThat(price.get(10, TimeUnit.SECONDS)).isEqualTo("price of o-1");
                assertThat(audit.finished().get()).as("the audit, price's child, ended before price returned")
                        .isEqualTo(1);
                await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.recent().stream()
                        .anyMatch(task -> task.name().equals("Pricing.priceAndAudit")));
                TaskInfo priced = orchestrator.recent().stream()
                        .filter(task -> task.name().equals("Pricing.priceAndAudit")).findFirst().orElseThrow();
                assertThat(priced.children()).extracting(TaskInfo::name).containsExactly("Audit.record");
            }
            finally {
                audit.release().countDown();
                caller.shutdownNow();
            }
        });
    }

    /**
     * README: "Use detached = true ... for an audit that must outlive its caller or not hold it up". The same call
     * made {@code detached}: price returns while the audit still runs.
     */
    @Test
    void aDetachedVoidCallMadeInsideABlockingMethodDoesNotHoldUpThatMethodsCaller() throws Exception {
        runner.run(context -> {
            Pricing pricing = context.getBean(Pricing.class);
            Audit audit = context.getBean(Audit.class);
            ExecutorService caller = Executors.newSingleThreadExecutor();
            try {
                Future<String> price = caller.submit(() -> pricing.priceAndAuditDetached("o-1"));
                // the audit is held on its latch until this test releases it
                assertThat(price.get(10, TimeUnit.SECONDS)).isEqualTo("price of o-1");
                assertThat(audit.finished().get()).as("the detached audit still runs").isZero();
                audit.release().countDown();
                await().atMost(Duration.ofSeconds(10)).until(() -> audit.finished().get() == 1);
            }
            finally {
                audit.release().countDown();
                caller.shutdownNow();
            }
        });
    }

    /**
     * README: a task "cancels it [its void child] if the task fails for good". The pair when pricing fails after
     * starting its audit: the audit, price's child, ends CANCELLED, its work not done (started and interrupted, or
     * cancelled while still queued). {@link #aDetachedVoidCallSurvivesTheFailureOfTheTaskThatMadeIt} shows the
     * detached audit running to its end.
     */
    @Test
    void aVoidCallMadeInsideAFailingMethodIsCancelledWithIt() {
        runner.run(context -> {
            Pricing pricing = context.getBean(Pricing.class);
            Audit audit = context.getBean(Audit.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            try {
                assertThatThrownBy(() -> pricing.priceFailingAfterAudit("o-2")).isInstanceOf(IOException.class)
                        .hasMessage("pricing service down");
                await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.recent().stream()
                        .flatMap(Review10AsyncTaskUserTests::flatten).anyMatch(task -> task.name().equals("Audit.record")
                                && task.status().isTerminal()));
                assertThat(orchestrator.recent().stream().flatMap(Review10AsyncTaskUserTests::flatten)
                        .filter(task -> task.name().equals("Audit.record")).map(TaskInfo::status))
                        .as("the child audit's outcome").containsExactly(TaskStatus.CANCELLED);
                assertThat(audit.finished().get()).as("the cancelled audit's work").isZero();
            }
            finally {
                audit.release().countDown();
            }
        });
    }

    /**
     * README: the task's {@code timeout} covers its {@code void} child (a deadline runs "to the end of its
     * children", SpawningTaskBuilder.timeout). The README's {@code price} with a 1 s deadline, its body returning at
     * once after starting a slow audit: the caller gets TaskTimeoutException, and the audit is cancelled.
     */
    @Test
    void aSlowVoidCallMadeInsideAMethodIsCoveredByThatMethodsTimeout() {
        runner.run(context -> {
            Pricing pricing = context.getBean(Pricing.class);
            Audit audit = context.getBean(Audit.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            try {
                assertThatThrownBy(() -> pricing.priceWithDeadline("o-4")).isInstanceOf(TaskTimeoutException.class);
                await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.recent().stream()
                        .flatMap(Review10AsyncTaskUserTests::flatten).anyMatch(task -> task.name().equals("Audit.record")
                                && task.status().isTerminal()));
                assertThat(audit.finished().get()).as("the timed-out audit's work").isZero();
            }
            finally {
                audit.release().countDown();
            }
        });
    }

    /** {@code detached = true} (SPEC 4 lists it; no starter test calls it): a new root, not cancelled with the caller's task. */
    @Test
    void aDetachedVoidCallSurvivesTheFailureOfTheTaskThatMadeIt() {
        runner.run(context -> {
            Pricing pricing = context.getBean(Pricing.class);
            Audit audit = context.getBean(Audit.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            assertThatThrownBy(() -> pricing.priceFailingAfterDetachedAudit("o-3")).isInstanceOf(IOException.class);
            assertThat(audit.started().await(10, TimeUnit.SECONDS)).isTrue();
            audit.release().countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> audit.finished().get() + audit.interrupted().get() == 1);
            assertThat(audit.finished().get()).isEqualTo(1);
            TaskInfo detached = orchestrator.recent().stream().filter(t -> t.name().equals("Audit.recordDetached"))
                    .findFirst().orElseThrow();
            assertThat(detached.parent()).as("a root").isEmpty();
            assertThat(detached.status()).isEqualTo(TaskStatus.COMPLETED);
        });
    }

    /** A future-returning method that throws its checked exception before returning a future: the caller's future fails with it. */
    @Test
    void aCheckedExceptionThrownBeforeTheFutureFailsTheReturnedFutureWithIt() {
        runner.run(context -> {
            Pricing pricing = context.getBean(Pricing.class);
            CompletableFuture<String> future = pricing.quoteOrThrow();
            assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(IOException.class).hasMessage("no quote");
        });
    }

    /** retries/retryOn on a {@code Future} method: a returned future failing with the named type is retried. */
    @Test
    void retryOnAppliesToAFailureOfTheReturnedFuture() throws Exception {
        runner.run(context -> {
            Pricing pricing = context.getBean(Pricing.class);
            assertThat(pricing.flakyFuture().get(10, TimeUnit.SECONDS)).isEqualTo("third time");
            assertThat(pricing.flakyCalls().get()).isEqualTo(3);
            assertThatThrownBy(() -> pricing.wrongTypeFuture().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class);
            assertThat(pricing.wrongTypeCalls().get()).as("not retried: not a retryOn type").isEqualTo(1);
        });
    }

    /**
     * README (Concurrency groups): a group used with nearly the name of a configured group gets a warning naming
     * both. Through the annotation: {@code group = "Pricing"} with {@code sweet.async.groups.pricing.*} configured.
     * The core logs through {@link System.Logger}, here {@code java.util.logging}: read from its logger, not from the
     * console, where it is lost once an earlier test's SpringApplication has closed (Spring Boot's logging clean-up
     * removes the bridge it put in place of the JDK's console handler).
     */
    @Test
    void aNearMissGroupOnTheAnnotationIsNamedInAWarning() {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(String.valueOf(record.getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger limiterGroups = Logger.getLogger("io.sweetasync.LimiterGroups");
        limiterGroups.addHandler(handler);
        try {
            runner.withPropertyValues("sweet.async.groups.pricing.max-limit=3").run(context -> {
                assertThat(context.getBean(Pricing.class).misspelledGroup()).isEqualTo("ok");
                await().atMost(Duration.ofSeconds(10)).until(() -> warnings.stream().anyMatch(warning ->
                        warning.contains("group 'Pricing' is not configured")
                                && warning.contains("a group 'pricing' is configured")));
            });
        }
        finally {
            limiterGroups.removeHandler(handler);
        }
    }

    /**
     * README: "a task holding its group's last permit may wait for a child of the same group". Through the
     * annotation: a blocking method of a group of limit 1 calls a blocking method of the same group.
     */
    @Test
    void aBlockingMethodHoldingItsGroupsOnlyPermitCanCallAnotherOfThatGroup() throws Exception {
        runner.withPropertyValues("sweet.async.groups.db.algorithm=fixed", "sweet.async.groups.db.initial-limit=1",
                "sweet.async.groups.db.max-limit=1", "sweet.async.groups.db.max-wait=20s").run(context -> {
                    Pricing pricing = context.getBean(Pricing.class);
                    ExecutorService caller = Executors.newSingleThreadExecutor();
                    try {
                        assertThat(caller.submit(pricing::outerInGroup).get(30, TimeUnit.SECONDS))
                                .isEqualTo("outer(inner)");
                    }
                    finally {
                        caller.shutdownNow();
                    }
                });
    }

    /**
     * README: "A fan-out inside an @AsyncTask body waits for its children's futures one by one (join() or get() on
     * each) ... the engine sees waits on the futures it made ... and hands the runtime's thread on meanwhile". On a
     * platform runtime of one thread: a blocking method calling two future-returning ones and joining each, and a
     * blocking one nested in it.
     */
    @Test
    void aFanOutOnAOneThreadPlatformRuntimeFinishes() throws Exception {
        runner.withPropertyValues("sweet.async.default-runtime=platform", "sweet.async.runtimes.platform.threads=1")
                .run(context -> {
                    Pricing pricing = context.getBean(Pricing.class);
                    ExecutorService caller = Executors.newSingleThreadExecutor();
                    try {
                        assertThat(caller.submit(pricing::fanOut).get(30, TimeUnit.SECONDS))
                                .isEqualTo("a+b+outer(inner)");
                    }
                    finally {
                        caller.shutdownNow();
                    }
                });
    }

    /**
     * SPEC 4: {@code priority} from the annotation; README: a group's queue is in "priority order, then FIFO". With the
     * group's only permit held, a LOW call queued first and a HIGH one queued after it: the HIGH one runs first.
     */
    @Test
    void theAnnotationsPriorityOrdersAQueuedGroup() throws Exception {
        runner.withPropertyValues("sweet.async.groups.slots.algorithm=fixed", "sweet.async.groups.slots.initial-limit=1",
                "sweet.async.groups.slots.max-limit=1").run(context -> {
                    Queued queued = context.getBean(Queued.class);
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    CompletableFuture<String> holder = queued.hold();
                    assertThat(queued.holding().await(10, TimeUnit.SECONDS)).isTrue();
                    CompletableFuture<String> low = queued.low();
                    await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.queuedCount() >= 1);
                    CompletableFuture<String> high = queued.high();
                    await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.queuedCount() >= 2);
                    queued.release().countDown();
                    CompletableFuture.allOf(holder, low, high).get(20, TimeUnit.SECONDS);
                    assertThat(queued.order()).containsExactly("hold", "high", "low");
                });
    }

    /**
     * README: {@code @AsyncTask(placement = ANYWHERE)} places each call on the least loaded member; the core: "Without
     * a cluster the work runs on this member". SPEC 4: for a method that returns a value "the original exception is
     * rethrown"; for a future, the README's "IOException rethrown as is" shape. The same method placed ANYWHERE (a
     * one-member deployment, or the cluster switched off in a profile) must fail its caller the same way.
     */
    @Test
    void aPlacedMethodFailsItsCallerWithItsOwnExceptionAsALocalOneDoes() {
        runner.run(context -> {
            Placed placed = context.getBean(Placed.class);
            assertThat(placed.value()).isEqualTo("placed");
            assertThatThrownBy(placed::failing).as("blocking, placed ANYWHERE without a cluster")
                    .isInstanceOf(IOException.class).hasMessage("remote disk full");
            assertThatThrownBy(() -> placed.failingLater().get(10, TimeUnit.SECONDS))
                    .as("future, placed ANYWHERE without a cluster").isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IOException.class).hasMessage("remote disk full");
        });
    }

    /**
     * README: {@code sweet.async.shutdown.grace} "wait for running tasks on shutdown, then cancel the rest". Fire-and-
     * forget calls of one group of limit 1, one running and one queued behind it when the context closes: both are
     * work the application accepted, and the grace is long enough for both.
     */
    @Test
    void closingTheContextLetsAcceptedFireAndForgetCallsFinishWithinTheGrace() throws Exception {
        runner.withPropertyValues("sweet.async.groups.slow.algorithm=fixed", "sweet.async.groups.slow.initial-limit=1",
                "sweet.async.groups.slow.max-limit=1", "sweet.async.shutdown.grace=20s").run(context -> {
                    Queued queued = context.getBean(Queued.class);
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    queued.slowWrite("first");
                    queued.slowWrite("second");
                    await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.queuedCount() >= 1);
                    context.close();
                    assertThat(queued.order()).as("both accepted calls ran to their end").containsExactly(
                            "first", "second");
                });
    }

    private static java.util.stream.Stream<TaskInfo> flatten(TaskInfo task) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(task),
                task.children().stream().flatMap(Review10AsyncTaskUserTests::flatten));
    }

    @Configuration(proxyBeanMethods = false)
    static class Beans {

        @Bean
        Audit audit() {
            return new Audit();
        }

        @Bean
        Placed placed() {
            return new Placed();
        }

        @Bean
        Queued queued() {
            return new Queued();
        }

        @Bean
        Pricing pricing(Audit audit) {
            return new Pricing(audit);
        }
    }

    public static class Audit {

        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger finished = new AtomicInteger();
        final AtomicInteger interrupted = new AtomicInteger();

        @AsyncTask
        public void record(String event) {
            work();
        }

        @AsyncTask(detached = true)
        public void recordDetached(String event) {
            work();
        }

        @AsyncTask
        public CompletableFuture<String> part(String name) {
            return CompletableFuture.completedFuture(name);
        }

        @AsyncTask(group = "db")
        public String innerInGroup() {
            return "inner";
        }

        public CountDownLatch started() {
            return started;
        }

        public CountDownLatch release() {
            return release;
        }

        public AtomicInteger finished() {
            return finished;
        }

        public AtomicInteger interrupted() {
            return interrupted;
        }

        private void work() {
            started.countDown();
            try {
                if (release.await(20, TimeUnit.SECONDS)) {
                    finished.incrementAndGet();
                }
            }
            catch (InterruptedException ex) {
                interrupted.incrementAndGet();
            }
        }
    }

    public static class Placed {

        @AsyncTask(name = "placed-value", placement = io.sweetasync.annotation.Placement.ANYWHERE)
        public String value() {
            return "placed";
        }

        @AsyncTask(name = "placed-failing", placement = io.sweetasync.annotation.Placement.ANYWHERE)
        public String failing() throws IOException {
            throw new IOException("remote disk full");
        }

        @AsyncTask(name = "placed-failing-later", placement = io.sweetasync.annotation.Placement.ANYWHERE)
        public CompletableFuture<String> failingLater() {
            return CompletableFuture.failedFuture(new IOException("remote disk full"));
        }
    }

    public static class Queued {

        private final CountDownLatch holding = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final java.util.List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();

        public CountDownLatch holding() {
            return holding;
        }

        public CountDownLatch release() {
            return release;
        }

        public java.util.List<String> order() {
            return order;
        }

        @AsyncTask(group = "slots")
        public CompletableFuture<String> hold() throws InterruptedException {
            order.add("hold");
            holding.countDown();
            release.await(20, TimeUnit.SECONDS);
            return CompletableFuture.completedFuture("hold");
        }

        @AsyncTask(group = "slow")
        public void slowWrite(String what) throws InterruptedException {
            Thread.sleep(300);
            order.add(what);
        }

        @AsyncTask(group = "slots", priority = io.sweetasync.TaskPriority.LOW)
        public CompletableFuture<String> low() {
            order.add("low");
            return CompletableFuture.completedFuture("low");
        }

        @AsyncTask(group = "slots", priority = io.sweetasync.TaskPriority.HIGH)
        public CompletableFuture<String> high() {
            order.add("high");
            return CompletableFuture.completedFuture("high");
        }
    }

    public static class Pricing {

        private final Audit audit;
        final AtomicInteger flakyCalls = new AtomicInteger();
        final AtomicInteger wrongTypeCalls = new AtomicInteger();

        Pricing(Audit audit) {
            this.audit = audit;
        }

        public AtomicInteger flakyCalls() {
            return flakyCalls;
        }

        public AtomicInteger wrongTypeCalls() {
            return wrongTypeCalls;
        }

        @AsyncTask
        public String priceAndAudit(String order) {
            audit.record("priced " + order);
            return "price of " + order;
        }

        @AsyncTask
        public String priceAndAuditDetached(String order) {
            audit.recordDetached("priced " + order);
            return "price of " + order;
        }

        @AsyncTask(timeout = "1s")
        public String priceWithDeadline(String order) {
            audit.record("priced " + order);
            return "price of " + order;
        }

        @AsyncTask
        public String priceFailingAfterAudit(String order) throws IOException {
            audit.record("pricing " + order + " failed");
            throw new IOException("pricing service down");
        }

        @AsyncTask
        public String priceFailingAfterDetachedAudit(String order) throws IOException {
            audit.recordDetached("pricing " + order + " failed");
            throw new IOException("pricing service down");
        }

        @AsyncTask
        public CompletableFuture<String> quoteOrThrow() throws IOException {
            throw new IOException("no quote");
        }

        @AsyncTask(retries = 2, retryBackoff = "10ms", retryOn = IOException.class)
        public Future<String> flakyFuture() {
            if (flakyCalls.incrementAndGet() < 3) {
                return CompletableFuture.failedFuture(new IOException("flaky"));
            }
            return CompletableFuture.completedFuture("third time");
        }

        @AsyncTask(retries = 2, retryBackoff = "10ms", retryOn = IOException.class)
        public CompletableFuture<String> wrongTypeFuture() {
            wrongTypeCalls.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("not retryable"));
        }

        @AsyncTask(group = "db")
        public String outerInGroup() {
            return "outer(" + audit.innerInGroup() + ")";
        }

        @AsyncTask
        public String fanOut() {
            CompletableFuture<String> a = audit.part("a");
            CompletableFuture<String> b = audit.part("b");
            return a.join() + "+" + b.join() + "+" + outerInGroup();
        }

        @AsyncTask(group = "Pricing")
        public String misspelledGroup() {
            return "ok";
        }
    }
}
