package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.annotation.AsyncTask;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Lazy;

/** {@code @AsyncTask} methods calling each other: the calls form a tree, as the core's builders do. */
class NestedAsyncTaskCallsTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class))
            .withUserConfiguration(Outer.class, Inner.class);

    /**
     * A method that leaves {@code priority} at its default runs at its calling task's priority, as a builder's
     * child that sets none does: the children of a HIGH request were NORMAL, queued (in a group, on a pooled
     * runtime) behind every NORMAL task while their HIGH parent waited for them. A root so called is NORMAL, and
     * a priority written on the method is kept.
     */
    @Test
    void aDefaultPriorityIsTheCallingTasksAndAWrittenOneIsKept() {
        runner.run(context -> {
            Outer outer = context.getBean(Outer.class);
            assertThat(outer.high()).isEqualTo("HIGH/HIGH/LOW");
            assertThat(context.getBean(Inner.class).inherits()).as("a root").isEqualTo("NORMAL");
            TaskInfo high = context.getBean(TaskOrchestrator.class).recent().stream()
                    .filter(task -> task.name().equals("Outer.high")).findFirst().orElseThrow();
            assertThat(high.priority()).isEqualTo(TaskPriority.HIGH);
            assertThat(high.children()).extracting(TaskInfo::name, TaskInfo::priority).containsExactly(
                    tuple("Inner.inherits", TaskPriority.HIGH), tuple("Inner.low", TaskPriority.LOW));
        });
    }

    /** A task on the one-thread runtime calls a blocking annotated method, which runs there too: no deadlock. */
    @Test
    void aBlockingCallFromATaskOnTheSingleRuntimeToAMethodOnItFinishes() {
        runner.run(context -> assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThat(context.getBean(Outer.class).onSingle()).isEqualTo("single:inner")));
    }

    static class Outer {

        @Autowired
        @Lazy
        Inner inner;

        @AsyncTask(priority = TaskPriority.HIGH)
        public String high() {
            return priority() + "/" + inner.inherits() + "/" + inner.low();
        }

        @AsyncTask(runtime = "single")
        public String onSingle() {
            return "single:" + inner.onSingle();
        }
    }

    static class Inner {

        @AsyncTask
        public String inherits() {
            return priority();
        }

        @AsyncTask(priority = TaskPriority.LOW)
        public String low() {
            return priority();
        }

        @AsyncTask(runtime = "single")
        public String onSingle() {
            return "inner";
        }
    }

    private static String priority() {
        // the context's orchestrator is the global one while it runs
        return TaskOrchestrator.global().find(TaskContext.current().orElseThrow().id()).orElseThrow().priority().name();
    }
}
