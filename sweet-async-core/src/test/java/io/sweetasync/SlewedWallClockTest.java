package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sampled figures stay exact while the wall clock is slewed: NTP correcting a virtual machine's clock makes
 * {@code Instant.now()} run faster or slower than the monotonic clock, which JFR's event times follow. With
 * slices timed on the wall clock, a task's own IO events fell outside its slice and were lost: a 1 MB read
 * sampled as 0, a socket exchange as 63% of its bytes (seen on a CI machine; {@link JfrClock}). And a
 * pipeline's duration, taken from the wall clock, came out longer than the time it ran.
 *
 * <p>The slew is real, made by libfaketime in a child JVM (its wall clock 5% fast, or 5% slow; its monotonic
 * clock and the CPU's tick counter untouched). Without libfaketime the test skips saying so, or fails where it is
 * required ({@code SWEET_ASYNC_SLEWED_CLOCK_TESTS=required} or {@code CI=true}; {@code .ci/faketime} installs it).
 */
class SlewedWallClockTest {

    private static final long MB = 1 << 20;
    /** A task's thread also reads the class files it loads (on first use): real IO, counted too. */
    private static final long CLASS_LOADING = 64 * 1024;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "wall clock at {0} of the monotonic clock's rate")
    @ValueSource(strings = { "1.05", "0.95" })
    @Timeout(180)
    void ioFiguresAreExactAndDurationsTrueWhileTheWallClockIsSlewed(String rate) throws Exception {
        Path library = Path.of(System.getenv().getOrDefault("SWEET_ASYNC_LIBFAKETIME",
                "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"));
        if (!Files.isReadable(library)) {
            if ("required".equals(System.getenv("SWEET_ASYNC_SLEWED_CLOCK_TESTS")) || "true".equals(System.getenv("CI"))) {
                fail("libfaketime is required for this test and missing at " + library + ": run .ci/faketime");
            }
            assumeTrue(false, "libfaketime not installed at " + library + " (.ci/faketime installs it)");
        }
        Path file = dir.resolve("1mb.bin");
        Files.write(file, new byte[(int) MB]);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SlewedWallClockChild.class.getName(), file.toString())
                .redirectErrorStream(true);
        builder.environment().put("LD_PRELOAD", library.toString());
        builder.environment().put("FAKETIME", "+0 x" + rate);
        builder.environment().put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        Process child = builder.start();
        String output;
        try {
            output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child ended").isTrue();
        }
        finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as(output).isZero();
        List<String> lines = output.lines().toList();
        long wallAhead = lines.stream().filter(line -> line.startsWith("WALL-AHEAD-MS ")).findFirst()
                .map(line -> Long.parseLong(line.substring("WALL-AHEAD-MS ".length()))).orElseThrow(
                        () -> new AssertionError("no clock report: " + output));
        assertThat(Math.abs(wallAhead)).as("the child's wall clock parted from its monotonic clock (libfaketime took)")
                .isGreaterThanOrEqualTo(100);
        assertThat(wallAhead > 0).as("the wall clock ran the way it was told").isEqualTo(Double.parseDouble(rate) > 1);
        String[] pipeline = lines.stream().filter(line -> line.startsWith("PIPELINE ")).findFirst().orElseThrow(
                () -> new AssertionError("no pipeline report: " + output)).split(" ");
        assertThat(Long.parseLong(pipeline[1])).as("a pipeline's duration is within the monotonic time around it")
                .isBetween(500_000_000L, Long.parseLong(pipeline[2]));
        List<String> figures = lines.stream().filter(line -> line.startsWith("FIGURE ")).toList();
        assertThat(figures).as(output).hasSize(20);
        for (String figure : figures) {
            String[] fields = figure.split(" ");
            assertThat(fields[3]).as(figure).isEqualTo("SAMPLED");
            long amount = Long.parseLong(fields[4]);
            long truth = Long.parseLong(fields[5]);
            assertThat(amount).as(figure).isBetween(truth, truth + CLASS_LOADING);
        }
    }
}
