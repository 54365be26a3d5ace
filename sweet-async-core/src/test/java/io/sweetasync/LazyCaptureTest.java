package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.spi.ContextPropagator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ContextPropagator#captureLazily}: the engine calls it for every task created; the default passes the
 * task's snapshot, as it is created, to {@code capture(TaskInfo)}; the snapshot is made once and shared by the
 * orchestrator's propagators; one that overrides it and never asks still has its context carried.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LazyCaptureTest {

    private static final ThreadLocal<String> USER = new ThreadLocal<>();

    @Test
    void theDefaultGivesCaptureTheTaskAsCreatedAndEveryPropagatorTheSameSnapshot() {
        List<TaskInfo> first = new CopyOnWriteArrayList<>();
        List<TaskInfo> second = new CopyOnWriteArrayList<>();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .contextPropagator(task -> {
                    first.add(task);
                    return () -> () -> { };
                })
                .contextPropagator(task -> {
                    second.add(task);
                    return () -> () -> { };
                })
                .build()) {
            SpawningTask<String> parent = orchestrator.to(String.class).named("parent").run(() -> {
                SpawningTask<String> child = TaskContext.current().orElseThrow().child(String.class).named("child")
                        .run(() -> "c");
                return child.join();
            });
            assertThat(parent.join()).isEqualTo("c");
            assertThat(first).hasSize(2);
            assertThat(first.get(0).id()).isEqualTo(parent.id());
            assertThat(first.get(0).name()).isEqualTo("parent");
            assertThat(first.get(0).status()).isEqualTo(TaskStatus.PENDING);
            assertThat(first.get(1).name()).isEqualTo("child");
            assertThat(first.get(1).parentId()).isEqualTo(parent.id());
            assertThat(second.get(0)).isSameAs(first.get(0));
            assertThat(second.get(1)).isSameAs(first.get(1));
        }
    }

    @Test
    void aPropagatorThatNeverAsksForTheTaskStillCarriesItsContextAndOneThatAsksTwiceGetsOneSnapshot() {
        AtomicInteger lazyCalls = new AtomicInteger();
        List<TaskInfo> asked = new CopyOnWriteArrayList<>();
        ContextPropagator user = new ContextPropagator() {
            @Override
            public Captured capture(TaskInfo task) {
                throw new AssertionError("the engine calls captureLazily");
            }

            @Override
            public Captured captureLazily(Supplier<TaskInfo> task) {
                lazyCalls.incrementAndGet();
                String captured = USER.get();
                return () -> {
                    String previous = USER.get();
                    USER.set(captured);
                    return () -> USER.set(previous);
                };
            }
        };
        ContextPropagator twice = new ContextPropagator() {
            @Override
            public Captured capture(TaskInfo task) {
                throw new AssertionError("the engine calls captureLazily");
            }

            @Override
            public Captured captureLazily(Supplier<TaskInfo> task) {
                asked.add(task.get());
                asked.add(task.get());
                return null;
            }
        };
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().contextPropagator(user)
                .contextPropagator(twice).build()) {
            USER.set("alice");
            try {
                assertThat(orchestrator.to(String.class).run(USER::get).join()).isEqualTo("alice");
            }
            finally {
                USER.remove();
            }
            assertThat(lazyCalls).hasValue(1);
            assertThat(asked).hasSize(2);
            assertThat(asked.get(1)).isSameAs(asked.get(0));
            assertThat(asked.get(0).status()).isEqualTo(TaskStatus.PENDING);
        }
    }
}
