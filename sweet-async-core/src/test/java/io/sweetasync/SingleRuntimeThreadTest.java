package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code single} runtime is for state confined to its thread (README: "one platform thread, tasks one at a
 * time"). A body that waits for another task gives its slot to a spare thread for the wait; found: the spare then
 * stayed for its keep-alive (10 s idle) and took tasks turn about with the runtime's own thread, so state kept in
 * a thread-local was split between two threads. The spare now retires once the wait has ended and its current
 * task returned; the runtime's own thread takes every task after that.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SingleRuntimeThreadTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private Thread threadOfATask() {
        return orchestrator.to(Thread.class).runtime("single").run(Thread::currentThread).join();
    }

    @Test
    void afterAWaitEveryTaskRunsOnTheRuntimesOwnThreadAgain() throws Exception {
        for (int round = 0; round < 20; round++) {
            Thread own = threadOfATask();
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> awaited = orchestrator.to(Integer.class).run(() -> {
                release.await();
                return 1;
            });
            SpawningTask<Thread> waiter = orchestrator.to(Thread.class).runtime("single").run(() -> {
                awaited.join(); // the slot goes to a spare for the wait
                return Thread.currentThread();
            });
            // tasks queued meanwhile run on the spare
            List<SpawningTask<Thread>> during = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                during.add(orchestrator.to(Thread.class).runtime("single").run(Thread::currentThread));
            }
            for (SpawningTask<Thread> task : during) {
                assertThat(task.join()).as("round %d: a task queued during the wait", round).isNotSameAs(own);
            }
            release.countDown();
            assertThat(waiter.join()).isSameAs(own);
            for (int i = 0; i < 20; i++) {
                assertThat(threadOfATask()).as("round %d, task %d after the wait", round, i).isSameAs(own);
            }
            List<SpawningTask<Thread>> burst = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                burst.add(orchestrator.to(Thread.class).runtime("single").run(Thread::currentThread));
            }
            for (SpawningTask<Thread> task : burst) {
                assertThat(task.join()).as("round %d: a burst after the wait", round).isSameAs(own);
            }
        }
    }
}
