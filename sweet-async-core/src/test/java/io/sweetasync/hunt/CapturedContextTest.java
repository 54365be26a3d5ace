package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

@Timeout(value = 60)
class CapturedContextTest {

    TaskOrchestrator orch;

    @AfterEach
    void close() {
        if (orch != null) orch.close();
    }

    /** A child that calls its parent's joinChildren() waits for itself. */
    @Test
    void childCallsParentsJoinChildren() throws Exception {
        orch = TaskOrchestrator.builder().build();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        SpawningTask<String> parent = orch.to(String.class).named("parent").timeout(Duration.ofSeconds(3)).run(() -> {
            TaskContext p = TaskContext.current().orElseThrow();
            p.child(String.class).named("child").run(() -> {
                try { p.joinChildren(); } catch (Throwable e) { seen.set(e); }
                return "c";
            });
            return "p";
        });
        CompletableFuture.supplyAsync(parent::result).get(20, TimeUnit.SECONDS);
        assertThat(seen.get()).as("parent ended " + parent.status()).isInstanceOfAny(IllegalStateException.class, IllegalArgumentException.class);
    }

    /** A body that calls joinChildren() on a child's context, or its own after the child list is used elsewhere. */
    @Test
    void contextUsedAfterEnd() throws Exception {
        orch = TaskOrchestrator.builder().build();
        AtomicReference<TaskContext> ctx = new AtomicReference<>();
        orch.to(String.class).named("t").run(() -> { ctx.set(TaskContext.current().orElseThrow()); return "x"; }).join();
        TaskContext c = ctx.get();
        assertThat(c.isCancellationRequested()).isFalse();
        List<TaskResult<?>> r = CompletableFuture.supplyAsync(c::joinChildren).get(5, TimeUnit.SECONDS);
        assertThat(r).isEmpty();
        Throwable t = null;
        try { c.runChild(() -> 1); } catch (Throwable e) { t = e; }
        assertThat(t).isInstanceOf(IllegalStateException.class);
    }
}
