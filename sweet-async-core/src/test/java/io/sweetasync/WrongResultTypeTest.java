package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A task whose work is a handler registered by name ({@code anywhere()}, durable) is held to its builder's type: the
 * compiler cannot check the handler's result against {@code to(Integer.class)}, so a value of another type would
 * otherwise reach the caller and throw a {@link ClassCastException} at its assignment, naming nothing.
 */
class WrongResultTypeTest {

    private final AtomicInteger calls = new AtomicInteger();
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .handler("greet", String.class, who -> {
                calls.incrementAndGet();
                return "hello " + who;
            })
            .handler("length", String.class, String::length)
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aHandlerValueOfAnotherTypeFailsTheTaskNamingTheHandlerAndBothTypesWithoutARetry() {
        SpawningTask<Integer> task = orchestrator.to(Integer.class).retry(RetryPolicy.fixed(3, Duration.ofMillis(1)))
                .anywhere().run("greet", "bob");
        assertThatThrownBy(task::join).isInstanceOf(TaskFailedException.class)
                .hasCauseInstanceOf(ClassCastException.class)
                .hasMessageContaining("'greet'").hasMessageContaining("java.lang.String")
                .hasMessageContaining("java.lang.Integer");
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(calls).as("the handler ran once: a retry would repeat its effects and its type").hasValue(1);
    }

    @Test
    void theHandlersOwnTypeItsSupertypesAPrimitiveForItsBoxAndAnUntypedBuilderPass() {
        assertThat(orchestrator.to(String.class).anywhere().await("greet", "ann")).isEqualTo("hello ann");
        assertThat(orchestrator.to(CharSequence.class).anywhere().await("greet", "ann")).hasToString("hello ann");
        assertThat(orchestrator.to(int.class).anywhere().await("length", "four")).isEqualTo(4);
        assertThat(orchestrator.<Object>to().anywhere().await("length", "four")).isEqualTo(4);
        assertThat(orchestrator.to(Integer.class).named("again").anywhere().await("length", "abc"))
                .as("the type kept by a configured builder").isEqualTo(3);
    }

    @Test
    void aChildBuilderKeepsItsTypeToo() {
        String failure = orchestrator.to(String.class).await(() -> {
            SpawningTask<Long> child = TaskContext.current().orElseThrow().child(Long.class).anywhere()
                    .run("length", "abc");
            return child.result().isOk() ? "ok" : child.result().toString();
        });
        assertThat(failure).contains("'length'").contains("java.lang.Long");
    }

    @Test
    void typedBuildersAreSharedPerType() {
        assertThat(orchestrator.to(String.class)).isSameAs(orchestrator.to(String.class));
        assertThat(orchestrator.to(String.class)).isNotSameAs(orchestrator.to(Integer.class));
    }
}
