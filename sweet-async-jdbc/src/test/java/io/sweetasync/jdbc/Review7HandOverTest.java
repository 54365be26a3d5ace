package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review (review7) of today's StoreWriter change: a durable run stopped by the shutdown is written
 * PENDING and handed back to the store by the writer soon after, not only at close.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review7HandOverTest {

    private static TaskOrchestrator.Builder on(TaskStore store, String member) {
        return TaskOrchestrator.builder().store(store).member(member).durableCodec(new JsonDurableCodec())
                .storeFlushInterval(Duration.ofMillis(50)).storeLease(Duration.ofSeconds(1));
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
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

    /**
     * A durable task with a timeout whose body ignores its interrupt: the shutdown's cancel wins, the body goes on;
     * at its deadline the task is force-ended (a runaway), CANCELLED by the shutdown. The writer then hands the
     * invocation back at once ({@code releaseDurables}), while the body still runs here: another member claims it and
     * runs it beside this one ({@code TaskStore.releaseDurables}: "never for a run whose body was still running").
     */
    @Test
    void aRunawayStoppedByTheShutdownIsNotHandedOverWhileItsBodyStillRuns() throws Exception {
        JdbcTaskStore store = Databases.h2().newStore();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        AtomicBoolean bodyRunning = new AtomicBoolean();
        TaskOrchestrator a = on(store, "a").handler("deaf", String.class, s -> {
            bodyRunning.set(true);
            started.countDown();
            try {
                awaitIgnoringInterrupts(letGo);
            }
            finally {
                bodyRunning.set(false);
            }
            return "done";
        }).build();
        try {
            SpawningTask<String> task = a.to(String.class).timeout(Duration.ofSeconds(2)).durable("deaf", "x").run();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.ofPlatform().daemon(true).start(() -> a.shutdown(Duration.ZERO));
            await().atMost(Duration.ofSeconds(20)).until(() -> task.status() == TaskStatus.CANCELLED);
            assertThat(a.flushStore()).isTrue();
            assertThat(bodyRunning).as("the runaway body still runs here").isTrue();

            TaskStore.Incarnation b = store.open("b", Duration.ofMinutes(1));
            List<DurableRecord> claimed = store.claimOrphans(b.number(), List.of("deaf"), 10);
            assertThat(bodyRunning).isTrue();
            assertThat(claimed).as("claimed by member b while member a's body of it still runs").isEmpty();
        }
        finally {
            letGo.countDown();
            a.close();
        }
    }

    /**
     * The writer takes the task's RUNNING record; before its save returns the shutdown stops the run (CANCELLED by
     * the shutdown). saved() sees the node handed over and untracks it, having written RUNNING: the PENDING record is
     * never written (the invocation is handed over, its record says a member that closed runs it).
     */
    @Test
    void aRunStoppedWhileItsRunningRecordIsBeingWrittenIsStillWrittenPending() throws Exception {
        JdbcTaskStore real = Databases.h2().newStore();
        ReviewSupport.GatedStore store = new ReviewSupport.GatedStore(real);
        store.hold = records -> records.stream().anyMatch(r -> r.name().equals("slow") && r.status().equals("RUNNING"));
        CountDownLatch started = new CountDownLatch(1);
        TaskOrchestrator a = on(store, "a").handler("slow", String.class, s -> {
            started.countDown();
            new CountDownLatch(1).await(); // ends on the shutdown's interrupt
            return "never";
        }).build();
        TaskId id;
        try {
            SpawningTask<String> task = a.to(String.class).durable("slow", "x").run();
            id = task.id();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(store.holding.await(10, TimeUnit.SECONDS)).as("the writer saves the RUNNING record").isTrue();
            Thread.ofPlatform().daemon(true).start(() -> a.shutdown(Duration.ZERO));
            await().atMost(Duration.ofSeconds(20)).until(() -> task.status() == TaskStatus.CANCELLED);
            store.release.countDown();
            assertThat(store.heldWritten.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(a.flushStore()).isTrue(); // waits for the held flush, then writes what changed
        }
        finally {
            store.release.countDown();
            a.close();
        }
        assertThat(real.durable(id).map(DurableRecord::status)).contains("PENDING");
        assertThat(real.find(id).map(TaskRecord::status)).as("the record of a run the shutdown stopped")
                .contains("PENDING");
    }
    /**
     * WrongResultType: "a primitive type stands for its box; null is of every type". Not of a primitive type:
     * {@code to(int.class)} for a handler that returns null completes with null, and the caller's
     * {@code int value = task.join()} throws a NullPointerException far away, naming nothing (what the check is for).
     */
    @Test
    void aNullResultIsNotHandedOutAsAPrimitive() {
        JdbcTaskStore store = Databases.h2().newStore();
        try (TaskOrchestrator a = on(store, "a").handler("nothing", String.class, s -> null).build()) {
            SpawningTask<Integer> task = a.to(int.class).durable("nothing", "x").run();
            Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> {
                int value = task.join();
                System.out.println("joined " + value);
            });
            assertThat(failure).as("a task error naming the handler, not a bare NullPointerException")
                    .isNotInstanceOf(NullPointerException.class);
        }
    }
}
