package io.sweetasync.emit;

import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;

/** What the hostile pipeline tests share: an orchestrator per test, a ceiling that only catches hangs, numbers to emit. */
abstract class PipelineHostileSupport {

    /** Long enough for a loaded machine; a test that reaches it hangs. */
    static final Duration CEILING = Duration.ofSeconds(30);

    final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    static List<Integer> numbers(int count) {
        return IntStream.range(0, count).boxed().toList();
    }
}
