package io.sweetasync.review15;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README, "Single tasks": every argument is checked where it is set, naming it and its value. */
@Timeout(120)
class Review15ReadmeSingleTasksTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static void refused(Runnable call, String... named) {
        Throwable error = catchThrowable(call::run);
        assertThat(error).isInstanceOf(IllegalArgumentException.class);
        for (String part : named) {
            assertThat(error).hasMessageContaining(part);
        }
    }

    // "task names, groups, tag keys and progress names are 1 to 100 characters, not blank, without control
    // characters (task names without / or # either ...; groups without white space at either end); tag values are
    // at most 1,000 characters, a task takes at most 1,000 tags and publishes at most 1,000 progress names."
    @Test
    void badArgumentsAreRefusedWhereTheyAreSetNamingThemAndTheirValue() {
        SpawningTaskBuilder<String> builder = orchestrator.to(String.class);
        String hundred = "n".repeat(100);
        builder.named(hundred).group(hundred).tag(hundred, "v".repeat(1000));
        refused(() -> builder.named("n".repeat(101)), "name");
        refused(() -> builder.named("   "), "name");
        refused(() -> builder.named("a/b"), "name", "a/b");
        refused(() -> builder.named("a#b"), "name", "a#b");
        refused(() -> builder.named("a\tb"), "name");
        refused(() -> builder.group(" pricing"), "group", " pricing");
        refused(() -> builder.group("pri\u0001cing"), "group");
        refused(() -> builder.group("g".repeat(101)), "group");
        refused(() -> builder.tag("k".repeat(101), "v"), "tag");
        refused(() -> builder.tag(" ", "v"), "tag");
        refused(() -> builder.tag("k", "v".repeat(1001)), "tag", "k");
        SpawningTaskBuilder<String> tagged = builder;
        for (int i = 0; i < 1000; i++) {
            tagged = tagged.tag("k" + i, "v");
        }
        SpawningTaskBuilder<String> full = tagged;
        refused(() -> full.tag("one-more", "v"), "tag");

        String progress = orchestrator.to(String.class).await(() -> {
            TaskContext ctx = TaskContext.current().orElseThrow();
            for (int i = 0; i < 1000; i++) {
                ctx.progress("p" + i, () -> 1);
            }
            Throwable tooMany = catchThrowable(() -> ctx.progress("one-more", () -> 1));
            Throwable tooLong = catchThrowable(() -> ctx.progress("p".repeat(101), () -> 1));
            Throwable blank = catchThrowable(() -> ctx.progress(" ", () -> 1));
            return tooMany.getClass().getSimpleName() + " " + tooLong.getClass().getSimpleName() + " "
                    + blank.getClass().getSimpleName();
        });
        assertThat(progress).isEqualTo(
                "IllegalStateException IllegalArgumentException IllegalArgumentException"); // the 1,001st: as its javadoc says
    }
}
