package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.jdbc.JdbcTaskStore;
import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code @AsyncTask(durable = true)}: stored calls, re-run after a crash through the bean, refused without a store. */
class DurableAsyncTaskTests {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    record Invoice(String customer, int cents) {
    }

    static class Billing {
        private final List<String> calls = new CopyOnWriteArrayList<>();

        public List<String> calls() {
            return calls; // through the proxy: its own fields are not the bean's
        }

        @AsyncTask(name = "bill", durable = true)
        public String bill(Invoice invoice, int copies) {
            int attempt = TaskContext.current().orElseThrow().attempt();
            calls.add(invoice.customer() + "x" + copies + "@" + attempt);
            return invoice.customer() + ":" + invoice.cents() * copies;
        }

        @AsyncTask(name = "notify", durable = true)
        public String notify(Object payload) {
            return "sent";
        }

        @AsyncTask(name = "bill-later", durable = true)
        public SpawningTask<String> billLater(Invoice invoice) {
            return null; // the aspect returns the task's handle
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Setup {

        @Bean
        DataSource dataSource() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:durable" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            return h2;
        }

        @Bean
        Billing billing() {
            return new Billing();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncStoreAutoConfiguration.class,
                    SweetAsyncAutoConfiguration.class, SweetAsyncAspectAutoConfiguration.class))
            .withUserConfiguration(Setup.class);

    @Test
    void aDurableMethodIsStoredRunsAndItsStoredInvocationRunsAgainThroughTheBean() {
        runner.withPropertyValues("sweet.async.store.enabled=true", "sweet.async.store.lease=3s",
                "sweet.async.store.flush-interval=100ms").run(context -> {
            Billing billing = context.getBean(Billing.class);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            assertThat(billing.bill(new Invoice("acme", 250), 2)).isEqualTo("acme:500");
            assertThat(billing.calls()).containsExactly("acmex2@1");

            // An invocation stored by a process that died: this start runs it again, through the bean.
            TaskStore store = context.getBean(TaskStore.class);
            DurableCodec codec = context.getBean(DurableCodec.class);
            long dead = store.open("crashed", Duration.ofMillis(-1)).number();
            TaskId id = TaskId.of(dead, 7);
            String arguments = codec.encode(new String[] { codec.encode(new Invoice("globex", 100)), codec.encode(3) });
            long now = System.currentTimeMillis();
            store.enqueue(new DurableRecord(id.value(), "bill", arguments, "PENDING", 1, dead, null, null, now),
                    new TaskRecord(id.value(), 0, id.value(), "bill", "RUNNING", "NORMAL", null, "virtual", Map.of(), now,
                            now, 0, 1, null, null, 0, 0, -1, -1, -1, -1, "UUUU", "crashed", dead, true));
            await().atMost(Duration.ofSeconds(30)).until(() -> billing.calls().contains("globexx3@2"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(orchestrator.storedResult(id, String.class))
                    .hasValueSatisfying(result -> assertThat(result.orElseThrow()).isEqualTo("globex:300")));
            assertThat(billing.calls()).hasSize(2); // the re-run was not stored as a new task
        });
    }

    /** The first thing a new user forgets: the store. Start-up stops naming the method and the property to set. */
    @Test
    void aDurableMethodWithoutTheStoreStopsStartUpNamingTheMethodAndTheProperty() {
        runner.run(context -> {
            assertThat(context).hasFailed();
            Throwable cause = context.getStartupFailure();
            StringBuilder messages = new StringBuilder();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            assertThat(messages.toString()).contains("@AsyncTask(durable = true) on")
                    .contains("DurableAsyncTaskTests$Billing.").contains("sweet.async.store.enabled=true");
        });
    }

    /**
     * A durable method of a bean behind a JDK interface proxy, annotated on the implementing method, runs:
     * its handler was never registered (the start-up scan read the proxy class's methods, which carry no
     * annotation), so every call failed for want of a handler.
     */
    @Test
    void aDurableMethodOfABeanBehindAnInterfaceProxyRuns() {
        runner.withUserConfiguration(MailerConfig.class)
                .withPropertyValues("sweet.async.store.enabled=true", "spring.aop.proxy-target-class=false")
                .run(context -> {
                    Mailer mailer = context.getBean(Mailer.class);
                    assertThat(java.lang.reflect.Proxy.isProxyClass(mailer.getClass())).isTrue();
                    assertThat(mailer.mail("ops")).isEqualTo("mailed ops in mail");
                });
    }

    /**
     * An unnamed durable method behind a JDK interface proxy keeps its handler's name, stored with each call: an
     * unnamed method's task is named after the bean's class, but a durable one's name is its handler's, kept
     * stable for the stored calls of earlier runs.
     */
    @Test
    void anUnnamedDurableMethodBehindAnInterfaceProxyKeepsItsHandlersName() {
        runner.withBean(Courier.class, PostCourier::new)
                .withPropertyValues("sweet.async.store.enabled=true", "spring.aop.proxy-target-class=false")
                .run(context -> {
                    assertThat(context.getBean(Courier.class).deliver("parcel")).isEqualTo("delivered parcel in Courier.deliver");
                });
    }

    interface Courier {
        String deliver(String item);
    }

    static class PostCourier implements Courier {
        @Override
        @AsyncTask(durable = true)
        public String deliver(String item) {
            return "delivered " + item + " in " + TaskContext.current().map(TaskContext::name).orElse("no task");
        }
    }

    interface Mailer {
        String mail(String to);
    }

    @Configuration(proxyBeanMethods = false)
    static class MailerConfig {

        @Bean
        Mailer mailer() {
            return new Mailer() {
                @Override
                @AsyncTask(name = "mail", durable = true)
                public String mail(String to) {
                    return "mailed " + to + " in " + TaskContext.current().map(TaskContext::name).orElse("no task");
                }
            };
        }
    }

    @Test
    void aDurableMethodReturningAHandleReturnsAtOnce() {
        runner.withPropertyValues("sweet.async.store.enabled=true").run(context -> {
            SpawningTask<String> handle = context.getBean(Billing.class).billLater(new Invoice("acme", 1));
            assertThat(handle.join()).isNull();
            assertThat(handle.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(handle.name()).isEqualTo("bill-later");
        });
    }

    @Test
    void durableMethodsWithoutAStoreStopStartUpSayingWhatToSet() {
        runner.run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("sweet.async.store.enabled=true");
        });
    }

