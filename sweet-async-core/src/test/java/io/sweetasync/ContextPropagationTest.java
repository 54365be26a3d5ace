package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.spi.ContextPropagator;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ContextPropagationTest {

    private static final ThreadLocal<String> USER = new ThreadLocal<>();

    private final Map<TaskId, AtomicInteger> finished = new ConcurrentHashMap<>();
    private final List<String> finishedStatuses = new CopyOnWriteArrayList<>();

    private final ContextPropagator user = task -> {
        String captured = USER.get();
        return new ContextPropagator.Captured() {
            @Override
            public ContextPropagator.Scope restore() {
                String previous = USER.get();
                USER.set(captured);
                return () -> USER.set(previous);
            }

            @Override
            public void finished(TaskInfo info) {
                finished.computeIfAbsent(info.id(), id -> new AtomicInteger()).incrementAndGet();
                finishedStatuses.add(info.status().name());
            }
        };
    };

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .contextPropagator(task -> {
                throw new IllegalStateException("a broken propagator");
            })
            .contextPropagator(user)
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
        USER.remove();
    }

    @Test
    void contextReachesEveryAttemptTheFallbackAndChildren() {
        USER.set("alice");
        List<String> seen = new CopyOnWriteArrayList<>();
        SpawningTask<String> task = orchestrator.to(String.class).runtime("platform")
                .retry(RetryPolicy.fixed(1, Duration.ZERO))
                .fallback(error -> "fallback as " + USER.get())
                .run(() -> {
                    seen.add("attempt as " + USER.get());
                    seen.add(TaskContext.current().orElseThrow().runChild(() -> "child as " + USER.get()).join());
                    throw new IOException("always");
                });
        USER.set("bob");
        assertThat(task.join()).isEqualTo("fallback as alice");
        assertThat(seen).containsExactly("attempt as alice", "child as alice", "attempt as alice", "child as alice");
        assertThat(USER.get()).as("the caller's own context is untouched").isEqualTo("bob");
        assertThat(orchestrator.to(String.class).runtime("platform").await(() -> String.valueOf(USER.get())))
                .isEqualTo("bob");
        assertThat(orchestrator.to(String.class).runtime("platform").await(() -> "x")).isEqualTo("x");
    }

    @Test
    void aPoolThreadIsLeftAsItWasAfterEachTask() {
        USER.set("carol");
        orchestrator.to(String.class).runtime("single").await(() -> USER.get());
        USER.remove();
        assertThat(orchestrator.to(String.class).runtime("single").await(() -> String.valueOf(USER.get())))
                .isEqualTo("null");
    }

    @Test
    void finishedIsCalledOnceWithTheTerminalStatus() {
        SpawningTask<Integer> ok = orchestrator.to(Integer.class).run(() -> 1);
        ok.join();
        SpawningTask<Integer> failed = orchestrator.to(Integer.class).run(() -> {
            throw new IOException("x");
        });
        failed.result();
        assertThat(finished.get(ok.id())).hasValue(1);
        assertThat(finished.get(failed.id())).hasValue(1);
        assertThat(finishedStatuses).containsExactlyInAnyOrder("COMPLETED", "FAILED");
    }
}
