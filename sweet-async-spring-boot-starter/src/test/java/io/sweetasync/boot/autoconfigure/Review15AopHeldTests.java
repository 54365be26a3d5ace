package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.annotation.AsyncTask;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Review 15 of the {@code @AsyncTask} aspect, what held: a generic interface's method called through its bridge and an
 * interface's default method each run as one task; {@code null} and primitive values come back as the method gave
 * them; cancelling a {@code CompletionStage}'s future cancels the task; an interrupted caller's cancel reaches the
 * child its task's body was waiting for; a zero timeout and one beyond {@code Duration}'s range stop start-up naming
 * the method, a huge one in range is accepted.
 */
class Review15AopHeldTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class))
            .withUserConfiguration(Setup.class);

    interface Handler<T> {
        @AsyncTask(name = "bridged")
        String handle(T item);

        @AsyncTask(name = "defaulted")
        default String viaDefault() {
            return TaskContext.current().map(TaskContext::name).orElse("no task");
        }
    }

    static class StringHandler implements Handler<String> {
        @Override
        public String handle(String item) {
            return TaskContext.current().map(c -> c.name() + ":" + c.parent().isPresent()).orElse("no task") + ":" + item;
        }
    }

    static class Inner {
        static final CountDownLatch innerStarted = new CountDownLatch(1);
        static final AtomicInteger innerInterrupted = new AtomicInteger();

        @AsyncTask(name = "inner-blocking")
        public String innerBlocking() throws InterruptedException {
            innerStarted.countDown();
            try {
                Thread.sleep(60_000);
            }
            catch (InterruptedException ex) {
                innerInterrupted.incrementAndGet();
                throw ex;
            }
            return "done";
        }

        @AsyncTask(name = "null-future")
        public CompletableFuture<String> nullFuture() {
            return null;
        }

        @AsyncTask(name = "null-blocking")
        public String nullBlocking() {
            return null;
        }

        @AsyncTask(name = "int-blocking")
        public int intBlocking() {
            return 42;
        }

        @AsyncTask(name = "stage")
        public CompletionStage<String> stage() throws InterruptedException {
            Thread.sleep(60_000);
            return CompletableFuture.completedFuture("late");
        }
    }

    static class Outer {
        private final Inner inner;

        Outer(Inner inner) {
            this.inner = inner;
        }

        @AsyncTask(name = "outer-blocking")
        public String outerBlocking() throws InterruptedException {
            return inner.innerBlocking();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Setup {
        @Bean
        StringHandler stringHandler() {
            return new StringHandler();
        }

        @Bean
        Inner inner() {
            return new Inner();
        }

        @Bean
        Outer outer(Inner inner) {
            return new Outer(inner);
        }
    }

    @Test
    void bridgedAndDefaultMethods() {
        runner.run(context -> {
            Handler<String> handler = context.getBean(StringHandler.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            assertThat(handler.handle("x")).isEqualTo("bridged:false:x");
            assertThat(handler.viaDefault()).isEqualTo("defaulted");
            await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.liveCount() == 0);
            List<TaskInfo> recent = orchestrator.recent();
            assertThat(recent.stream().filter(t -> t.name().equals("bridged"))).hasSize(1);
        });
    }

    @Test
    void nullsAndPrimitives() {
        runner.run(context -> {
            Inner inner = context.getBean(Inner.class);
            assertThat(inner.nullBlocking()).isNull();
            assertThat(inner.intBlocking()).isEqualTo(42);
            CompletableFuture<String> future = inner.nullFuture();
            assertThat(future).isNotNull();
            assertThat(future.get(10, TimeUnit.SECONDS)).isNull();
        });
    }

    @Test
    void cancellingAStagesFutureCancelsTheTask() {
        runner.run(context -> {
            Inner inner = context.getBean(Inner.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            CompletionStage<String> stage = inner.stage();
            await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.liveCount() == 1);
            stage.toCompletableFuture().cancel(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.liveCount() == 0);
            assertThat(orchestrator.recent().stream().filter(t -> t.name().equals("stage")))
                    .allSatisfy(t -> assertThat(t.status()).isEqualTo(TaskStatus.CANCELLED));
        });
    }

    @Test
    void interruptingTheOuterCallerCancelsTheInnerChild() {
        runner.run(context -> {
            Outer outer = context.getBean(Outer.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    outer.outerBlocking();
                }
                catch (Throwable ex) {
                    thrown.set(ex);
                }
            });
            caller.start();
            assertThat(Inner.innerStarted.await(30, TimeUnit.SECONDS)).isTrue();
            caller.interrupt();
            caller.join(30_000);
            assertThat(thrown.get()).isInstanceOf(CancellationException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> Inner.innerInterrupted.get() == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.liveCount() == 0);
            TaskInfo root = orchestrator.recent().stream().filter(t -> t.name().equals("outer-blocking")).findFirst()
                    .orElseThrow();
            assertThat(root.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(orchestrator.find(root.id()).orElseThrow().children())
                    .allSatisfy(c -> assertThat(c.status()).isEqualTo(TaskStatus.CANCELLED));
        });
    }

    static class BadTimeouts {
        @AsyncTask(timeout = "PT0S")
        public String zero() {
            return "";
        }
    }

    static class HugeTimeout {
        @AsyncTask(timeout = "99999999999999999d")
        public String huge() {
            return "";
        }
    }

    static class HugeIsoTimeout {
        @AsyncTask(timeout = "PT2562047788015215H")
        public String huge() {
            return TaskContext.current().map(TaskContext::name).orElse("no task");
        }
    }

    @Test
    void zeroAndOutOfRangeTimeoutsStopStartUpNamingTheMethodAndAHugeOneRuns() {
        ApplicationContextRunner plain = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                        SweetAsyncAspectAutoConfiguration.class));
        plain.withBean(BadTimeouts.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("BadTimeouts.zero()")
                    .hasMessageContaining("timeout must be positive, was PT0S");
        });
        plain.withBean(HugeTimeout.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("HugeTimeout.huge()")
                    .hasMessageContaining("'99999999999999999d'");
        });
        plain.withBean(HugeIsoTimeout.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(HugeIsoTimeout.class).huge()).isEqualTo("HugeIsoTimeout.huge");
        });
    }
}
