package io.sweetasync.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.SpawningTask;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SPEC 1.5: "Any Duration a user passes (timeouts, delays, waits) is either rejected at configuration with a
 * message naming it or honoured"; SPEC 6: TaskId printed form short and parseable, increasing in creation order.
 */
class OrchestratorBuilderSpecTest {

    @Test
    void builderDurationsAreRejectedWhereTheyAreSetNamingThem() {
        TaskOrchestrator.Builder builder = TaskOrchestrator.builder();
        assertThatThrownBy(() -> builder.storeLease(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeLease");
        assertThatThrownBy(() -> builder.storeLease(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeLease");
        assertThatThrownBy(() -> builder.storeFlushInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeFlushInterval");
        assertThatThrownBy(() -> builder.storeRetention(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeRetention");
        assertThatThrownBy(() -> builder.storeUnresolvedAfter(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeUnresolvedAfter");
        assertThatThrownBy(() -> builder.storeUnresolvedAfter(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeUnresolvedAfter");
        assertThatThrownBy(() -> builder.storeUnresolvedAfter(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("storeUnresolvedAfter");
        assertThatThrownBy(() -> builder.storeMaxPending(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeMaxPending");
        assertThatThrownBy(() -> builder.maxResultSize(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxResultSize");
        assertThatThrownBy(() -> builder.defaultTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultTimeout");
        assertThatThrownBy(() -> builder.historySize(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("historySize");
        // the builder is still usable after a rejected value
        try (TaskOrchestrator orchestrator = builder.build()) {
            assertThat(orchestrator.to(String.class).await(() -> "ok")).isEqualTo("ok");
        }
    }

    /**
     * A built-in runtime may be replaced by one of its kind (a bigger platform pool); one of another kind under
     * a built-in name (platform threads called "virtual") silently moved every task that names no runtime onto
     * it. The starter refused it; the core builder took it.
     */
    /**
     * A second runtime of one name replaced the first silently: tasks naming it ran on whichever came last, and
     * the first was never closed by the orchestrator. A built-in name is replaced once, like any other.
     */
    @Test
    void aRuntimeNameIsRegisteredOnce() {
        TaskOrchestrator.Builder builder = TaskOrchestrator.builder().runtime(TaskRuntime.platform("io", 4));
        assertThatThrownBy(() -> builder.runtime(TaskRuntime.platform("io", 8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'io'").hasMessageContaining("registered already").hasMessageContaining("parallelism 4");
        builder.runtime(TaskRuntime.platform("platform", 3));
        assertThatThrownBy(() -> builder.runtime(TaskRuntime.platform("platform", 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'platform'");
        try (TaskOrchestrator orchestrator = builder.build()) {
            assertThat(orchestrator.runtimes().get("io").parallelism()).isEqualTo(4);
            assertThat(orchestrator.runtimes().get("platform").parallelism()).isEqualTo(3);
        }
    }

    @Test
    void aBuiltInRuntimeIsReplacedOnlyByOneOfItsKind() {
        TaskOrchestrator.Builder builder = TaskOrchestrator.builder();
        assertThatThrownBy(() -> builder.runtime(TaskRuntime.platform("virtual", 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'virtual'").hasMessageContaining("VIRTUAL").hasMessageContaining("PLATFORM");
        assertThatThrownBy(() -> builder.runtime(TaskRuntime.virtual("single")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'single'");
        assertThatThrownBy(() -> builder.runtime(TaskRuntime.executor("platform", Runnable::run)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'platform'");
        try (TaskOrchestrator orchestrator = builder.runtime(TaskRuntime.platform("platform", 3)).build()) {
            assertThat(orchestrator.runtimes().get("platform").parallelism()).isEqualTo(3);
            assertThat(orchestrator.to(String.class).await(() -> "ok")).isEqualTo("ok");
        }
    }

    /**
     * The builder's setters are declared by a package-private class it extends: called reflectively (as Spring
     * binders and other frameworks do), each must still be a public method of {@code TaskOrchestrator.Builder}
     * itself (javac's bridge), return the builder, check its argument and take effect.
     */
    @Test
    void theBuildersPublicMethodsAreItsOwnAndWorkReflectively() throws Exception {
        Class<TaskOrchestrator.Builder> type = TaskOrchestrator.Builder.class;
        List<Method> methods = Arrays.stream(type.getMethods()).filter(m -> m.getDeclaringClass() != Object.class)
                .toList();
        assertThat(methods).extracting(Method::getName).containsExactlyInAnyOrder("build", "clock", "cluster",
                "contextPropagator", "defaultGroupConfig", "defaultRetry", "defaultRuntime", "defaultTimeout",
                "durableCodec", "durableStartGate", "group", "handler", "historySize", "listener", "maxResultSize",
                "member", "resourceTracking", "runtime", "store", "storeFlushInterval", "storeLease",
                "storeMaxPending", "storeRetention", "storeUnresolvedAfter");
        for (Method method : methods) {
            assertThat(method.getDeclaringClass()).as(method.getName()).isEqualTo(type);
            assertThat(Modifier.isPublic(method.getModifiers())).as(method.getName()).isTrue();
            assertThat(method.getReturnType()).as(method.getName())
                    .isEqualTo(method.getName().equals("build") ? TaskOrchestrator.class : type);
        }

        TaskOrchestrator.Builder builder = TaskOrchestrator.builder();
        assertThat(type.getMethod("historySize", int.class).invoke(builder, 0)).isSameAs(builder);
        assertThat(type.getMethod("runtime", TaskRuntime.class).invoke(builder, TaskRuntime.platform("cpu", 2)))
                .isSameAs(builder);
        assertThat(type.getMethod("defaultRuntime", String.class).invoke(builder, "cpu")).isSameAs(builder);
        Method timeout = type.getMethod("defaultTimeout", Duration.class);
        assertThatThrownBy(() -> timeout.invoke(builder, Duration.ZERO))
                .isInstanceOf(InvocationTargetException.class).cause()
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultTimeout");
        try (TaskOrchestrator orchestrator = (TaskOrchestrator) type.getMethod("build").invoke(builder)) {
            assertThat(orchestrator.runtimes().get("cpu").parallelism()).isEqualTo(2);
            assertThat(orchestrator.to(String.class).await(() -> Thread.currentThread().isVirtual() ? "virtual"
                    : "platform")).isEqualTo("platform");
            assertThat(orchestrator.recent()).isEmpty();
        }
    }

    @Test
    void hugeDefaultTimeoutIsHonoured() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .defaultTimeout(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)).build()) {
            assertThat(orchestrator.to(String.class).await(() -> "ok")).isEqualTo("ok");
        }
    }

    @Test
    void taskIdsIncreaseAndParseBack() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            SpawningTask<String> a = orchestrator.to(String.class).run(() -> "a");
            SpawningTask<String> b = orchestrator.to(String.class).run(() -> "b");
            assertThat(a.id()).isLessThan(b.id());
            assertThat(TaskId.parse(a.id().toString())).isEqualTo(a.id());
            assertThat(a.id().toString()).hasSizeLessThanOrEqualTo(20);
            a.join();
            b.join();
        }
    }
}
