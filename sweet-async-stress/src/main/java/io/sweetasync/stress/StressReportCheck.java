package io.sweetasync.stress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fails the build when a jcstress run proved nothing. jcstress exits 0 when no test matched the selection,
 * when it found no JVM configuration to run with, and when it skipped every test as "API MISMATCH" (what a
 * JVM older than the compiled tests gives); only a forbidden outcome or a test error makes it exit 1. Run
 * after it, this reads the report it wrote ({@code index.html}) and exits 1, saying why, unless at least one
 * test ran, every test passed and none was skipped.
 *
 * <p>Reads the summary of jcstress 0.16's report: {@code Overall pass rate: P/T} (skipped tests are not
 * in T), {@code (S tests skipped)} and one {@code API MISMATCH} cell per skipped test. A report it cannot
 * read fails the check too, so a jcstress upgrade that changes the page cannot turn it into a no-op.
 *
 * <pre>java io.sweetasync.stress.StressReportCheck target/jcstress-results '.*'</pre>
 */
final class StressReportCheck {

    private static final Pattern PASS_RATE = Pattern.compile("Overall pass rate:</b>\\s*(\\d+)/(\\d+)");
    private static final Pattern SKIPPED = Pattern.compile("\\((\\d+) tests skipped\\)");
    private static final String API_MISMATCH = ">API MISMATCH<";

    private StressReportCheck() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: StressReportCheck <jcstress report directory> <test selection regex>");
            System.exit(2);
        }
        Path report = Path.of(args[0], "index.html");
        List<String> problems = problems(report, args[1]);
        if (!problems.isEmpty()) {
            System.err.println();
            System.err.println("STRESS TESTS NOT PASSED (" + report + "):");
            problems.forEach(problem -> System.err.println("  - " + problem));
            System.err.println();
            System.exit(1);
        }
        System.out.println("jcstress report checked: every test ran and passed, none was skipped");
    }

    /** What is wrong with the run {@code report} describes; empty when it passed. */
    static List<String> problems(Path report, String selection) throws IOException {
        if (!Files.isRegularFile(report)) {
            return List.of("jcstress wrote no report: no test matched -Djcstress.tests=" + selection
                    + ", no test could be scheduled on this machine's CPUs, or it found no JVM configuration"
                    + " to run with (see its output above)");
        }
        String html = Files.readString(report, StandardCharsets.UTF_8);
        Matcher rate = PASS_RATE.matcher(html);
        if (!rate.find()) {
            return List.of("cannot find 'Overall pass rate' in the report: has the jcstress version changed?"
                    + " Update " + StressReportCheck.class.getSimpleName() + " to read its report");
        }
        int passed = Integer.parseInt(rate.group(1));
        int ran = Integer.parseInt(rate.group(2));
        Matcher skippedCount = SKIPPED.matcher(html);
        int skipped = skippedCount.find() ? Integer.parseInt(skippedCount.group(1)) : 0;
        int mismatched = occurrences(html, API_MISMATCH);

        List<String> problems = new ArrayList<>();
        if (skipped > 0 || mismatched > 0) {
            problems.add(Math.max(skipped, mismatched) + " test(s) skipped as API MISMATCH: the JVM that ran"
                    + " jcstress cannot load the tests (older than the JDK 21 they are compiled for?)");
        }
        if (ran == 0) {
            problems.add("no test ran (selection -Djcstress.tests=" + selection + ")");
        } else if (passed != ran) {
            problems.add("pass rate " + passed + "/" + ran + ": " + (ran - passed) + " test(s) failed");
        }
        return problems;
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }
}
