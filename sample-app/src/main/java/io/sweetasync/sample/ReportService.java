package io.sweetasync.sample;

import io.sweetasync.annotation.AsyncTask;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Service;

/** Builds customer reports: a task whose three steps run concurrently as its children. */
@Service
public class ReportService {

    private final ReportSteps steps;

    ReportService(ReportSteps steps) {
        this.steps = steps;
    }

    /** A customer's report; the whole tree must finish within {@code sample.report.timeout}. */
    @AsyncTask(name = "customer-report", timeout = "${sample.report.timeout:5s}")
    public CustomerReport report(String customer) throws InterruptedException {
        CompletableFuture<long[]> orders = steps.orders(customer);
        CompletableFuture<Integer> loyalty = steps.loyalty(customer);
        CompletableFuture<List<String>> recommendations = steps.recommendations(customer);
        long[] figures = orders.join();
        // The scoring service is flaky: its step retries, and if it still fails the report says the score
        // is unavailable rather than failing as a whole.
        Integer score = loyalty.exceptionally(error -> null).join();
        return new CustomerReport(customer, figures[0], figures[1], score, recommendations.join());
    }

    /** A customer report; {@code loyaltyScore} is null when the scoring service stayed unavailable. */
    public record CustomerReport(String customer, long orders, long totalCents, Integer loyaltyScore,
            List<String> recommendedSkus) {
    }
}
