package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * README, resource figures: bytes read and written were "always: exact, and a zero is a fact", yet a task that
 * copies 4 MB with {@code Files.copy} or {@code FileChannel.transferTo} read {@code SAMPLED} 0 read and 0 written,
 * on both thread kinds: the kernel copies (copy_file_range, sendfile) and JFR reports no file event. JFR cannot see
 * them, so the README and {@link ResourceTracking#MEASURE_AND_SAMPLE} now say so; this pins what they say (should
 * a JDK report such copies, the figures and this test change, and the README with them).
 */
@RunsAlone
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Review14ResZeroCopyTest {

    private static final int SIZE = 4 << 20;

    private final TaskOrchestrator sampling = TaskOrchestrator.builder()
            .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).build();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        sampling.close();
    }

    @Test
    void filesCopyAndTransferToOnBothThreadKinds() throws Exception {
        assumeThat(sampling.parts().attribution()).as("JDK Flight Recorder available").isNotNull();
        Path source = dir.resolve("source.bin");
        Files.write(source, new byte[SIZE]);
        StringBuilder report = new StringBuilder();
        for (String runtime : new String[] { "virtual", "platform" }) {
            SpawningTask<Long> copy = sampling.to(Long.class).runtime(runtime).run(() -> {
                Path target = dir.resolve("copy-" + runtime + ".bin");
                Files.copy(source, target);
                return Files.size(target);
            });
            SpawningTask<Long> transfer = sampling.to(Long.class).runtime(runtime).run(() -> {
                try (FileChannel in = FileChannel.open(source);
                        FileChannel out = FileChannel.open(dir.resolve("transfer-" + runtime + ".bin"),
                                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    long moved = 0;
                    while (moved < SIZE) {
                        moved += in.transferTo(moved, SIZE - moved, out);
                    }
                    return moved;
                }
            });
            for (SpawningTask<Long> task : java.util.List.of(copy, transfer)) {
                assertThat(task.join()).isEqualTo(SIZE);
                await().atMost(Duration.ofSeconds(30)).until(() -> !task.metrics().bytesRead().isPending()
                        && !task.metrics().bytesWritten().isPending());
                report.append(runtime).append(' ').append(task == copy ? "Files.copy" : "transferTo").append(": read ")
                        .append(task.metrics().bytesRead()).append(", written ").append(task.metrics().bytesWritten())
                        .append('\n');
            }
        }
        // as documented: kernel copies are not in the task's IO figures (a sampled zero, not the 4 MB moved)
        assertThat(report.toString()).as(report.toString()).doesNotContainPattern("amount=\\d{7,}, source=SAMPLED");
    }
}
