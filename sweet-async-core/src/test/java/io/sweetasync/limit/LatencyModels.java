package io.sweetasync.limit;

import io.sweetasync.limit.ModelSimulation.Phase;
import io.sweetasync.limit.ModelSimulation.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Downstream latency models for {@link LatencyModelsTest}, each a few phases of a {@link ModelSimulation}
 * with the ideal limit of each phase (the least concurrency that delivers the downstream's full rate: the
 * slots times {@code (service + delay) / service}). Unless a model says otherwise: 100 slots of 10 ms
 * (log-normal, σ 0.3), saturated load, limits in [1, 1000] from 20.
 */
final class LatencyModels {

    static final Duration MS_10 = Duration.ofMillis(10);
    static final Service SERVICE = Service.lognormal(MS_10, 0.3);

    /** One phase: a change to the downstream, how long it runs, its ideal limit and its solo latency. */
    record Step(Consumer<ModelSimulation> change, Duration length, int ideal, double baseNanos) {
    }

    /** A model: how the simulation starts, then its phases. */
    record Model(String name, Consumer<ModelSimulation> setup, List<Step> steps) {

        /** Runs {@code algorithm} (or the oracle, a fixed limit at each phase's ideal, when null) through it. */
        List<Phase> run(LimitAlgorithm algorithm, long seed) {
            int[] ideal = {steps.getFirst().ideal()};
            Limit limit = algorithm == null ? ModelSimulation.oracle(() -> ideal[0])
                    : Limit.of(LimiterConfig.defaults().withAlgorithm(algorithm).withLimits(20, 1, 1000));
            ModelSimulation sim = new ModelSimulation(limit, seed);
            setup.accept(sim);
            List<Phase> phases = new ArrayList<>();
            for (Step step : steps) {
                step.change().accept(sim);
                ideal[0] = step.ideal();
                phases.add(sim.run(step.length(), step.baseNanos()));
            }
            return phases;
        }
    }

    private static Step step(Consumer<ModelSimulation> change, int seconds, int ideal, double baseMillis) {
        return new Step(change, Duration.ofSeconds(seconds), ideal, baseMillis * 1e6);
    }

    private static Step step(int seconds, int ideal, double baseMillis) {
        return step(sim -> { }, seconds, ideal, baseMillis);
    }

    static Model capacity() {
        return new Model("capacity 100", sim -> { }, List.of(step(30, 100, 10)));
    }

    static Model capacityDropAndRecovery() {
        return new Model("capacity 100>20>100", sim -> { }, List.of(step(20, 100, 10),
                step(sim -> sim.slots(20), 20, 20, 10), step(sim -> sim.slots(100), 20, 100, 10)));
    }

    /** Every call 40 ms slower on the way back, capacity (10,000/s) unchanged: 5x the latency, 5x the BDP. */
    static Model delayShift() {
        return new Model("delay +40ms (5x), back", sim -> { }, List.of(step(20, 100, 10),
                step(sim -> sim.delay(Duration.ofMillis(40)), 20, 500, 50),
                step(sim -> sim.delay(Duration.ZERO), 20, 100, 10)));
    }

    /** Service 5x slower on the same slots: latency 5x, the ideal concurrency unchanged. */
    static Model serviceShift() {
        return new Model("service 5x, back", sim -> { }, List.of(step(20, 100, 10),
                step(sim -> sim.service(SERVICE.times(5)), 40, 100, 50),
                step(sim -> sim.service(SERVICE), 20, 100, 10)));
    }

    static Model heavyTail() {
        Service tail = Service.lognormal(MS_10, 1).tail(0.01, 50);
        return new Model("lognormal σ1 + 1% 50x", sim -> sim.service(tail), List.of(step(60, 100, 14.9)));
    }

    static Model bimodal() {
        Service mixed = Service.bimodal(0.8, Service.lognormal(Duration.ofMillis(1), 0.3),
                Service.lognormal(Duration.ofMillis(50), 0.3));
        return new Model("bimodal 80% 1ms / 50ms", sim -> sim.service(mixed), List.of(step(30, 100, 10.8)));
    }

    /** 300 ns work on 4 slots, a 1 µs clock: most samples measure 0 ns. */
    static Model subMicrosecond() {
        return new Model("300ns, 1us clock", sim -> sim.service(Service.lognormal(Duration.ofNanos(300), 0.3))
                .slots(4).resolution(1_000), List.of(new Step(sim -> { }, Duration.ofMillis(20), 4, 300)));
    }

    /** 2 s work on 50 slots. */
    static Model seconds() {
        return new Model("2s service, 50 slots", sim -> sim.service(Service.lognormal(Duration.ofSeconds(2), 0.3))
                .slots(50), List.of(step(600, 50, 2000)));
    }

    /** A caller timeout of 50 ms (5x the solo latency): overload shows as drops; capacity drops and recovers. */
    static Model timeouts() {
        return new Model("timeout 50ms, cap 100>20>100", sim -> sim.timeout(Duration.ofMillis(50)),
                List.of(step(20, 100, 10), step(sim -> sim.slots(20), 20, 20, 10),
                        step(sim -> sim.slots(100), 20, 100, 10)));
    }

