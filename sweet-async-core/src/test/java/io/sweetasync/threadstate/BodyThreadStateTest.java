package io.sweetasync.threadstate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A body's changes to its thread's name, context class loader and priority end with the body: the next task run on
 * that reused thread (a {@code SINGLE} runtime's thread, a {@code PLATFORM} pool of one, a user's single-thread
 * executor) sees the thread as it was before, whether the body returned or threw (an exception or an
 * {@link Error}); a body run nested on another body's thread (a caller-runs executor) gives that body its thread
 * back as it left it; a {@code VIRTUAL} body may still rename its own thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BodyThreadStateTest {

    private final ExecutorService users = Executors.newSingleThreadExecutor();
    private final List<TaskOrchestrator> made = new ArrayList<>();

    /** What a body sees of its thread. */
    record Seen(String name, ClassLoader loader, int priority) {
        static Seen now() {
            Thread t = Thread.currentThread();
            return new Seen(t.getName(), t.getContextClassLoader(), t.getPriority());
        }
    }

    /** A loader no thread has unless a body gives it one. */
    private static final ClassLoader FOREIGN = new ClassLoader(null) {
    };

    @AfterEach
    void close() {
        made.forEach(TaskOrchestrator::close);
        users.shutdownNow();
    }

    private TaskOrchestrator orchestrator() {
        TaskOrchestrator o = TaskOrchestrator.builder()
                .runtime(TaskRuntime.single("one"))
                .runtime(TaskRuntime.platform("pool1", 1))
                .runtime(TaskRuntime.executor("users", users))
                .runtime(TaskRuntime.executor("here", Runnable::run))
                .build();
        made.add(o);
        return o;
    }

    private static Seen seenOn(TaskOrchestrator o, String runtime) {
        SpawningTask<Seen> probe = o.to(Seen.class).runtime(runtime).named("probe").run(Seen::now);
        return probe.join();
    }

    private static void changeThread(String name) {
        Thread t = Thread.currentThread();
        t.setName(name);
        t.setContextClassLoader(FOREIGN);
        t.setPriority(t.getPriority() == Thread.MIN_PRIORITY ? Thread.MAX_PRIORITY : Thread.MIN_PRIORITY);
    }

    private static void assertChangedInBody(Seen inBody, Seen before, String name) {
        assertThat(inBody.name()).isEqualTo(name);
        assertThat(inBody.loader()).isSameAs(FOREIGN);
        assertThat(inBody.priority()).isNotEqualTo(before.priority());
    }

    @ParameterizedTest
    @ValueSource(strings = {"one", "pool1", "users"})
    void aBodyThatReturnsLeavesTheNextTaskTheThreadAsItWas(String runtime) {
        TaskOrchestrator o = orchestrator();
        Seen before = seenOn(o, runtime);
        SpawningTask<Seen> changer = o.to(Seen.class).runtime(runtime).named("changer").run(() -> {
            changeThread("renamed-by-a-body");
            return Seen.now();
        });
        assertChangedInBody(changer.join(), before, "renamed-by-a-body");
        assertThat(seenOn(o, runtime)).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"one", "pool1", "users"})
    void aBodyThatThrowsAnExceptionLeavesTheNextTaskTheThreadAsItWas(String runtime) {
        assertThrowingBodyLeavesTheThread(runtime, () -> {
            changeThread("renamed-then-threw");
            throw new IllegalStateException("boom");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"one", "pool1", "users"})
    void aBodyThatThrowsAnErrorLeavesTheNextTaskTheThreadAsItWas(String runtime) {
        assertThrowingBodyLeavesTheThread(runtime, () -> {
            changeThread("renamed-then-erred");
            throw new OutOfMemoryError("body");
        });
    }

    private void assertThrowingBodyLeavesTheThread(String runtime, Callable<String> body) {
        TaskOrchestrator o = orchestrator();
        Seen before = seenOn(o, runtime);
        SpawningTask<String> thrower = o.to(String.class).runtime(runtime).named("thrower").run(body);
        assertThat(thrower.result().isOk()).isFalse();
        assertThat(thrower.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(seenOn(o, runtime)).isEqualTo(before);
    }

    @Test
    void aBodyRunNestedOnAnotherBodysThreadGivesItBackAsItWas() {
        TaskOrchestrator o = orchestrator();
        SpawningTask<Boolean> same = o.to(Boolean.class).runtime("one").named("outer").run(() -> {
            Seen mine = Seen.now();
            o.to(String.class).runtime("here").named("nested").run(() -> {
                changeThread("renamed-by-nested");
                return "n";
            }).join();
            return Seen.now().equals(mine);
        });
        assertThat(same.join()).as("the enclosing body's thread after a nested body changed it").isTrue();
    }

    @Test
    void aVirtualBodyMayStillChangeItsOwnThread() {
        TaskOrchestrator o = orchestrator();
        Seen before = seenOn(o, "virtual");
        SpawningTask<Seen> changer = o.to(Seen.class).runtime("virtual").named("changer").run(() -> {
            changeThread("virtual-renamed");
            return Seen.now();
        });
        Seen inBody = changer.join();
        assertThat(inBody.name()).isEqualTo("virtual-renamed");
        assertThat(inBody.loader()).isSameAs(FOREIGN);
        assertThat(inBody.priority()).as("a virtual thread's priority never changes").isEqualTo(Thread.NORM_PRIORITY);
        Seen next = seenOn(o, "virtual");
        assertThat(next.loader()).isSameAs(before.loader());
        assertThat(next.name()).isEqualTo(before.name());
    }
}
