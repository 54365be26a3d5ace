package io.sweetasync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * H2 with files writes a commit to them up to {@code WRITE_DELAY} (500 ms by default) after it returns, so a
 * {@code kill -9} in that time loses it: a durable invocation the store said was stored among them (the sample
 * app's crash test lost its import's record so). The store cannot change the database's setting; it says so, once,
 * when it first meets such a database, and names the cure.
 */
class H2WriteDelayTest {

    @TempDir
    Path files;

    @Test
    void anH2FileDatabaseWithItsDefaultWriteDelayIsWarnedOf() {
        List<String> warnings = warningsWhileStoreMeets("jdbc:h2:file:" + files.resolve("late"));
        assertThat(warnings).singleElement().asString().contains("WRITE_DELAY").contains("500 ms")
                .contains(";WRITE_DELAY=0");
    }

    @Test
    void anH2FileDatabaseThatWritesAtOnceOrInMemoryIsNotWarnedOf() {
        assertThat(warningsWhileStoreMeets("jdbc:h2:file:" + files.resolve("prompt") + ";WRITE_DELAY=0")).isEmpty();
        assertThat(warningsWhileStoreMeets("jdbc:h2:mem:write-delay-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1"))
                .isEmpty();
    }

    private static List<String> warningsWhileStoreMeets(String url) {
        return StoreWarnings.whileStoreMeets(url, "after they return (WRITE_DELAY)");
    }
}
