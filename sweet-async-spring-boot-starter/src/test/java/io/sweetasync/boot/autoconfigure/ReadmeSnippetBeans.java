package io.sweetasync.boot.autoconfigure;

import io.sweetasync.AsyncTask;                                  // the fluent API
import io.sweetasync.TaskContext;
import java.io.IOException;
import java.time.Month;
import java.time.YearMonth;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Service;

/** The README's Spring snippets as written, with stand-in types and bodies where the README has "...". */
final class ReadmeSnippetBeans {

    private ReadmeSnippetBeans() {
    }

    record Report(String text) {
    }

    record Price(long cents) {
    }

    record Order(String id) {
    }

    record Event(String what) {
    }

    // --- README: Usage ---
    @Service
    static class Reports {
        @io.sweetasync.annotation.AsyncTask(timeout = "30s")         // the annotation, qualified
        public Report monthly(YearMonth month) {
            return build(month);
        }

        Report now() {
            return AsyncTask.to(Report.class).named("report-now").await(() -> build(YearMonth.now()));
        }

        Report build(YearMonth month) {
            return new Report(month + " by " + TaskContext.current().map(TaskContext::name).orElse("no task"));
        }
    }
    // --- end ---

    @Service
    static class Pricing {
        final AtomicInteger calls = new AtomicInteger();
        final List<String> audited = new CopyOnWriteArrayList<>();

        public int calls() {
            return calls.get();
        }

        public List<String> audited() {
            return audited;
        }

        // --- README: @AsyncTask ---
        @io.sweetasync.annotation.AsyncTask(name = "price-order", timeout = "${pricing.timeout:5s}", retries = 2,
                retryBackoff = "200ms", retryOn = IOException.class, group = "pricing")
        public Price price(Order order) throws IOException {
            if (calls.incrementAndGet() < 3) {
                throw new IOException("pricing down (call " + calls.get() + ")");
            }
            return new Price(order.id().length());
        }

        @io.sweetasync.annotation.AsyncTask
        public CompletableFuture<Report> report(Month month) {          // returns at once; cancel() cancels the task
            return CompletableFuture.completedFuture(new Report(month.name()));
        }

        @io.sweetasync.annotation.AsyncTask(detached = true)
        public void audit(Event event) {       // fire-and-forget, also inside a task; failures logged (with your MDC)
            audited.add(TaskContext.current().map(TaskContext::name).orElse("no task") + ":" + event.what());
            if (event.what().equals("bad")) {
                throw new IllegalStateException("audit failed");
            }
        }
        // --- end ---

        @io.sweetasync.annotation.AsyncTask(name = "always-down", retries = 2, retryBackoff = "1ms",
                retryOn = IOException.class)
        public Price down() throws IOException {
            throw new IOException("still down");
        }
    }

    static class NoRetries {
        final AtomicInteger calls = new AtomicInteger();

        public int calls() {
            return calls.get();
        }

        @io.sweetasync.annotation.AsyncTask(retries = 0)
        public String once() throws IOException {
            calls.incrementAndGet();
            throw new IOException("fails");
        }

        @io.sweetasync.annotation.AsyncTask
        public String byDefault() throws IOException {
            calls.incrementAndGet();
            throw new IOException("fails");
        }
    }
}