    /** 2% of calls fail whatever the load. */
    static Model errors() {
        return new Model("2% errors at any load", sim -> sim.errors(0.02), List.of(step(30, 100, 10)));
    }

    /** Arrivals at 30% of capacity for two minutes, then 1.5x capacity. */
    static Model appLimited() {
        return new Model("app-limited 30% then 150%", sim -> sim.open(3_000),
                List.of(step(120, 100, 10), step(sim -> sim.open(15_000), 20, 100, 10)));
    }

    /** 500 clients thinking 20 ms between calls (up to 1.7x capacity). */
    static Model manySenders() {
        return new Model("500 closed clients", sim -> sim.closed(500, Duration.ofMillis(20)),
                List.of(step(30, 100, 10)));
    }

    /** Arrivals at half the capacity, then every call 40 ms slower: 250 in flight needed, not 50. */
    static Model appLimitedShift() {
        return new Model("50% load, delay +40ms", sim -> sim.open(5_000), List.of(step(20, 100, 10),
                step(sim -> sim.delay(Duration.ofMillis(40)), 30, 500, 50)));
    }

    /** The return delay grows by 5 ms a second for 8 seconds (10 ms to 50 ms), then stays. */
    static Model ramp() {
        List<Step> steps = new ArrayList<>();
        steps.add(step(20, 100, 10));
        for (int i = 1; i <= 8; i++) {
            int d = 5 * i;
            steps.add(step(sim -> sim.delay(Duration.ofMillis(d)), 1, 100 + 10 * d, 10 + d));
        }
        steps.add(step(20, 500, 50));
        return new Model("delay ramp +40ms over 8s", sim -> { }, steps);
    }

    static Model deepDrop() {
        return new Model("capacity 100>5>100", sim -> { }, List.of(step(20, 100, 10),
                step(sim -> sim.slots(5), 20, 5, 10), step(sim -> sim.slots(100), 20, 100, 10)));
    }

    static Model heavyErrors() {
        return new Model("20% errors at any load", sim -> sim.errors(0.2), List.of(step(30, 100, 10)));
    }

    /** 10 µs work on 4 slots, a 1 ms clock: nearly every sample measures 0 ns. */
    static Model zeroClock() {
        return new Model("10us, 1ms clock", sim -> sim.service(Service.lognormal(Duration.ofNanos(10_000), 0.3))
                .slots(4).resolution(1_000_000), List.of(new Step(sim -> { }, Duration.ofMillis(500), 4, 10_000)));
    }

    /** Cache hits (1 ms) fall from 80% to 20% of calls: latency 4x, the slots (the ideal concurrency) unchanged. */
    static Model hitRatioShift() {
        Service hit = Service.lognormal(Duration.ofMillis(1), 0.3);
        Service miss = Service.lognormal(Duration.ofMillis(50), 0.3);
        return new Model("hits 80% > 20% > 80%", sim -> sim.service(Service.bimodal(0.8, hit, miss)),
                List.of(step(30, 100, 10.8), step(sim -> sim.service(Service.bimodal(0.2, hit, miss)), 30, 100, 40.2),
                        step(sim -> sim.service(Service.bimodal(0.8, hit, miss)), 30, 100, 10.8)));
    }

    /**
     * Every call becomes a cache hit (1 ms) or a miss (100 ms), half each: the mean latency 5x, its spread
     * 20x, the slots (the ideal concurrency) unchanged.
     */
    static Model bimodalShift() {
        Service mixed = Service.bimodal(0.5, Service.lognormal(Duration.ofMillis(1), 0.3),
                Service.lognormal(Duration.ofMillis(100), 0.3));
        return new Model("10ms > 50% 1ms / 50% 100ms", sim -> { }, List.of(step(20, 100, 10),
                step(sim -> sim.service(mixed), 20, 100, 50.5)));
    }

    /** Every call hangs for 10 s (1000x) for 30 s, then the downstream is back at 10 ms. */
    static Model hangThenBack() {
        return new Model("hang 10s for 30s, back", sim -> { }, List.of(step(20, 100, 10),
                step(sim -> sim.service(SERVICE.times(1000)), 30, 100, 10_000),
                step(sim -> sim.service(SERVICE), 30, 100, 10), step(30, 100, 10)));
    }

    /** A downstream that sheds load: with 100 inside, a call fails at once (1 ms); then 20, then 100 again. */
    static Model shedding() {
        return new Model("sheds above 100>20>100", sim -> sim.shedAbove(100), List.of(step(20, 100, 10),
                step(sim -> sim.slots(20).shedAbove(20), 20, 20, 10),
                step(sim -> sim.slots(100).shedAbove(100), 20, 100, 10)));
    }

    static List<Model> more() {
        return List.of(appLimitedShift(), ramp(), deepDrop(), heavyErrors(), zeroClock(), hitRatioShift(), shedding());
    }

    static List<Model> all() {
        return List.of(capacity(), capacityDropAndRecovery(), delayShift(), serviceShift(), heavyTail(), bimodal(),
                subMicrosecond(), seconds(), timeouts(), errors(), appLimited(), manySenders());
    }
}