    /**
     * A task store but no codec for the arguments (no Jackson on the classpath, so no JSON codec, and no
     * DurableCodec bean): start-up stops naming the missing codec. It said "needs a task store: set
     * sweet.async.store.enabled=true", though there was a store.
     */
    @Test
    void aDurableMethodWithAStoreButNoCodecStopsStartUpNamingTheMissingCodec() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                        SweetAsyncAspectAutoConfiguration.class))
                .withUserConfiguration(Setup.class)
                .withBean(TaskStore.class, () -> {
                    JdbcDataSource h2 = new JdbcDataSource();
                    h2.setURL("jdbc:h2:mem:codec" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
                    JdbcTaskStore store = new JdbcTaskStore(h2);
                    store.initializeSchema();
                    return store;
                })
                .run(context -> {
                    assertThat(context).hasFailed();
                    String failure = stackTrace(context.getStartupFailure());
                    assertThat(failure).contains("@AsyncTask(durable = true) on").contains("DurableCodec")
                            .contains("tools.jackson.core:jackson-databind")
                            .doesNotContain("set sweet.async.store.enabled=true");
                });
    }

    private static String stackTrace(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    /**
     * Two durable methods whose task names are the same (overloads named by default, "Sender.send") stop
     * start-up naming both methods and the fix: the message said only "a handler named 'Sender.send' is
     * already registered".
     */
    @Test
    void twoDurableMethodsWithOneTaskNameStopStartUpNamingBoth() {
        runner.withBean(Sender.class).withPropertyValues("sweet.async.store.enabled=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("Sender.send(java.lang.String)")
                    .hasMessageContaining("Sender.send(java.lang.Integer)").hasMessageContaining("'Sender.send'")
                    .hasMessageContaining("name =");
        });
    }

    static class Sender {
        @AsyncTask(durable = true)
        public String send(String to) {
            return to;
        }

        @AsyncTask(durable = true)
        public String send(Integer account) {
            return "account " + account;
        }
    }

    @Test
    void anArgumentThatCannotBeStoredFailsTheCallNamingIt() {
        runner.withPropertyValues("sweet.async.store.enabled=true").run(context -> assertThatThrownBy(
                () -> context.getBean(Billing.class).notify(new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument 0").hasMessageContaining("notify"));
    }
}
