package io.sweetasync;

/**
 * How an orchestrator's task store keeps up, from {@link TaskOrchestrator#storeStatistics()}.
 *
 * <pre>{@code
 * orchestrator.storeStatistics().filter(s -> s.dropped() > 0)
 *         .ifPresent(s -> log.warn("{} task records were never written", s.dropped()));
 * }</pre>
 *
 * @param member       this process's member name
 * @param incarnation  its incarnation number (the prefix of its task ids)
 * @param pending      tasks whose latest state is not written yet
 * @param written      task records written
 * @param failedWrites store calls that failed (each retried)
 * @param dropped      tasks never recorded because too many waited to be written
 */
public record StoreStatistics(String member, long incarnation, int pending, long written, long failedWrites,
        long dropped) {
}
