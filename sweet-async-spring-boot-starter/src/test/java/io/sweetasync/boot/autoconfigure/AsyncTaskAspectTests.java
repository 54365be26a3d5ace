package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.annotation.AsyncTask;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.aspectj.weaver.Advice;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
class AsyncTaskAspectTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class))
            .withUserConfiguration(Services.class)
            .withPropertyValues("svc.timeout=50ms");

    @Test
    void aBlockingMethodRunsAsATaskWhileTheCallerWaits() {
        runner.run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(service.whereAmI()).isEqualTo("Service.whereAmI");
            assertThat(context.getBean(TaskOrchestrator.class).recent()).extracting(TaskInfo::name)
                    .contains("Service.whereAmI");
        });
    }

    @Test
    void theMethodsOwnExceptionIsRethrown() {
        runner.run(context -> assertThatThrownBy(() -> context.getBean(Service.class).broken())
                .isInstanceOf(IOException.class).hasMessage("disk full"));
    }

    @Test
    void futureLikeReturnTypesReturnAtOnce() throws Exception {
        runner.run(context -> {
            Service service = context.getBean(Service.class);
            CompletableFuture<String> future = service.later();
            assertThat(future.isDone()).as("returned before the body finished").isFalse();
            service.release();
            assertThat(future.get()).isEqualTo("later");
            assertThat(service.stage().toCompletableFuture().get()).isEqualTo("stage");
            assertThat(service.future().get()).isEqualTo("future");
            SpawningTask<String> handle = service.handle();
            assertThat(handle.join()).isEqualTo("handle");
            assertThat(handle.name()).isEqualTo("custom-handle");
            assertThatThrownBy(() -> service.failingLater().get()).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalStateException.class);
        });
    }

    /**
     * A future the method returned that fails with an {@link Error} fails the caller's future with that
     * error, as with an exception: it was wrapped twice in {@link ExecutionException}, the task failing with
     * one (so its observation and log named ExecutionException, not the error).
     */
    @Test
    void aReturnedFutureFailingWithAnErrorFailsTheCallersFutureWithThatError() {
        runner.run(context -> {
            Service service = context.getBean(Service.class);
            assertThatThrownBy(() -> service.failingLaterWithAnError().get()).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(AssertionError.class).hasMessage("broken invariant");
            assertThat(context.getBean(TaskOrchestrator.class).recent()).filteredOn(task -> task.name()
                    .equals("Service.failingLaterWithAnError")).singleElement()
                    .satisfies(task -> assertThat(task.failure().type()).isEqualTo("AssertionError"));
        });
    }

    /**
     * Cancelling the future an {@code @AsyncTask} method returned cancels its task, as cancelling
     * {@link SpawningTask#toCompletableFuture()} does (the returned future is another one: it rethrows the
     * method's own exception): the body is interrupted and the task ends {@code CANCELLED}, for each
     * future-like return type.
     */
    @Test
    void cancellingTheReturnedFutureCancelsTheTask() {
        runner.run(context -> {
            Service service = context.getBean(Service.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            List<Future<String>> futures = List.of(service.untilCancelled(), service.futureUntilCancelled(),
                    service.stageUntilCancelled().toCompletableFuture());
            await().alias("all three bodies started").atMost(Duration.ofSeconds(10))
                    .until(() -> service.sleeping() == 3);
            for (Future<String> future : futures) {
                assertThat(future.cancel(true)).isTrue();
                assertThat(future.isCancelled()).isTrue();
            }
            await().alias("the bodies were interrupted").atMost(Duration.ofSeconds(10))
                    .until(() -> service.interrupted() == 3);
            await().alias("the tasks ended cancelled").atMost(Duration.ofSeconds(10))
                    .until(() -> orchestrator.recent().stream().filter(task -> task.name().startsWith("until-cancelled"))
                            .filter(task -> task.status() == TaskStatus.CANCELLED).count() == 3);
            assertThat(orchestrator.liveCount()).isZero();
        });
    }

    /**
     * Interrupting the thread that called a blocking {@code @AsyncTask} method (one that returns its value,
     * not a future) ends the call with {@link CancellationException} and cancels the
     * task, as {@code ExecutorService.invokeAll} cancels what it waited for: nobody else holds the task, so
     * a body left running would be work no caller can see or stop.
     */
    @Test
    void interruptingTheCallerOfABlockingMethodCancelsItsTask() {
        runner.run(context -> {
            Service service = context.getBean(Service.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    service.blockingUntilCancelled();
                }
                catch (Throwable ex) {
                    thrown.set(ex);
                }
            });
            caller.start();
            await().alias("the body started").atMost(Duration.ofSeconds(10)).until(() -> service.sleeping() == 1);
            caller.interrupt();
            await().alias("the caller returned").atMost(Duration.ofSeconds(10)).until(() -> !caller.isAlive());
            assertThat(thrown.get()).isInstanceOf(CancellationException.class);
            await().alias("the body was interrupted").atMost(Duration.ofSeconds(10))
                    .until(() -> service.interrupted() == 1);
            await().alias("the task ended cancelled").atMost(Duration.ofSeconds(10))
                    .until(() -> orchestrator.recent().stream().filter(task -> task.name().equals("until-cancelled-blocking"))
                            .anyMatch(task -> task.status() == TaskStatus.CANCELLED));
            assertThat(orchestrator.liveCount()).isZero();
        });
    }

    /**
     * A task awaiting the future its method returned stops waiting when it times out (or is cancelled),
     * and cancels that future: a wait that ignored the interrupt left the task's thread blocked for good, a
     * runaway, although the task had ended.
     */
    @Test
    void aTimedOutTaskStopsAwaitingTheFutureItsMethodReturnedAndCancelsIt() {
        runner.run(context -> {
            Service service = context.getBean(Service.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            CompletableFuture<String> outer = service.neverCompletes();
            assertThatThrownBy(outer::get).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TaskTimeoutException.class);
            await().alias("the awaited future was cancelled").atMost(Duration.ofSeconds(10))
                    .until(() -> service.pending().isCancelled());
            await().alias("no body outlived its task").atMost(Duration.ofSeconds(10))
                    .until(() -> orchestrator.runawayCount() == 0 && orchestrator.liveCount() == 0);
            assertThat(orchestrator.recent()).filteredOn(task -> task.name().equals("Service.neverCompletes"))
                    .singleElement().satisfies(task -> assertThat(task.runaway()).isFalse());
        });
    }

    @Test
    void voidMethodsAreFireAndForget() {
        runner.run(context -> {
            Service service = context.getBean(Service.class);
            service.fireAndForget();
            await().atMost(Duration.ofSeconds(10)).until(() -> service.fired() == 1);
        });
    }

    /**
     * The warning that a fire-and-forget call failed carries the caller's MDC, as the task's own log lines
     * do: it was logged on whatever thread ended the task, so a request id was missing from it.
     */
    @Test
    void aFailedFireAndForgetCallIsLoggedWithTheCallersMdc() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("io.sweetasync.boot.aop.AsyncTaskAspect");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
                new ch.qos.logback.core.read.ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            runner.run(context -> {
                org.slf4j.MDC.put("requestId", "r-7");
                try {
                    context.getBean(Service.class).fireAndFail();
                }
                finally {
                    org.slf4j.MDC.remove("requestId");
                }
                await().alias("the fire-and-forget failure logged").atMost(Duration.ofSeconds(30))
                        .until(() -> events.list.stream().anyMatch(e -> e.getFormattedMessage().contains("fireAndFail")));
                ch.qos.logback.classic.spi.ILoggingEvent event = events.list.stream()
                        .filter(e -> e.getFormattedMessage().contains("fireAndFail")).findFirst().orElseThrow();
                assertThat(event.getMDCPropertyMap()).containsEntry("requestId", "r-7");
                assertThat(event.getThrowableProxy().getMessage()).isEqualTo("quota exceeded");
            });
        }
        finally {
            logger.detachAppender(events);
        }
    }

    @Test
    void placeholderTimeoutsAndRetriesApply() {
        runner.run(context -> {
            Service service = context.getBean(Service.class);
            assertThatThrownBy(service::slow).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("PT0.05S");
            assertThat(service.flaky()).isEqualTo(3);
        });
    }

    @Test
    void nestedAnnotatedCallsBecomeChildren() {
        runner.run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(service.parent()).isEqualTo(List.of("Helper.child", "Helper.child"));
            TaskInfo parent = context.getBean(TaskOrchestrator.class).recent().getFirst();
            assertThat(parent.name()).isEqualTo("Service.parent");
            assertThat(parent.children()).extracting(TaskInfo::name).containsExactly("Helper.child", "Helper.child");
        });
    }

    @Test
    void oneInterfaceMethodAnnotatedDifferentlyByTwoBeansKeepsEachBeansSettings() {
        for (String proxies : List.of("true", "false")) { // CGLIB proxies, then JDK interface proxies
            runner.withUserConfiguration(Greeters.class).withPropertyValues("spring.aop.proxy-target-class=" + proxies)
                    .run(context -> {
                        Greeter english = context.getBean("english", Greeter.class);
                        Greeter french = context.getBean("french", Greeter.class);
                        Greeter plain = context.getBean("plain", Greeter.class);
                        for (int call = 0; call < 3; call++) { // the first call of each bean makes its plan
                            assertThat(english.greet()).as("proxies " + proxies).isEqualTo("hello from english");
                            assertThat(french.greet()).as("proxies " + proxies).isEqualTo("bonjour from french");
                            assertThat(plain.greet()).as("not annotated: no task").isEqualTo("hi from no task");
                        }
                    });
        }
    }

    @Test
    void aUsersOwnAspectOnTheSameMethodRunsInsideTheTask() {
        runner.withUserConfiguration(Audited.class).run(context -> {
            Greeter audited = context.getBean("audited", Greeter.class);
            assertThat(audited.greet()).isEqualTo("[audited: hello from audited]");
            assertThat(audited.greet()).as("again, with the plan made").isEqualTo("[audited: hello from audited]");
            assertThat(context.getBean(AuditAspect.class).before).containsExactly("greet in audited", "greet in audited");
        });
    }

    @Test
    void withoutAspectjAdviceTheTaskSeesTheCallAsAPlainProxyCallDoes() {
        // Spring exposes the invocation only in chains with AspectJ advice; the task's thread must not pay for
        // a thread-local nobody reads (nor differ from the caller's view).
        runner.withUserConfiguration(Greeters.class).run(context -> {
            Greeter exposing = context.getBean("exposing", Greeter.class);
            assertThat(exposing.greet()).isEqualTo("in exposing: no invocation exposed");
        });
        runner.withUserConfiguration(Greeters.class, Audited.class).run(context -> {
            Greeter exposing = context.getBean("exposing", Greeter.class);
            assertThat(exposing.greet()).as("with a user's aspect on its chain").isEqualTo(
                    "[exposing: in exposing: greet exposed]"); // the user's audit aspect wraps it
        });
    }

    @Test
    void withoutAspectjTheAnnotationIsInertAndAWarningSaysSo(org.springframework.boot.test.system.CapturedOutput output) {
        runner.withClassLoader(new FilteredClassLoader(Advice.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Service.class).whereAmI()).isEqualTo("no task");
            assertThat(output).contains("@AsyncTask has no effect on").contains("Service.")
                    .contains("spring-boot-starter-aspectj");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Services {

        @Bean
        Helper helper() {
            return new Helper();
        }

        @Bean
        Service service(Helper helper) {
            return new Service(helper);
        }
    }

    interface Greeter {
        String greet();
    }

    @Configuration(proxyBeanMethods = false)
    static class Greeters {

        @Bean
        Greeter english() {
            return new Greeter() {
                @Override
                @AsyncTask(name = "english")
                public String greet() {
                    return "hello from " + TaskContext.current().map(TaskContext::name).orElse("no task");
                }
            };
        }

        @Bean
        Greeter french() {
            return new Greeter() {
                @Override
                @AsyncTask(name = "french")
                public String greet() {
                    return "bonjour from " + TaskContext.current().map(TaskContext::name).orElse("no task");
                }
            };
        }

        @Bean
        Greeter exposing() {
            return new Greeter() {
                @Override
                @AsyncTask(name = "exposing")
                public String greet() {
                    String task = TaskContext.current().map(TaskContext::name).orElse("no task");
                    try {
                        return "in " + task + ": " + org.springframework.aop.interceptor.ExposeInvocationInterceptor
                                .currentInvocation().getMethod().getName() + " exposed";
                    }
                    catch (IllegalStateException none) {
                        return "in " + task + ": no invocation exposed";
                    }
                }
            };
        }

        @Bean
        Greeter plain() {
            return () -> "hi from " + TaskContext.current().map(TaskContext::name).orElse("no task");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Audited {

        @Bean
        Greeter audited() {
            return new Greeter() {
                @Override
                @AsyncTask(name = "audited")
                public String greet() {
                    return "hello from " + TaskContext.current().map(TaskContext::name).orElse("no task");
                }
            };
        }

        @Bean
        AuditAspect auditAspect() {
            return new AuditAspect();
        }
    }

    /** A user's own AspectJ aspect on the same methods: its advice needs the invocation exposed on its thread. */
    @org.aspectj.lang.annotation.Aspect
    static class AuditAspect {

        @org.aspectj.lang.annotation.Around("execution(* *..AsyncTaskAspectTests.Greeter+.greet())")
        public Object audit(org.aspectj.lang.ProceedingJoinPoint call) throws Throwable {
            String where = TaskContext.current().map(TaskContext::name).orElse("no task");
            return "[" + where + ": " + call.proceed() + "]";
        }

        /** Before advice reads the join point from the invocation exposed on its own thread. */
        @org.aspectj.lang.annotation.Before("execution(* *..AsyncTaskAspectTests.Greeter+.greet())")
        public void before(org.aspectj.lang.JoinPoint call) {
            before.add(call.getSignature().getName() + " in " + TaskContext.current().map(TaskContext::name)
                    .orElse("no task"));
        }

        final List<String> before = new java.util.concurrent.CopyOnWriteArrayList<>();
    }

    static class Helper {

        @AsyncTask
        public String child() {
            return TaskContext.current().map(TaskContext::name).orElse("no task");
        }
    }

    static class Service {

        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger fired = new AtomicInteger();
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger sleeping = new AtomicInteger();
        final AtomicReference<CompletableFuture<String>> pending = new AtomicReference<>();
        final AtomicInteger interrupted = new AtomicInteger();
        private final Helper helper;

        Service(Helper helper) {
            this.helper = helper;
        }

        // Through methods: a CGLIB proxy does not carry the target's fields.
        public void release() {
            release.countDown();
        }

        public int fired() {
            return fired.get();
        }

        @AsyncTask
        public String whereAmI() {
            return TaskContext.current().map(TaskContext::name).orElse("no task");
        }

        @AsyncTask
        public String broken() throws IOException {
            throw new IOException("disk full");
        }

        @AsyncTask
        public CompletableFuture<String> later() throws InterruptedException {
            release.await();
            return CompletableFuture.completedFuture("later");
        }

        @AsyncTask
        public CompletionStage<String> stage() {
            return CompletableFuture.completedFuture("stage");
        }

        @AsyncTask
        public Future<String> future() {
            return CompletableFuture.completedFuture("future");
        }

        @AsyncTask(name = "custom-handle")
        public SpawningTask<String> handle() {
            return io.sweetasync.AsyncTask.to(String.class).named("inner").run(() -> "handle");
        }

        @AsyncTask
        public CompletableFuture<String> failingLater() {
            return CompletableFuture.failedFuture(new IllegalStateException("nope"));
        }

        @AsyncTask
        public CompletableFuture<String> failingLaterWithAnError() {
            return CompletableFuture.failedFuture(new AssertionError("broken invariant"));
        }

        @AsyncTask(timeout = "${svc.timeout}")
        public CompletableFuture<String> neverCompletes() {
            CompletableFuture<String> never = new CompletableFuture<>();
            pending.set(never);
            return never;
        }

        public CompletableFuture<String> pending() {
            return pending.get();
        }

        @AsyncTask(name = "until-cancelled-future")
        public CompletableFuture<String> untilCancelled() throws InterruptedException {
            return sleepUntilInterrupted();
        }

        @AsyncTask(name = "until-cancelled-plain-future")
        public Future<String> futureUntilCancelled() throws InterruptedException {
            return sleepUntilInterrupted();
        }

        @AsyncTask(name = "until-cancelled-stage")
        public CompletionStage<String> stageUntilCancelled() throws InterruptedException {
            return sleepUntilInterrupted();
        }

        @AsyncTask(name = "until-cancelled-blocking")
        public String blockingUntilCancelled() throws Exception {
            return sleepUntilInterrupted().get();
        }

        private CompletableFuture<String> sleepUntilInterrupted() throws InterruptedException {
            sleeping.incrementAndGet();
            try {
                Thread.sleep(Long.MAX_VALUE);
            }
            catch (InterruptedException ex) {
                interrupted.incrementAndGet();
                throw ex;
            }
            return CompletableFuture.completedFuture("never");
        }

        public int sleeping() {
            return sleeping.get();
        }

        public int interrupted() {
            return interrupted.get();
        }

        @AsyncTask
        public void fireAndForget() {
            fired.incrementAndGet();
        }

        @AsyncTask
        public void fireAndFail() {
            throw new IllegalStateException("quota exceeded");
        }

        @AsyncTask(timeout = "${svc.timeout}")
        public String slow() throws InterruptedException {
            Thread.sleep(Long.MAX_VALUE);
            return "never";
        }

        @AsyncTask(retries = 2, retryBackoff = "1ms", retryOn = IOException.class)
        public int flaky() throws IOException {
            int attempt = attempts.incrementAndGet();
            if (attempt < 3) {
                throw new IOException("attempt " + attempt);
            }
            return attempt;
        }

        @AsyncTask
        public List<String> parent() {
            return List.of(helper.child(), helper.child());
        }
    }
}
