package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.spi.ContextPropagator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PropagatedContext#capture} makes its array at the first propagator that captured something (issue #19: none
 * when all captured nothing). Whichever propagators capture nothing, the others' contexts are restored around the body,
 * the first outermost, and told of the end; with none captured the body runs bare.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PropagatedNothingCapturedTest {

    private final List<String> events = new CopyOnWriteArrayList<>();

    /** Captures nothing. */
    private final ContextPropagator nothing = new ContextPropagator() {
        @Override
        public Captured capture(TaskInfo task) {
            return null;
        }

        @Override
        public Captured captureLazily(Supplier<TaskInfo> task) {
            events.add("asked");
            return null;
        }
    };

    private ContextPropagator named(String name) {
        return task -> new ContextPropagator.Captured() {
            @Override
            public ContextPropagator.Scope restore() {
                events.add("enter " + name);
                return () -> events.add("exit " + name);
            }

            @Override
            public void finished(TaskInfo info, Throwable error) {
                events.add("finished " + name);
            }
        };
    }

    private List<String> run(ContextPropagator... propagators) {
        TaskOrchestrator.Builder builder = TaskOrchestrator.builder();
        for (ContextPropagator propagator : propagators) {
            builder.contextPropagator(propagator);
        }
        try (TaskOrchestrator orchestrator = builder.build()) {
            assertThat(orchestrator.to(String.class).run(() -> {
                events.add("body");
                return "v";
            }).join()).isEqualTo("v");
        }
        return List.copyOf(events);
    }

    @Test
    void noneCapturedRunsTheBodyBare() {
        assertThat(run(nothing, nothing)).containsExactly("asked", "asked", "body");
    }

    @Test
    void theCapturesAroundNothingAreRestoredInOrder() {
        assertThat(run(nothing, named("a"), nothing, named("b"), nothing))
                .containsExactly("asked", "asked", "asked", "enter a", "enter b", "body", "exit b", "exit a",
                        "finished a", "finished b");
    }

    @Test
    void aCaptureFirstThenNothing() {
        assertThat(run(named("a"), nothing, nothing))
                .containsExactly("asked", "asked", "enter a", "body", "exit a", "finished a");
    }
}
