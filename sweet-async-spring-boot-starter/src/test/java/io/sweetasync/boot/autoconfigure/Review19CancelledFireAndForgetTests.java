package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.annotation.AsyncTask;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * README: a {@code void} {@code @AsyncTask} method is fire-and-forget, its "failures logged". A call that was
 * cancelled (by {@code DELETE /actuator/asynctasks/{id}}, by its parent failing for good, by the shutdown after its
 * grace, which names the trees it cancelled in one warning) did not fail: it was logged all the same, as a WARN
 * "(fire-and-forget) failed" with the cancellation's stack trace, one per call, so a shutdown cancelling a thousand
 * queued audits logged a thousand stack traces. A cancelled call is logged at INFO, one line saying it was cancelled and
 * why; a real failure is still a WARN with its exception.
 */
class Review19CancelledFireAndForgetTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class))
            .withBean(Audit.class);

    static class Audit {
        static final CountDownLatch started = new CountDownLatch(1);
        static final CountDownLatch never = new CountDownLatch(1);

        @AsyncTask(name = "audit-waits")
        public void waits() throws InterruptedException {
            started.countDown();
            never.await(60, TimeUnit.SECONDS);
        }

        @AsyncTask(name = "audit-fails")
        public void fails() {
            throw new IllegalStateException("audit store down");
        }
    }

    @Test
    void aCancelledFireAndForgetCallIsNotLoggedAsAFailure() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.sweetasync.boot.aop.AsyncTaskAspect");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            runner.run(context -> {
                Audit audit = context.getBean(Audit.class);
                TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                audit.waits();
                assertThat(Audit.started.await(10, TimeUnit.SECONDS)).isTrue();
                TaskInfo waiting = orchestrator.roots().stream().filter(root -> root.name().equals("audit-waits"))
                        .findFirst().orElseThrow();
                assertThat(orchestrator.cancel(waiting.id())).isTrue();
                await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.find(waiting.id())
                        .map(TaskInfo::status).orElse(null) == TaskStatus.CANCELLED);
                audit.fails(); // a real failure, logged after the cancellation's outcome was
                await().alias("the failure logged").atMost(Duration.ofSeconds(30)).until(() -> messages(events)
                        .stream().anyMatch(message -> message.contains("audit-fails")));
                List<ILoggingEvent> logged = List.copyOf(events.list);
                assertThat(logged).filteredOn(event -> event.getFormattedMessage().contains("audit-fails"))
                        .singleElement().satisfies(event -> {
                            assertThat(event.getLevel()).isEqualTo(Level.WARN);
                            assertThat(event.getFormattedMessage()).contains("failed");
                            assertThat(event.getThrowableProxy().getMessage()).isEqualTo("audit store down");
                        });
                assertThat(logged).filteredOn(event -> event.getFormattedMessage().contains("audit-waits"))
                        .allSatisfy(event -> {
                            assertThat(event.getLevel()).isEqualTo(Level.INFO);
                            assertThat(event.getFormattedMessage()).contains("cancelled").doesNotContain("failed");
                            assertThat(event.getThrowableProxy()).isNull();
                        });
            });
        }
        finally {
            logger.detachAppender(events);
            Audit.never.countDown();
        }
    }

    private static List<String> messages(ListAppender<ILoggingEvent> events) {
        return List.copyOf(events.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
