package io.sweetasync;

/**
 * Resource totals of all tasks of one name, measured and sampled figures together (see
 * {@link TaskMetrics} for each task's own figures and how they were obtained). Sampled figures keep
 * arriving for about a second after the work, and are added as they arrive, also those of tasks whose
 * own figure ends {@code UNAVAILABLE} (too coarse, or partly unattributable): totals are sums of what was
 * attributed, not estimates of what a figure could not cover.
 *
 * <pre>{@code
 * orchestrator.resourceUsage().forEach(u ->
 *         System.out.printf("%s: %d attempts, %d ms CPU, %d MB allocated%n",
 *                 u.name(), u.attempts(), u.cpuNanos() / 1_000_000, u.allocatedBytes() >> 20));
 * }</pre>
 *
 * @param name           task name ({@code "(other)"} once more than 1000 names were seen)
 * @param attempts       attempts started
 * @param cpuNanos       CPU time
 * @param allocatedBytes heap bytes allocated
 * @param bytesRead      bytes read from files and sockets (sampled tracking only)
 * @param bytesWritten   bytes written to files and sockets (sampled tracking only)
 */
public record ResourceUsage(String name, long attempts, long cpuNanos, long allocatedBytes, long bytesRead,
        long bytesWritten) {
}
