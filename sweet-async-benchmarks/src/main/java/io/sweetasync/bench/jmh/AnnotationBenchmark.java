package io.sweetasync.bench.jmh;

import io.sweetasync.annotation.AsyncTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * An {@code @AsyncTask} method against a Spring {@code @Async} method on Boot's virtual-thread task
 * executor ({@code spring.threads.virtual.enabled=true}). {@link #sweetAsyncAnnotation} runs with the
 * starter's defaults (resource sampling on: every task's figures attributed from JDK Flight Recorder
 * events); {@link #sweetAsyncAnnotationUnsampled} is the same call with
 * {@code sweet.async.resource-sampling=false}: what the per-task figures cost, side by side.
 * {@link #springAsync} runs in that unsampled application, so that no Flight Recorder stream (whose
 * allocation events are process-wide) slows the baseline down: each benchmark starts only the application
 * it calls.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AnnotationBenchmark {

    /** One running application; {@link #sampling} says whether it samples per-task resource figures. */
    abstract static class App {

        ConfigurableApplicationContext context;
        Calls calls;

        abstract boolean sampling();

        @Setup(Level.Trial)
        public void setUp() {
            context = new SpringApplicationBuilder(BenchApp.class).web(WebApplicationType.NONE)
                    .properties("spring.threads.virtual.enabled=true", "logging.level.root=warn",
                            "spring.main.banner-mode=off", "sweet.async.resource-sampling=" + sampling())
                    .run();
            calls = context.getBean(Calls.class);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            context.close();
        }
    }

    /** The application with the starter's defaults (resource sampling on). */
    @State(Scope.Benchmark)
    public static class Sampled extends App {

        @Override
        boolean sampling() {
            return true;
        }
    }

    /** The application with resource sampling off, for {@link #sweetAsyncAnnotationUnsampled} and Spring's. */
    @State(Scope.Benchmark)
    public static class Unsampled extends App {

        @Override
        boolean sampling() {
            return false;
        }
    }

    @Benchmark
    public Integer sweetAsyncAnnotation(Sampled sampled) {
        return sampled.calls.sweet().join();
    }

    @Benchmark
    public Integer sweetAsyncAnnotationUnsampled(Unsampled unsampled) {
        return unsampled.calls.sweet().join();
    }

    @Benchmark
    public Integer springAsync(Unsampled unsampled) {
        return unsampled.calls.spring().join();
    }

    /** The application: auto-configuration (Sweet Async's starter, task execution, AOP) and one bean. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableAsync
    public static class BenchApp {

        @Bean
        Calls calls() {
            return new Calls();
        }
    }

    /** The same trivial work behind each annotation. */
    public static class Calls {

        @AsyncTask
        public CompletableFuture<Integer> sweet() {
            return CompletableFuture.completedFuture(42);
        }

        @Async
        public CompletableFuture<Integer> spring() {
            return CompletableFuture.completedFuture(42);
        }
    }
}
