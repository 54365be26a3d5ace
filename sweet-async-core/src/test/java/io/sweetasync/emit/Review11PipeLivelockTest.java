package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 11: an EventCollector may be used by other threads while its receive lasts (README); the receive's end
 * (PipelineResults.Collector.close) spins with Thread.onSpinWait, never parking, until calls in flight leave. A
 * call made from a virtual thread that blocks inside (the result log's monitor, contended) is unmounted; closers
 * spinning on every carrier then never let it back: the pipeline never ends.
 */
class Review11PipeLivelockTest extends PipelineHostileSupport {

    @Test
    @Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void collectorsUsedFromVirtualThreadsNeitherLivelockTheReceiversNorLoseResults() throws Exception {
        for (int round = 0; round < 40; round++) {
            Set<String> kept = ConcurrentHashMap.newKeySet();
            EmittingTask<String, Integer> task = orchestrator.emits(Integer.class).bufferSize(64)
                    .sender(emitter -> emitter.emitAll(numbers(300)))
                    .receiver(ReceiverStrategy.parallel(16), (event, collector) -> {
                        CountDownLatch started = new CountDownLatch(1);
                        for (int t = 0; t < 2; t++) {
                            int thread = t;
                            Thread.ofVirtual().start(() -> {
                                try {
                                    for (int i = 0; i < 2_000; i++) {
                                        String key = event.data() + "-" + thread + "-" + (i % 8);
                                        collector.collect(key, i);
                                        kept.add(key);
                                        started.countDown();
                                    }
                                }
                                catch (IllegalStateException closed) {
                                    started.countDown();
                                }
                            });
                        }
                        started.await();
                    })
                    .run();
            FinalEvent<String, Integer> done;
            try {
                done = task.finalEvent().get(30, TimeUnit.SECONDS);
            }
            catch (TimeoutException hung) {
                Path dump = Path.of(System.getProperty("java.io.tmpdir"), "r11-pipe-livelock-dump.txt");
                Files.deleteIfExists(dump);
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
                String text = Files.readString(dump);
                long closers = text.lines().filter(l -> l.contains("PipelineResults$Collector.close")).count();
                long inCollect = text.lines().filter(l -> l.contains("PipelineResults$Collector.collect")).count();
                fail("round " + round + ": no final event after 30 s; threads in Collector.close: " + closers
                        + ", in Collector.collect: " + inCollect + " (dump: " + dump + "), progress " + task.progress());
                return;
            }
            assertThat(done.received()).isEqualTo(300);
            assertThat(done.collected().keySet()).containsAll(kept);
        }
    }
}
