package io.sweetasync.threadstate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.spi.ContextPropagator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * User code the engine runs outside a body (an {@code onFinished} or {@code onRetrying} listener, the fallback, a
 * completion callback, a context propagator's {@code finished}) runs on a reused thread too (a {@code SINGLE}
 * runtime's thread, a {@code PLATFORM} pool of one, a user's single-thread executor): the thread's name, context
 * class loader and priority it changes are given back when it returns or throws, so the next task on that thread
 * sees the thread as it was; nor does such code run on a body's thread (a listener of a child the body creates) change
 * that body's thread under it. {@link BodyThreadStateTest} is the same for bodies.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GuestThreadStateTest {

    /** The kinds of user code run outside a body, each changing the thread of the task named {@code changer}. */
    enum Guest { ON_FINISHED, ON_RETRYING, FALLBACK, COMPLETION_CALLBACK, PROPAGATOR_FINISHED }

    /** What a body sees of its thread. */
    record Seen(Thread thread, String name, ClassLoader loader, int priority) {
        static Seen now() {
            Thread t = Thread.currentThread();
            return new Seen(t, t.getName(), t.getContextClassLoader(), t.getPriority());
        }
    }

    /** A loader no thread has unless user code gives it one. */
    private static final ClassLoader FOREIGN = new ClassLoader(null) {
    };

    private final ExecutorService users = Executors.newSingleThreadExecutor();
    private final List<TaskOrchestrator> made = new ArrayList<>();
    /** The guest that changes the thread in this test. */
    private volatile Guest changing;
    private volatile boolean throwing;
    /** What the guest saw of its thread after changing it; proves it ran, and where. */
    private final AtomicReference<Seen> changed = new AtomicReference<>();

    @AfterEach
    void close() {
        made.forEach(TaskOrchestrator::close);
        users.shutdownNow();
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Guest guest : Guest.values()) {
            for (String runtime : List.of("one", "pool1", "users")) {
                all.add(Arguments.of(guest, runtime, false));
                all.add(Arguments.of(guest, runtime, true));
            }
        }
        return all.stream();
    }

    private TaskOrchestrator orchestrator() {
        TaskListener listener = new TaskListener() {
            @Override
            public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                guest(Guest.ON_RETRYING, task);
            }

            @Override
            public void onFinished(TaskInfo task) {
                guest(Guest.ON_FINISHED, task);
            }
        };
        ContextPropagator propagator = task -> new ContextPropagator.Captured() {
            @Override
            public ContextPropagator.Scope restore() {
                return () -> {
                };
            }

            @Override
            public void finished(TaskInfo end, Throwable error) {
                guest(Guest.PROPAGATOR_FINISHED, end);
            }
        };
        TaskOrchestrator o = TaskOrchestrator.builder()
                .runtime(TaskRuntime.single("one"))
                .runtime(TaskRuntime.platform("pool1", 1))
                .runtime(TaskRuntime.executor("users", users))
                .listener(listener)
                .contextPropagator(propagator)
                .build();
        made.add(o);
        return o;
    }

    /** Changes the thread if {@code kind} is the guest of this test and {@code task} the changer; maybe throws. */
    private void guest(Guest kind, TaskInfo task) {
        if (kind == changing && task.name().equals("changer")) {
            changeThread();
        }
    }

    private void changeThread() {
        Thread t = Thread.currentThread();
        t.setName("renamed-by-a-guest");
        t.setContextClassLoader(FOREIGN);
        t.setPriority(t.getPriority() == Thread.MIN_PRIORITY ? Thread.MAX_PRIORITY : Thread.MIN_PRIORITY);
        changed.set(Seen.now());
        if (throwing) {
            throw new IllegalStateException("a guest that threw after changing its thread");
        }
    }

    private static Seen seenOn(TaskOrchestrator o, String runtime) {
        return o.to(Seen.class).runtime(runtime).named("probe").run(Seen::now).join();
    }

    @ParameterizedTest(name = "{0} on {1}, throwing: {2}")
    @MethodSource("cases")
    void userCodeRunOutsideABodyLeavesTheNextTaskTheThreadAsItWas(Guest guest, String runtime, boolean throwsAfter)
            throws Exception {
        TaskOrchestrator o = orchestrator();
        Seen before = seenOn(o, runtime);
        changing = guest;
        throwing = throwsAfter;

        SpawningTask<String> changer = switch (guest) {
            case ON_FINISHED, PROPAGATOR_FINISHED -> o.to(String.class).runtime(runtime).named("changer").run(() -> "v");
            case ON_RETRYING -> {
                AtomicReference<Boolean> failedOnce = new AtomicReference<>(false);
                yield o.to(String.class).runtime(runtime).named("changer")
                        .retry(RetryPolicy.fixed(1, Duration.ofMillis(1)))
                        .run(() -> {
                            if (!failedOnce.getAndSet(true)) {
                                throw new IllegalStateException("first attempt");
                            }
                            return "v";
                        });
            }
            case FALLBACK -> o.to(String.class).runtime(runtime).named("changer")
                    .fallback(e -> {
                        changeThread();
                        return "fallback";
                    })
                    .run(() -> {
                        throw new IllegalStateException("body failed");
                    });
            case COMPLETION_CALLBACK -> {
                CountDownLatch registered = new CountDownLatch(1);
                SpawningTask<String> task = o.to(String.class).runtime(runtime).named("changer").run(() -> {
                    registered.await(); // so that the callback runs where the task ends, not on this test's thread
                    return "v";
                });
                CountDownLatch ran = new CountDownLatch(1);
                task.toCompletableFuture().whenComplete((v, e) -> {
                    try {
                        changeThread();
                    }
                    finally {
                        ran.countDown();
                    }
                });
                registered.countDown();
                // not task.result(): a thread waiting on the future may run its callbacks itself (CompletableFuture)
                ran.await();
                yield task;
            }
        };
        if (guest != Guest.COMPLETION_CALLBACK) {
            changer.result();
        }

        Seen after = seenOn(o, runtime);
        Seen inGuest = changed.get();
        assertThat(inGuest).as("the guest ran and changed its thread").isNotNull();
        assertThat(inGuest.thread()).as("the guest ran on the runtime's reused thread").isSameAs(before.thread());
        assertThat(inGuest.name()).isEqualTo("renamed-by-a-guest");
        assertThat(after.thread()).isSameAs(before.thread());
        assertThat(after.name()).as("name").isEqualTo(before.name());
        assertThat(after.loader()).as("context class loader").isSameAs(before.loader());
        assertThat(after.priority()).as("priority").isEqualTo(before.priority());
    }

    @ParameterizedTest
    @ValueSource(strings = {"one", "pool1", "users", "virtual"})
    void aListenerRunOnABodysThreadLeavesTheBodyItsThread(String runtime) {
        TaskListener listener = new TaskListener() {
            @Override
            public void onCreated(TaskInfo task) {
                if (task.name().equals("child")) {
                    changeThread();
                }
            }
        };
        TaskOrchestrator o = TaskOrchestrator.builder()
                .runtime(TaskRuntime.single("one"))
                .runtime(TaskRuntime.platform("pool1", 1))
                .runtime(TaskRuntime.executor("users", users))
                .listener(listener)
                .build();
        made.add(o);
        SpawningTask<Seen[]> parent = o.to(Seen[].class).runtime(runtime).named("parent").run(() -> {
            Seen mine = Seen.now();
            // its onCreated runs here, on this body's thread; its body elsewhere (a user's one-thread executor
            // cannot run a task its only thread waits for)
            o.to(String.class).runtime("virtual").named("child").run(() -> "c").join();
            return new Seen[] {mine, Seen.now()};
        });
        Seen[] seen = parent.join();
        assertThat(changed.get()).as("the child's listener ran").isNotNull();
        assertThat(changed.get().thread()).as("on the parent's body thread").isSameAs(seen[0].thread());
        assertThat(seen[1]).as("the parent's thread after its child's listener changed it").isEqualTo(seen[0]);
    }
}
