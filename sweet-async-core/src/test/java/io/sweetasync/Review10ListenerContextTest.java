package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 1.8: "Inside a task body AsyncTask.current() and TaskContext.current() ... give the context ... empty
 * elsewhere"; rule 1: "A task started from a thread running a task body is a child of that task". TaskListener's
 * javadoc: a task started in onFinished "is a root, not a child of the finished task". A listener is not the body:
 * yet onStarted ran with the task's carrier entered, so it saw the task's context, and a task it started became a
 * child of the task being observed: the body's joinChildren() then listed work the body never started (all three
 * failed). Listeners now see no task, on whichever thread they run.
 */
@Timeout(60)
class Review10ListenerContextTest {

    @Test
    void anOnStartedListenerSeesNoTaskContext() {
        List<Optional<TaskContext>> seen = new CopyOnWriteArrayList<>();
        TaskOrchestrator o = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onStarted(TaskInfo task) {
                seen.add(TaskContext.current());
            }
        }).build();
        try {
            o.to(Integer.class).named("watched").await(() -> 1);
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0)).as("TaskContext.current() inside TaskListener.onStarted").isEmpty();
        }
        finally {
            o.close();
        }
    }

    @Test
    void aTaskAnOnStartedListenerStartsIsNotAChildTheBodyJoins() {
        TaskOrchestrator[] self = new TaskOrchestrator[1];
        TaskOrchestrator o = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onStarted(TaskInfo task) {
                if (task.name().equals("sum")) {
                    // e.g. an audit listener that records the start on a task of its own
                    self[0].to(String.class).named("audit").run(() -> "audited " + task.id());
                }
            }
        }).build();
        self[0] = o;
        try {
            // The README's own example shape: sum the children's values.
            List<TaskResult<?>> results = o.to(Object.class).named("sum").<List<TaskResult<?>>>awaitResult(() -> {
                TaskContext ctx = TaskContext.current().orElseThrow();
                ctx.child(Long.class).named("size").run(() -> 1L);
                ctx.child(Long.class).named("size").run(() -> 2L);
                return ctx.joinChildren();
            }, r -> {
                @SuppressWarnings("unchecked")
                List<TaskResult<?>> l = (List<TaskResult<?>>) r.orElseThrow();
                return l;
            });
            assertThat(results).as("joinChildren() of a body that started two children").hasSize(2);
        }
        finally {
            o.close();
        }
    }

    /** A body a listener runs nested on its thread (a caller-runs executor) is seen there; the hidden one is not. */
    @Test
    void aBodyAListenerRunsNestedSeesItsOwnContext() {
        List<String> seen = new CopyOnWriteArrayList<>();
        TaskOrchestrator[] self = new TaskOrchestrator[1];
        TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.executor("inline", Runnable::run))
                .listener(new TaskListener() {
                    @Override
                    public void onStarted(TaskInfo task) {
                        if (task.name().equals("watched")) {
                            seen.add(self[0].to(String.class).named("nested").runtime("inline").await(() -> {
                                SpawningTask<String> child = TaskContext.current().orElseThrow().child(String.class)
                                        .named("child").run(() -> "c");
                                return TaskContext.current().orElseThrow().name() + "/" + child.info().path()
                                        + "/" + child.join();
                            }));
                            seen.add(TaskContext.current().map(TaskContext::name).orElse("-"));
                        }
                    }
                }).build();
        self[0] = o;
        try {
            o.to(Integer.class).named("watched").await(() -> 1);
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0)).as("nested: a root, its child under it").matches("nested/nested#\\d+/child#\\d+/c");
            assertThat(seen.get(1)).as("the listener, after the nested body").isEqualTo("-");
        }
        finally {
            o.close();
        }
    }

    @Test
    void listenersOfEveryEventSeeNoTaskContext() {
        java.util.Map<String, Optional<TaskContext>> seen = new java.util.concurrent.ConcurrentHashMap<>();
        TaskOrchestrator o = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onCreated(TaskInfo task) {
                if (task.name().equals("inner")) {
                    seen.put("onCreated", TaskContext.current());
                }
            }

            @Override
            public void onQueued(TaskInfo task) {
                if (task.name().equals("inner")) {
                    seen.put("onQueued", TaskContext.current());
                }
            }

            @Override
            public void onStarted(TaskInfo task) {
                if (task.name().equals("inner")) {
                    seen.put("onStarted", TaskContext.current());
                }
            }

            @Override
            public void onRetrying(TaskInfo task, Throwable error, java.time.Duration delay) {
                if (task.name().equals("inner")) {
                    seen.put("onRetrying", TaskContext.current());
                }
            }

            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("inner")) {
                    seen.put("onFinished", TaskContext.current());
                }
            }
        }).build();
        try {
            int[] attempts = {0};
            o.to(Integer.class).named("outer").await(() -> o.to(Integer.class).named("inner")
                    .retry(RetryPolicy.fixed(1, java.time.Duration.ZERO)).await(() -> {
                        if (attempts[0]++ == 0) {
                            throw new java.io.IOException("once");
                        }
                        return 1;
                    }));
            assertThat(seen).containsOnlyKeys("onCreated", "onQueued", "onStarted", "onRetrying", "onFinished");
            java.util.Map<String, String> names = new java.util.TreeMap<>();
            seen.forEach((k, v) -> names.put(k, v.map(TaskContext::name).orElse("-")));
            // A listener is no part of any body, whichever thread it runs on: onCreated and onQueued run inside outer's
            // body (its call of run()), onStarted inside inner's attempt; none of them sees a task.
            assertThat(names).as("the task whose context each listener event sees ('-': none)")
                    .containsEntry("onCreated", "-").containsEntry("onQueued", "-")
                    .containsEntry("onRetrying", "-").containsEntry("onFinished", "-")
                    .containsEntry("onStarted", "-");
        }
        finally {
            o.close();
        }
    }
}
