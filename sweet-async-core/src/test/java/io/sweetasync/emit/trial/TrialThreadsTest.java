package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trial (SPEC 2 with 1.7): a sender on a one-thread runtime that emits from plain threads of its own and waits
 * for them as README says (a wait the runtime cannot see, wrapped in TaskRuntime.managedBlock): receivers on
 * the same runtime get the slot, the buffer drains, everything arrives.
 */
class TrialThreadsTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @ParameterizedTest
    @ValueSource(strings = { "one", "single" })
    void plainThreadsEmittingForASenderThatWaitsManagedFinish(String runtime) {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).runtime(runtime).bufferSize(2)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> {
                        CountDownLatch finished = new CountDownLatch(3);
                        for (int t = 0; t < 3; t++) {
                            int base = emitter.senderIndex() * 1000 + t * 100;
                            Thread.ofPlatform().start(() -> {
                                try {
                                    for (int i = 0; i < 100; i++) {
                                        emitter.emit(base + i);
                                    }
                                }
                                catch (InterruptedException ignored) {
                                    Thread.currentThread().interrupt();
                                }
                                finally {
                                    finished.countDown();
                                }
                            });
                        }
                        TaskRuntime.managedBlock(new ForkJoinPool.ManagedBlocker() {
                            @Override
                            public boolean block() throws InterruptedException {
                                finished.await();
                                return true;
                            }

                            @Override
                            public boolean isReleasable() {
                                return finished.getCount() == 0;
                            }
                        });
                    })
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 3)), (event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.errors()).isEmpty();
            assertThat(done.emitted()).isEqualTo(600);
            assertThat(done.collected()).hasSize(600);
        });
    }
}
