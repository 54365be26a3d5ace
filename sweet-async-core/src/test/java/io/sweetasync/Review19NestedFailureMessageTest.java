package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A failure's message quotes its cause's message, and a task's {@code TaskInfo.Failure} its error's: when each level
 * of a tree joins its child and lets the child's failure out (the usual {@code child.join()}), each level's message
 * held the whole message below it, so a tree {@code n} deep kept about {@code n²/2} path segments in the exceptions of
 * its cause chain and in the failures of its snapshots (history included). At 3,000 levels the root's message was
 * 453,423 characters; at the depths a tree may have (100,000 levels, {@code DeepTreeTest}) the failure ran out of
 * memory. A quoted message is cut at {@link AsyncTaskException#MAX_QUOTED_MESSAGE} characters, saying how many were
 * left out; the exception it quotes is kept whole as the cause.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review19NestedFailureMessageTest {

    private static final int LEVELS = 2_000;

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().historySize(2).build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void nestedJoinsFailingKeepEachMessageBounded() throws Exception {
        SpawningTask<Integer> root = orchestrator.to(Integer.class).named("lvl").run(() -> nest(1));
        TaskResult<Integer> result = root.toCompletableFuture().handle((v, e) -> root.result()).get(100, TimeUnit.SECONDS);
        AsyncTaskException error = ((TaskResult.Err<Integer>) result).error();
        assertThat(error.getMessage()).startsWith("task lvl#" + root.id() + " failed after 1 attempt: TaskFailedException: task lvl#")
                .contains(" more characters)");
        long quoted = 0;
        int depth = 0;
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            assertThat(cause.getMessage().length()).as("level %d", depth).isLessThan(2 * AsyncTaskException.MAX_QUOTED_MESSAGE);
            quoted += cause.getMessage().length();
            depth++;
        }
        assertThat(depth).isEqualTo(LEVELS + 2); // the root's and its LEVELS levels' exceptions, then the leaf's own
        assertThat(quoted).isLessThan((long) (LEVELS + 2) * 2 * AsyncTaskException.MAX_QUOTED_MESSAGE);
        assertThat(error.getCause()).isInstanceOf(TaskFailedException.class);
        assertThat(root.info().failure().message().length()).isLessThan(2 * AsyncTaskException.MAX_QUOTED_MESSAGE);
        // the deepest level quotes the leaf's own exception whole
        Throwable last = error;
        while (last.getCause() != null) {
            last = last.getCause();
        }
        assertThat(last).isInstanceOf(IllegalStateException.class).hasMessage("leaf");
    }

    @Test
    void aHugeUserMessageIsCutInTheFailureButKeptInTheCause() {
        String huge = "x".repeat(1_000_000);
        SpawningTask<String> task = orchestrator.to(String.class).named("huge").run(() -> {
            throw new IllegalStateException(huge);
        });
        AsyncTaskException error = ((TaskResult.Err<String>) task.result()).error();
        assertThat(error.getMessage()).startsWith("task huge#" + task.id() + " failed after 1 attempt: IllegalStateException: xxx")
                .endsWith("… (" + (huge.length() - AsyncTaskException.MAX_QUOTED_MESSAGE) + " more characters)");
        assertThat(task.info().failure().message()).hasSizeLessThan(2 * AsyncTaskException.MAX_QUOTED_MESSAGE);
        assertThat(error.getCause()).hasMessage(huge);
    }

    private static int nest(int level) {
        if (level > LEVELS) {
            throw new IllegalStateException("leaf");
        }
        return TaskContext.current().orElseThrow().child(Integer.class).named("lvl").run(() -> nest(level + 1)).join();
    }
}
