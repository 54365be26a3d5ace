package io.sweetasync.bench.limits;

import java.util.function.Function;

/**
 * A downstream, the load on it, and how the caller times out.
 *
 * @param name           short label
 * @param phases         number of phases (settle time is measured per phase)
 * @param phaseSeconds   length of each phase (virtual seconds)
 * @param load           who sends requests
 * @param work           solo service time of each request
 * @param downstream     makes the downstream for one run
 * @param timeoutSeconds the caller's timeout: a longer round trip is a drop, not goodput
 * @param abandon        whether the caller gives up at its timeout (frees its permit, records a drop)
 *                       while the downstream goes on with the abandoned work; otherwise it waits for
 *                       the late response and records the drop then
 * @param settles        whether settle time is measured: the ideal limit is constant within each phase
 *                       and the load reaches it (below capacity the limit need only stay above demand,
 *                       and with capacity moving all the time there is nothing to settle on)
 * @param seed           first seed; runs use {@code seed, seed + 1, ...}
 */
record Scenario(String name, int phases, double phaseSeconds, Load load, Work work,
        Function<Downstream.Host, Downstream> downstream, double timeoutSeconds, boolean abandon, boolean settles,
        long seed) {

    double durationSeconds() {
        return phases * phaseSeconds;
    }

    Scenario withSeed(long value) {
        return new Scenario(name, phases, phaseSeconds, load, work, downstream, timeoutSeconds, abandon, settles, value);
    }
}
