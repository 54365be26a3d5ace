package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The terminal actions' drain ({@link Trampoline}) on a {@code VIRTUAL} body's thread, where its queue and the count
 * of drains left are kept in the body's carrier rather than in thread-locals: the ends that a task completing on its
 * own virtual thread sets off (its future's callbacks, its dependents) still run as a loop, in constant stack,
 * however many follow one another. A queue that was lost or never put back, or a count of left drains that never
 * came down, ends these chains part way or overflows the stack.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TrampolineOnVirtualBodiesTest {

    private static final int LONG_CHAIN = 100_000;

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1))
            .build();
    private final CountDownLatch never = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        never.countDown();
        orchestrator.close();
    }

    @Test
    void callbacksThatEachCancelTheNextTaskRunFromAVirtualBodyInConstantStack() {
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<String> gate = orchestrator.to(String.class).runtime("one").run(() -> {
            never.await();
            return "gate";
        });
        SpawningTask<String> first = orchestrator.to(String.class).run(() -> {
            go.await();
            return "first";
        });
        AtomicBoolean firstCallbackOnAVirtualBody = new AtomicBoolean();
        SpawningTask<String> last = first;
        for (int i = 0; i < LONG_CHAIN; i++) {
            SpawningTask<String> next = orchestrator.to(String.class).after(gate).run(() -> "never");
            boolean isFirst = i == 0;
            last.toCompletableFuture().whenComplete((value, error) -> {
                if (isFirst) {
                    firstCallbackOnAVirtualBody.set(Thread.currentThread().isVirtual()
                            && Carrier.currentOrNull() != null);
                }
                next.cancel();
            });
            last = next;
        }
        go.countDown(); // first completes on its virtual thread: every callback after runs from there
        SpawningTask<String> end = last;
        await().atMost(Duration.ofSeconds(120)).until(end::isDone);
        assertThat(firstCallbackOnAVirtualBody).isTrue();
        assertThat(end.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(first.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(gate.status()).isEqualTo(TaskStatus.RUNNING);
    }

    @Test
    void aFailureEndsAHundredThousandChainedDependentsFromAVirtualBodyInConstantStack() {
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<Integer> first = orchestrator.to(Integer.class).run(() -> {
            go.await();
            throw new IllegalStateException("first failed");
        });
        SpawningTask<Integer> end = endOfChainFrom(first, go);
        assertThat(first.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(end.status()).isNotEqualTo(TaskStatus.COMPLETED).matches(TaskStatus::isTerminal);
    }

    @Test
    void valuesPassDownAHundredThousandChainedTasksOnVirtualBodies() {
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<Integer> first = orchestrator.to(Integer.class).run(() -> {
            go.await();
            return 0;
        });
        SpawningTask<Integer> end = endOfChainFrom(first, go);
        assertThat(end.join()).isEqualTo(LONG_CHAIN);
    }

    /** The last of {@value #LONG_CHAIN} tasks chained from {@code first}, once it is done ({@code go} let first end). */
    private static SpawningTask<Integer> endOfChainFrom(SpawningTask<Integer> first, CountDownLatch go) {
        SpawningTask<Integer> last = first;
        for (int i = 0; i < LONG_CHAIN; i++) {
            last = last.chain(value -> value + 1);
        }
        go.countDown();
        SpawningTask<Integer> end = last;
        await().atMost(Duration.ofSeconds(120)).until(end::isDone);
        return end;
    }
}
