package io.sweetasync.sample;

import io.sweetasync.annotation.AsyncTask;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The steps of a customer report; each runs as a child task of the report. */
@Component
public class ReportSteps {

    private final JdbcClient jdbc;

    ReportSteps(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Order count and total spent, from the imported orders. */
    @AsyncTask(name = "report-orders")
    public CompletableFuture<long[]> orders(String customer) {
        long[] figures = jdbc.sql("select count(*), coalesce(sum(total_cents), 0) from priced_order where customer = ?")
                .param(customer)
                .query((row, n) -> new long[] { row.getLong(1), row.getLong(2) })
                .single();
        return CompletableFuture.completedFuture(figures);
    }

    /** A loyalty score from a flaky scoring service: retried on {@link FlakyServiceException}. */
    @AsyncTask(name = "report-loyalty", retries = 3, retryBackoff = "20ms", retryOn = FlakyServiceException.class)
    public CompletableFuture<Integer> loyalty(String customer) throws InterruptedException {
        Thread.sleep(5 + ThreadLocalRandom.current().nextInt(20));
        if (ThreadLocalRandom.current().nextInt(3) == 0) {
            throw new FlakyServiceException("scoring service timed out for " + customer);
        }
        return CompletableFuture.completedFuture(Math.floorMod(customer.hashCode(), 100));
    }

    /** Three SKUs to recommend: the customer's most ordered ones. */
    @AsyncTask(name = "report-recommendations")
    public CompletableFuture<List<String>> recommendations(String customer) {
        return CompletableFuture.completedFuture(jdbc.sql("select sku from priced_order where customer = ? "
                + "group by sku order by sum(quantity) desc, sku limit 3").param(customer).query(String.class).list());
    }

    /** A transient failure of the scoring service. */
    public static class FlakyServiceException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        FlakyServiceException(String message) {
            super(message);
        }
    }
}
