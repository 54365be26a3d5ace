package io.sweetasync.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.autoconfigure.SweetAsyncAspectAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration;
import io.sweetasync.boot.autoconfigure.SweetAsyncStoreAutoConfiguration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A durable method declared on a generic base class ({@code Processor<T>}, {@code process(T item)}) of a bean that
 * binds the type ({@code InvoiceProcessor extends Processor<Invoice>}): the handler decoded each stored argument as
 * the method's erased parameter type, {@code Object}, so the body got a JSON map where its {@code Invoice} was
 * expected and failed with a ClassCastException, on the first run as after a crash.
 */
class Review12DurableGenericTests {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    public record Invoice(String customer, int cents) {
    }

    public abstract static class Processor<T> {
        @AsyncTask(name = "process-invoice", durable = true)
        public String process(T item) {
            return describe(item);
        }

        protected abstract String describe(T item);
    }

    public static class InvoiceProcessor extends Processor<Invoice> {
        @Override
        protected String describe(Invoice invoice) {
            return invoice.customer() + ":" + invoice.cents();
        }
    }

    public static class Batches {
        @AsyncTask(name = "bill-batch", durable = true)
        public int total(java.util.List<Invoice> invoices) {
            int cents = 0;
            for (Invoice invoice : invoices) {
                cents += invoice.cents();
            }
            return cents;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Setup {

        @Bean
        DataSource dataSource() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:review12generic" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            return h2;
        }

        @Bean
        Batches batches() {
            return new Batches();
        }

        @Bean
        InvoiceProcessor invoiceProcessor() {
            return new InvoiceProcessor();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncStoreAutoConfiguration.class,
                    SweetAsyncAutoConfiguration.class, SweetAsyncAspectAutoConfiguration.class))
            .withUserConfiguration(Setup.class)
            .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.shutdown.grace=1s");

    @Test
    void aDurableMethodOfAGenericBaseClassGetsItsArgumentAsTheBeansType() {
        runner.run(context -> {
            InvoiceProcessor processor = context.getBean(InvoiceProcessor.class);
            assertThat(processor.process(new Invoice("acme", 250))).isEqualTo("acme:250");
        });
    }

    /**
     * A durable method taking a parameterized type ({@code List<Invoice>}, a batch) got a list of JSON maps: the
     * handler could decode only as the parameter's class ({@code DurableCodec.decode(String, Class)}), so the element
     * type was lost and the body's loop failed with a ClassCastException, on the first run as after a crash. Now it
     * decodes into the generic type ({@code DurableCodec.decode(String, Type)}).
     */
    @Test
    void aDurableMethodTakingAListGetsItsElementsAsTheirType() {
        runner.run(context -> {
            Batches batches = context.getBean(Batches.class);
            assertThat(batches.total(java.util.List.of(new Invoice("acme", 250), new Invoice("globex", 100))))
                    .isEqualTo(350);
        });
    }
}
