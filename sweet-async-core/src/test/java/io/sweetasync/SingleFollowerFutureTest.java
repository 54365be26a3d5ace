package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task's one {@code toCompletableFuture()} waits in a field of its followers, not a list (issue #19: no
 * {@code ArrayList} for a single future); a second moves both to the list, the first in its slot 0. The futures are
 * settled in the order they were made, and a future its caller completed is forgotten whether it is the single one
 * or one in the list.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SingleFollowerFutureTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void futuresAreSettledInTheOrderTheyWereMade() {
        CountDownLatch finish = new CountDownLatch(1);
        SpawningTask<String> job = orchestrator.to(String.class).run(() -> {
            finish.await();
            return "done";
        });
        List<Integer> order = new CopyOnWriteArrayList<>();
        CompletableFuture<?>[] seen = new CompletableFuture<?>[3];
        for (int i = 0; i < 3; i++) {
            int n = i;
            seen[i] = job.toCompletableFuture().thenRun(() -> order.add(n));
        }
        finish.countDown();
        CompletableFuture.allOf(seen).join();
        assertThat(order).containsExactly(0, 1, 2);
    }

    @Test
    void theSingleFutureCompletedByItsCallerIsForgottenAndTheNextIsSettled() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        SpawningTask<String> job = orchestrator.to(String.class).run(() -> {
            finish.await();
            return "done";
        });
        CompletableFuture<String> mine = job.toCompletableFuture();
        mine.complete("mine");
        WeakReference<CompletableFuture<String>> gone = new WeakReference<>(mine);
        mine = null;
        for (int i = 0; i < 100 && gone.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(gone.get()).as("the single future its caller completed, still reachable").isNull();

        CompletableFuture<String> next = job.toCompletableFuture(); // the single one again
        CompletableFuture<String> second = job.toCompletableFuture(); // both to the list
        finish.countDown();
        assertThat(next.get(30, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(job.join()).isEqualTo("done");
    }

    @Test
    void theFirstFutureMovedToTheListCanStillBeForgotten() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        SpawningTask<String> job = orchestrator.to(String.class).run(() -> {
            finish.await();
            return "done";
        });
        CompletableFuture<String> first = job.toCompletableFuture();
        CompletableFuture<String> second = job.toCompletableFuture();
        CompletableFuture<String> third = job.toCompletableFuture();
        first.complete("mine"); // slot 0 of the list
        third.complete("also mine");
        finish.countDown();
        assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(first.join()).isEqualTo("mine");
        assertThat(third.join()).isEqualTo("also mine");
        assertThat(job.join()).isEqualTo("done");
    }

    @Test
    void everyFutureForgottenLeavesTheEndWithNothingToSettle() {
        CountDownLatch finish = new CountDownLatch(1);
        SpawningTask<String> job = orchestrator.to(String.class).run(() -> {
            finish.await();
            return "done";
        });
        job.toCompletableFuture().complete("a");
        CompletableFuture<String> b = job.toCompletableFuture();
        CompletableFuture<String> c = job.toCompletableFuture();
        b.complete("b");
        c.complete("c");
        finish.countDown();
        assertThat(job.join()).isEqualTo("done");
        assertThat(job.toCompletableFuture().join()).isEqualTo("done");
    }
}
