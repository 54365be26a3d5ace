package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A parent timed out with a runaway body is ended at once by its deadline (TaskDeadline.forceEnd), "children before
 * their parents". A child whose own end was under way on its thread (its finish had begun, its status not yet
 * published) was skipped by that forced end as finished, and the parent ended TIMED_OUT while the child still said
 * RUNNING and its result() still waited: a parent terminal before its child (SPEC 1.8 rule 2). Seen first in a
 * stress run (a parent spawning children from two threads until its timeout: 1 round in ~200 on 2 cores, the
 * child's finishing thread descheduled inside finish()); here the child's end is held in that window by its progress
 * supplier, which finish() reads to freeze the child's progress before it publishes the status.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review15EngForcedEndChildFinishingTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aTimedOutRunawayParentEndsOnlyAfterAChildWhoseEndIsUnderWay() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch childEnding = new CountDownLatch(1);
        AtomicBoolean childReturned = new AtomicBoolean();
        AtomicBoolean parentMayReturn = new AtomicBoolean();
        AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).named("parent").timeout(Duration.ofMillis(200))
                .run(() -> {
                    child.set(TaskContext.current().orElseThrow().child(Integer.class).named("child").run(() -> {
                        Thread own = Thread.currentThread();
                        TaskContext.current().orElseThrow().progress("rows", () -> {
                            // held only when the child's own end reads it, on its thread, as it freezes its progress
                            if (childReturned.get() && Thread.currentThread() == own) {
                                childEnding.countDown();
                                awaitUninterruptibly(gate);
                            }
                            return 1;
                        });
                        childReturned.set(true);
                        return 2;
                    }));
                    while (!parentMayReturn.get()) {
                        LockSupport.parkNanos(1_000_000); // ignores its interrupt: a runaway at its deadline
                    }
                    return 1;
                });
        try {
            assertThat(childEnding.await(30, TimeUnit.SECONDS)).isTrue();
            // The parent's deadline (200 ms) and grace (100 ms) pass within this window: whenever the parent says
            // it is terminal, so must its child.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() - until < 0) {
                if (parent.status().isTerminal()) {
                    assertThat(child.get().status()).as("child of the parent ended %s", parent.status())
                            .matches(TaskStatus::isTerminal);
                }
                Thread.sleep(5);
            }
        }
        finally {
            gate.countDown();
            parentMayReturn.set(true);
        }
        TaskResult<Integer> result = CompletableFuture.supplyAsync(parent::result).get(30, TimeUnit.SECONDS);
        assertThat(result.isOk()).isFalse();
        assertThat(parent.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(child.get().status()).isEqualTo(TaskStatus.COMPLETED);
        parentMayReturn.set(true);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            }
            catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
