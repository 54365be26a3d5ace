package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.sweetasync.hostile.LogLines;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Review of 0a0acd17 (StallWatch). */
@Timeout(120)
class StallWatchReviewTest {

    private Duration before;

    @BeforeEach
    void shortStall() {
        before = StallWatch.stallAfter;
        StallWatch.stallAfter = Duration.ofSeconds(1);
    }

    @AfterEach
    void restore() {
        StallWatch.stallAfter = before;
    }

    /**
     * close() unwatches before it takes the runtime's lock and sets closed; execute() watches under that lock when
     * it starts the threads. A first execute that holds the lock between the two (another orchestrator sharing the
     * runtime submits its first task while this one closes it) puts the runtime in StallWatch's set after the close
     * removed it: the closed runtime stays there for ever, and so does the sweet-async-stall-watch thread.
     */
    @Test
    void aRuntimeClosedAsItsFirstTaskIsQueuedLeavesNoWatchThreadBehind() throws Exception {
        PooledRuntime runtime = (PooledRuntime) TaskRuntime.platform("racy", 1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(runtime).build()) {
            ReentrantLock lock = field(runtime, PooledRuntime.class, "lock");
            Thread submitter;
            Thread closer;
            lock.lock();
            try {
                submitter = Thread.ofPlatform().start(() -> {
                    try {
                        orchestrator.to(String.class).runtime("racy").run(() -> "x");
                    }
                    catch (RejectedExecutionException | AsyncTaskException ignored) {
                        // either way
                    }
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> lock.hasQueuedThread(submitter));
                closer = Thread.ofPlatform().start(() -> {
                    try {
                        runtime.close(1_000); // as the other orchestrator's Runtimes.close does
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> lock.hasQueuedThread(closer));
            }
            finally {
                lock.unlock(); // the submitter, queued first, takes it first
            }
            submitter.join(10_000);
            closer.join(10_000);
            try {
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(watchThreads())
                        .as("every pooled runtime of this JVM is closed").isEmpty());
            }
            finally {
                StallWatch.unwatch(runtime); // cleanup of the leak for the tests after this one
            }
        }
    }

    /**
     * Many orchestrators built, used and closed at once, some closed while a task is being submitted: once all are
     * closed no stall-watch thread is left.
     */
    @Test
    void concurrentBuildUseAndCloseLeaveNoWatchThread() throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 40; i++) {
                        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                                .runtime(TaskRuntime.platform("p", 2)).build();
                        CountDownLatch go = new CountDownLatch(1);
                        Thread racer = Thread.ofPlatform().start(() -> {
                            try {
                                go.await();
                                orchestrator.to(String.class).runtime("p").run(() -> "x");
                            }
                            catch (InterruptedException | RuntimeException ignored) {
                                // rejected: closed first
                            }
                        });
                        orchestrator.to(String.class).runtime("single").run(() -> "y").get(10, TimeUnit.SECONDS);
                        go.countDown();
                        try {
                            orchestrator.close();
                        }
                        catch (IllegalThreadStateException clockRace) {
                            // SystemClock.close joins a scheduler thread never started: see the test below
                        }
                        racer.join();
                    }
                }
                catch (Throwable ex) {
                    failure.compareAndSet(null, ex);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failure.get()).isNull();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(watchThreads()).isEmpty());
    }

    /**
     * Not this change's (pre-existing, SystemClock): close() racing the first use of the orchestrator's clock throws
     * IllegalThreadStateException ("Thread not started") out of close(): the scheduler's thread factory records a
     * thread that ThreadPoolExecutor.addWorker then never starts (it saw the shutdown), and close joins it.
     */
    @Test
    void closeRacingTheClocksFirstUseDoesNotThrow() throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                                .runtime(TaskRuntime.platform("p", 2)).build();
                        CountDownLatch go = new CountDownLatch(1);
                        Thread racer = Thread.ofPlatform().start(() -> {
                            try {
                                go.await();
                                orchestrator.to(String.class).runtime("p").run(() -> "x");
                            }
                            catch (InterruptedException | RuntimeException ignored) {
                                // rejected: closed first
                            }
                        });
                        orchestrator.to(String.class).runtime("single").run(() -> "y").get(10, TimeUnit.SECONDS);
                        go.countDown();
                        orchestrator.close(); // must not throw
                        racer.join();
                    }
                }
                catch (Throwable ex) {
                    failure.compareAndSet(null, ex);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failure.get()).isNull();
    }

    /**
     * "A pool busy computing is not warned about": the look samples each thread's state once, so a body that
     * computes and now and then waits briefly (a throttle's sleep, a contended logger, a poll of a queue) is seen
     * WAITING/TIMED_WAITING on some look; once 10 s (here 1 s) passed without a start, that look warns that the
     * queued task "never starts". Its queue is only saturated: it moves as soon as the body returns.
     */
    @Test
    void aSaturatedBodyThatWaitsBrieflyNowAndThenIsNotCalledAStall() throws Exception {
        try (LogLines log = LogLines.capture(StallWatch.class.getName());
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.single("throttled"))
                        .build()) {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch working = new CountDownLatch(1);
            SpawningTask<Long> worker = orchestrator.to(Long.class).runtime("throttled").run(() -> {
                working.countDown();
                long work = 0;
                while (!stop.get()) {
                    long until = System.nanoTime() + 1_000_000;
                    while (System.nanoTime() < until) {
                        work++; // 1 ms of computing
                    }
                    Thread.sleep(2); // a throttle / a rate limiter / a poll with a short timeout
                }
                return work;
            });
            assertThat(working.await(10, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> queued = orchestrator.to(String.class).runtime("throttled").run(() -> "ran");
            Thread.sleep(5_000);
            stop.set(true);
            assertThat(worker.get(10, TimeUnit.SECONDS)).isPositive();
            assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(warnings(log)).as("a computing pool is saturated, not stalled").isEmpty();
        }
    }

    /**
     * "Computing or in I/O (a thread state of RUNNABLE)": the JDK's own HTTP client waits in
     * CompletableFuture.get (WAITING) for its answer. A body calling a slow endpoint is warned about as a stall
     * ("waits for something the engine cannot see, so a task queued here ... never starts").
     */
    @Test
    void aBodyWaitingForASlowHttpAnswerIsNotCalledAStall() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try {
                Thread.sleep(3_500);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "slow".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try (LogLines log = LogLines.capture(StallWatch.class.getName());
                HttpClient client = HttpClient.newHttpClient();
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.single("http")).build()) {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            CountDownLatch calling = new CountDownLatch(1);
            SpawningTask<String> call = orchestrator.to(String.class).runtime("http").run(() -> {
                calling.countDown();
                return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            });
            assertThat(calling.await(10, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> queued = orchestrator.to(String.class).runtime("http").run(() -> "ran");
            assertThat(call.get(20, TimeUnit.SECONDS)).isEqualTo("slow");
            assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(warnings(log)).as("a body in I/O is saturation, not a stall").isEmpty();
        }
        finally {
            server.stop(0);
        }
    }

    /**
     * A virtual spare (maxSpareThreads 0, or past the platform spares) blocked in a socket read is WAITING, where a
     * platform thread in the same read is RUNNABLE: the same saturated pool is called stalled when its slot is held
     * by a virtual spare in I/O.
     */
    @Test
    void aVirtualSpareInSocketIoIsNotCalledAStall() throws Exception {
        try (ServerSocket server = new ServerSocket(0);
                LogLines log = LogLines.capture(StallWatch.class.getName());
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("v", 1, 0))
                        .build()) {
            Thread answerer = Thread.ofPlatform().start(() -> {
                try (Socket accepted = server.accept()) {
                    Thread.sleep(3_500);
                    accepted.getOutputStream().write(42);
                }
                catch (Exception ignored) {
                    // the test fails on its own
                }
            });
            CountDownLatch reading = new CountDownLatch(1);
            SpawningTask<Integer> parent = orchestrator.to(Integer.class).runtime("v").run(() -> {
                SpawningTask<Integer> child = orchestrator.to(Integer.class).runtime("v").run(() -> {
                    try (Socket socket = new Socket("127.0.0.1", server.getLocalPort())) {
                        reading.countDown();
                        InputStream in = socket.getInputStream();
                        return in.read();
                    }
                });
                return child.get(); // a managed wait: the slot goes to a (virtual) spare
            });
            assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> queued = orchestrator.to(String.class).runtime("v").run(() -> "ran");
            assertThat(parent.get(20, TimeUnit.SECONDS)).isEqualTo(42);
            assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            answerer.join();
            assertThat(warnings(log)).as("a spare in I/O is saturation, not a stall").isEmpty();
        }
    }

    /**
     * The watch thread's own WARNING reaches a log handler that closes the orchestrator (an application that stops
     * on a stall): the close runs on the watch thread, which unwatches itself. No hang, and no thread left.
     */
    @Test
    void aCloseFromTheWatchThreadsOwnWarningEndsAndLeavesNoThread() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.single("stuck")).build();
        CountDownLatch closed = new CountDownLatch(1);
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(StallWatch.class.getName());
        java.util.logging.Handler closer = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel() == java.util.logging.Level.WARNING) {
                    orchestrator.close();
                    closed.countDown();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(closer);
        try {
            CountDownLatch latch = new CountDownLatch(1);
            CountDownLatch waiting = new CountDownLatch(1);
            orchestrator.to(String.class).runtime("stuck").run(() -> {
                waiting.countDown();
                latch.await();
                return "done";
            });
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
            orchestrator.to(String.class).runtime("stuck").run(() -> {
                latch.countDown();
                return "opened";
            });
            assertThat(closed.await(30, TimeUnit.SECONDS)).as("the close from the watch thread ended").isTrue();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(watchThreads()).isEmpty());
        }
        finally {
            logger.removeHandler(closer);
            orchestrator.close();
        }
    }

    /** close() from inside a body on a watched runtime: no hang, no watch thread left. */
    @Test
    void aCloseFromInsideABodyLeavesNoWatchThread() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("p", 2)).build();
        SpawningTask<String> task = orchestrator.to(String.class).runtime("p").run(() -> {
            orchestrator.close();
            return "closed";
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> task.status().isTerminal());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(watchThreads()).isEmpty());
        orchestrator.close();
    }

    /**
     * The stall's clock runs from the last start, not from when the threads began to wait: a body that computed
     * past stallAfter (saturated: no warning) and then waits for a moment (one look long, far less than stallAfter)
     * is warned about at once, "none started for 4 s", as if it had waited that long.
     */
    @Test
    void aWaitShorterThanStallAfterAfterLongComputingIsNotCalledAStall() throws Exception {
        StallWatch.stallAfter = Duration.ofSeconds(3);
        try (LogLines log = LogLines.capture(StallWatch.class.getName());
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.single("batch"))
                        .build()) {
            CountDownLatch working = new CountDownLatch(1);
            SpawningTask<Long> worker = orchestrator.to(Long.class).runtime("batch").run(() -> {
                working.countDown();
                long work = 0;
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                while (System.nanoTime() < until) {
                    work++; // 4 s of computing: saturated
                }
                Thread.sleep(1_200); // then one short wait (a lock, a connection from a pool, a remote call)
                return work;
            });
            assertThat(working.await(10, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> queued = orchestrator.to(String.class).runtime("batch").run(() -> "ran");
            assertThat(worker.get(20, TimeUnit.SECONDS)).isPositive();
            assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(warnings(log)).as("the thread waited 1.2 s, stallAfter is 3 s").isEmpty();
        }
    }

    private static Set<String> watchThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.equals("sweet-async-stall-watch")).collect(Collectors.toSet());
    }

    private static List<String> warnings(LogLines log) {
        return log.formatted().stream().filter(line -> line.contains("none started")).toList();
    }

    @SuppressWarnings("unchecked")
    private static <T> T field(Object target, Class<?> type, String name) throws ReflectiveOperationException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return (T) field.get(target);
    }
}
