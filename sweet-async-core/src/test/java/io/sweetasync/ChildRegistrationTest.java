package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.spi.ContextPropagator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A child is visible in its parent's children list from {@code addChild} on, while its creator still
 * captures its context, tracks it and announces it ({@code onCreated}). A stop of the parent that lands
 * then cancels the child: the task must still end only once it is fully registered.
 */
class ChildRegistrationTest {

    private final CountDownLatch capturing = new CountDownLatch(1);
    private final CountDownLatch parentCancelled = new CountDownLatch(1);
    private final AtomicInteger contextsFinished = new AtomicInteger();
    private final List<String> childEvents = new CopyOnWriteArrayList<>();

    /** Holds the child's creation inside its capture (user code, run between addChild and onCreated). */
    private final ContextPropagator slowForTheChild = task -> {
        if (!task.name().equals("child")) {
            return null;
        }
        capturing.countDown();
        awaitIgnoringInterrupts(parentCancelled);
        return new ContextPropagator.Captured() {
            @Override
            public ContextPropagator.Scope restore() {
                return () -> { };
            }

            @Override
            public void finished(TaskInfo info) {
                contextsFinished.incrementAndGet();
            }
        };
    };

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .contextPropagator(slowForTheChild)
            .listener(new TaskListener() {
                @Override
                public void onCreated(TaskInfo task) {
                    if (task.name().equals("child")) {
                        childEvents.add("created");
                    }
                }

                @Override
                public void onFinished(TaskInfo task) {
                    if (task.name().equals("child")) {
                        childEvents.add("finished");
                    }
                }
            })
            .build();

    @AfterEach
    void close() {
        parentCancelled.countDown();
        orchestrator.close();
    }

    @Test
    void aChildCancelledWhileBeingCreatedEndsOnlyOnceRegistered() throws Exception {
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        SpawningTask<String> parent = orchestrator.to(String.class).named("parent").run(() -> {
            child.set(orchestrator.to(String.class).named("child").run(() -> "child"));
            return "parent";
        });
        assertThat(capturing.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(parent.cancel()).isTrue();
        parentCancelled.countDown();

        // isDone() is true at once for a cancellation; the status turns terminal once the children have ended
        await().atMost(Duration.ofSeconds(30)).until(() -> parent.status().isTerminal());
        assertThat(parent.isDone()).isTrue();
        assertThat(parent.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(child.get()).isNotNull();
        assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(childEvents).as("the child's events").containsExactly("created", "finished");
        assertThat(contextsFinished.get()).as("the child's captured context was told it finished").isEqualTo(1);
    }

    /** Waits up to 30 s for {@code latch}, keeping an interrupt for later. */
    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean interrupted = false;
        while (latch.getCount() > 0 && System.nanoTime() < deadline) {
            try {
                latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
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
