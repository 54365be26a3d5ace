package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.Event;
import io.sweetasync.emit.EventCollector;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 1-3 promises checked as a user who knows only the SPEC would check them, each one a mismatch the
 * code had. Hangs are bounded by the class timeout; no timing assertions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SpecConformanceTest {

    private final Latches latches = new Latches();
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    /**
     * SPEC 1.2/2: nothing runs until a terminal method runs, and a misused terminal method is a misuse, not
     * a run: {@code awaitFinalEvent(null)} ran the whole pipeline (the sender, the receivers) and only then
     * threw {@link NullPointerException}, where {@code SpawningTaskBuilder.awaitResult(work, null)} refuses
     * before submitting anything.
     */
    @Test
    void awaitFinalEventWithANullHandlerIsRefusedBeforeThePipelineRuns() {
        AtomicInteger sent = new AtomicInteger();
        assertThatThrownBy(() -> orchestrator.emits(Integer.class)
                .sender(emitter -> {
                    sent.incrementAndGet();
                    emitter.emit(1);
                })
                .receiver((Event<Integer> event, EventCollector<Integer, Integer> collector) ->
                        collector.collect(event.data(), 1))
                .awaitFinalEvent(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("handler");
        assertThat(sent).as("the sender never ran").hasValue(0);
        assertThat(orchestrator.recent()).as("no pipeline task was started").isEmpty();
    }

    /**
     * SPEC 1.2 {@code after(SpawningTask<?>...)} and SPEC 2 "a pipeline is a task in the tree": an
     * {@link EmittingTask} is a {@link SpawningTask}, so a task may wait for a pipeline. {@code after} refused
     * a pipeline's handle with IllegalArgumentException ("belongs to another orchestrator") although it was
     * this orchestrator's.
     */
    @Test
    void aTaskCanStartAfterAPipelineOfItsOrchestrator() {
        CountDownLatch release = latches.next();
        EmittingTask<Integer, Integer> pipeline = orchestrator.emits(Integer.class)
                .sender(emitter -> {
                    release.await();
                    emitter.emitAll(List.of(1, 2, 3));
                })
                .receiver((Event<Integer> event, EventCollector<Integer, Integer> collector) ->
                        collector.collect(event.data(), event.data()))
                .run();
        SpawningTask<Integer> summary = orchestrator.to(Integer.class).after(pipeline)
                .run(() -> pipeline.join().collected().size());
        assertThat(summary.status()).as("waits for the pipeline").isEqualTo(TaskStatus.PENDING);
        assertThat(summary.info().dependencies()).containsExactly(pipeline.id());
        release.countDown();
        assertThat(summary.join()).isEqualTo(3);

        CountDownLatch never = latches.next();
        EmittingTask<Integer, Integer> cancelled = orchestrator.emits(Integer.class)
                .sender(emitter -> never.await())
                .receiver((Event<Integer> event, EventCollector<Integer, Integer> collector) ->
                        collector.collect(event.data(), event.data()))
                .run();
        SpawningTask<Integer> dependent = orchestrator.to(Integer.class).after(cancelled).run(() -> 1);
        cancelled.cancel();
        assertThatThrownBy(dependent::join).isInstanceOf(TaskCancelledException.class)
                .hasMessageContaining(cancelled.name() + "#" + cancelled.id());
    }

    /**
     * SPEC 1.9: "listeners must not be able to break task execution". A listener told in {@code onFinished}
     * that a task has finished, and reading that task's outcome through its handle ({@code result()},
     * {@code join()}, {@code get()}, its future), waited for ever: the handle's waiters are released only
     * after the listeners return, so the task never ended and its caller hung.
     */
    @Test
    void anOnFinishedListenerReadingTheFinishedTasksOutcomeDoesNotHangIt() {
        Map<TaskId, SpawningTask<?>> handles = new ConcurrentHashMap<>();
        List<Object> seen = new CopyOnWriteArrayList<>();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                SpawningTask<?> handle = handles.get(task.id());
                if (handle == null) {
                    return;
                }
                seen.add(handle.result().isOk());
                try {
                    seen.add(handle.join());
                    seen.add(handle.get());
                    seen.add(handle.get(1, TimeUnit.DAYS));
                    seen.add(handle.toCompletableFuture().join());
                }
                catch (Exception ex) {
                    seen.add(ex.getClass().getSimpleName());
                }
            }
        });
        for (String runtime : List.of("virtual", "platform", "single")) {
            seen.clear();
            CountDownLatch go = latches.next();
            SpawningTask<Integer> task = orchestrator.to(Integer.class).runtime(runtime).run(() -> {
                go.await();
                return 7;
            });
            handles.put(task.id(), task);
            go.countDown();
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(30), task::join)).as(runtime).isEqualTo(7);
            assertThat(seen).as(runtime).containsExactly(true, 7, 7, 7, 7);

            seen.clear();
            CountDownLatch fail = latches.next();
            SpawningTask<Integer> failing = orchestrator.to(Integer.class).runtime(runtime).run(() -> {
                fail.await();
                throw new IOException("boom");
            });
            handles.put(failing.id(), failing);
            fail.countDown();
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(30), failing::result).isOk()).isFalse();
            assertThat(seen).as(runtime).containsExactly(false, "TaskFailedException");
        }
    }
}
