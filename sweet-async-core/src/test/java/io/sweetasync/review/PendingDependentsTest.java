package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A task {@code PENDING} on an {@code after(...)} dependency outside its tree is still part of its tree and
 * of the orchestrator: SPEC 1.8 rule 3 (cancelling or timing out a task cancels its whole unfinished
 * subtree) and 1.9 ({@code shutdown}: stop admitting, wait, then cancel the rest) reach it, and nobody
 * waits for the dependency, which never ends here.
 */
class PendingDependentsTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    private final CountDownLatch never = new CountDownLatch(1);
    private final SpawningTask<Integer> outside = orchestrator.to(Integer.class).named("outside").run(() -> {
        never.await();
        return 1;
    });

    @AfterEach
    void close() {
        never.countDown();
        orchestrator.close();
    }

    @Test
    void cancellingAParentCancelsItsChildPendingOnADependencyOutsideTheTree() {
        AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).run(() -> {
            child.set(TaskContext.current().orElseThrow().child(Integer.class).after(outside).run(() -> 2));
            started.countDown();
            return 0;
        });
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            started.await();
            assertThat(parent.cancel()).isTrue();
            parent.result();
        });
        assertThat(parent.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(outside.status()).isEqualTo(TaskStatus.RUNNING);
    }

    @Test
    void aParentsTimeoutEndsItWhileItsChildIsPendingOnADependencyOutsideTheTree() {
        AtomicReference<SpawningTask<Integer>> child = new AtomicReference<>();
        // the deadline runs from submission: on a loaded machine it can pass before the body has spawned the
        // child (then there is no child to check), so such a run is repeated with a deadline twice as long
        for (Duration timeout = Duration.ofMillis(50); child.get() == null && timeout.toSeconds() < 30;
                timeout = timeout.multipliedBy(2)) {
            SpawningTask<Integer> parent = orchestrator.to(Integer.class).timeout(timeout).run(() -> {
                child.set(TaskContext.current().orElseThrow().child(Integer.class).after(outside).run(() -> 2));
                return 0;
            });
            Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> catchThrowable(parent::join));
            assertThat(thrown).isInstanceOf(TaskTimeoutException.class);
        }
        assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void shutdownCancelsATaskPendingOnADependency() {
        SpawningTask<Integer> pending = orchestrator.to(Integer.class).after(outside).run(() -> 2);
        boolean everythingFinished = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> orchestrator.shutdown(Duration.ZERO));
        assertThat(everythingFinished).isFalse();
        assertThat(pending.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(outside.status()).isEqualTo(TaskStatus.CANCELLED);
    }
}
