package io.sweetasync;

/**
 * What a runtime is doing right now, from {@link TaskRuntime#snapshot()}.
 *
 * <p>On {@code PLATFORM} and {@code SINGLE} runtimes a body that waits (for a task, or inside
 * {@link TaskRuntime#managedBlock}) gives its slot to another thread for the wait: {@code blocked}
 * counts such waits now, {@code threads} includes the spare threads started to cover them (platform
 * threads up to {@code parallelism + maxSpareThreads}, virtual threads beyond), and
 * {@code peakBlocked} is the most waits seen at once. A {@code VIRTUAL} runtime reports its live
 * threads as {@code threads} and {@code running}; an {@code EXECUTOR} runtime knows only its attempts
 * in progress.
 *
 * <pre>{@code
 * RuntimeSnapshot single = orchestrator.runtimes().get("single").snapshot();
 * if (single.blocked() > 0) {
 *     log.info("{} bodies on 'single' wait; {} threads cover them", single.blocked(), single.threads());
 * }
 * }</pre>
 *
 * @param name the runtime's name
 * @param kind its kind
 * @param parallelism how many bodies it runs at once ({@code Integer.MAX_VALUE}: unbounded)
 * @param threads live threads
 * @param running bodies running (holding a slot)
 * @param blocked bodies waiting in a managed block (holding a thread but no slot)
 * @param queued attempts queued for a slot
 * @param maxSpareThreads platform threads it may start beyond {@code parallelism} to cover waits
 * @param peakBlocked the most bodies blocked at once since the runtime started
 * @param virtualSpares virtual threads started to cover waits once the platform spares ran out
 */
public record RuntimeSnapshot(String name, TaskRuntime.Kind kind, int parallelism, int threads, int running,
        int blocked, int queued, int maxSpareThreads, int peakBlocked, long virtualSpares) {
}
