package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.hostile.LogLines;
import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteInvocation;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Review of f27f467d: ClusterPlacement.chooseAndStart runs the work here whenever cluster.place throws. */
@Timeout(60)
class AnywhereFallbackReviewTest {

    /**
     * An engine whose place() is a blocking remote call (a client, not Hazelcast's member) is interrupted by the
     * handle's cancel and, as many client libraries do, throws an unchecked exception with the interrupt restored.
     * The handle was cancelled: chooseAndStart takes the throw for "the cluster cannot choose", logs the
     * once-only WARNING for a cancel (the next real failure of the cluster is then logged at DEBUG only) and makes a
     * child here (cancelled at once with its parent: the work does not run).
     */
    @Test
    void aPlaceInterruptedByTheHandlesCancelIsNotReportedAsTheClusterFailing() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch placing = new CountDownLatch(1);
        QuietCluster cluster = new QuietCluster() {
            @Override
            public void attach(ClusterHost host) {
            }

            @Override
            public long incarnation() {
                return 5;
            }

            @Override
            public PlacedTask place(RemoteInvocation invocation) {
                placing.countDown();
                try {
                    Thread.sleep(60_000); // the remote call
                    throw new AssertionError("not interrupted");
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while placing", ex);
                }
            }
        };
        try (LogLines log = LogLines.capture(ClusterPlacement.class.getName());
                TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                        .handler("count", String.class, any -> {
                            ran.incrementAndGet();
                            return "ran";
                        }).build()) {
            SpawningTask<String> handle = orchestrator.to(String.class).anywhere().run("count", "x");
            assertThat(placing.await(10, TimeUnit.SECONDS)).isTrue();
            handle.cancel();
            await().atMost(Duration.ofSeconds(10)).until(() -> handle.status().isTerminal());
            Thread.sleep(500);
            assertThat(handle.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(ran.get()).as("the cancelled handle's work ran").isZero();
            // (a child is made here, cancelled at once with its parent, attempts 0: harmless)
            assertThat(log.messages()).as("a cancel is no failure of the cluster").noneMatch(m -> m.contains("could not choose"));
        }
    }

    /**
     * place() may fail after the start was sent (an engine that waits for the target's acknowledgement and times
     * out: the target may run it). Before f27f467d the handle failed (at most once); now the work runs here too.
     * The SPI does not say place() throws only before anything was sent.
     */
    @Test
    void aPlaceThatFailsAfterSendingDoesNotRunTheWorkTwice() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        QuietCluster cluster = new QuietCluster() {
            @Override
            public void attach(ClusterHost host) {
            }

            @Override
            public long incarnation() {
                return 5;
            }

            @Override
            public PlacedTask place(RemoteInvocation invocation) {
                ran.incrementAndGet(); // "there:2" got the start message and runs the work
                throw new IllegalStateException("no acknowledgement from there:2 within 5 s");
            }
        };
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .handler("count", String.class, any -> {
                    ran.incrementAndGet();
                    return "ran";
                }).build()) {
            SpawningTask<String> handle = orchestrator.to(String.class).anywhere().run("count", "x");
            await().atMost(Duration.ofSeconds(10)).until(() -> handle.status().isTerminal());
            assertThat(ran.get()).as("runs of the work, there and here").isEqualTo(1);
        }
    }
}
