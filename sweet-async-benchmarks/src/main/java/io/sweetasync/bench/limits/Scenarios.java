package io.sweetasync.bench.limits;

import java.util.List;

/**
 * The downstreams and loads every contender faces. Mean service time 50 ms unless said otherwise;
 * "1.5x" is arrivals at 1.5 times the downstream's full throughput. Single-phase scenarios run three
 * phase lengths.
 */
final class Scenarios {

    static final double S = 0.050;
    static final int SEEDS = 3;

    private Scenarios() {
    }

    static List<Scenario> all(double phase) {
        Work normal = Work.logNormal(S, 0.3);
        Work heavy = Work.logNormal(S, 0.69);
        double timeout = 10 * median(S, 0.3);
        Profile none = Profile.constant(0);
        return List.of(
                // The shape the benchmark started with: N parallel slots and a FIFO queue.
                new Scenario("slots overload 1.5x", 3, phase, new Load.Open(1.5 * 40 / S), normal,
                        host -> new SlotsDownstream(host, Profile.constant(40), none, S), timeout, false, true, 11),
                new Scenario("slots step 20>5>20", 3, phase, new Load.Open(1.5 * 20 / S), normal,
                        host -> new SlotsDownstream(host, Profile.phases(phase, 20, 5, 20), none, S), timeout, false,
                        true, 22),
                new Scenario("slots heavy tail", 3, phase, new Load.Open(1.5 * 40 / S), heavy,
                        host -> new SlotsDownstream(host, Profile.constant(40), none, S), 10 * median(S, 0.69), false,
                        true, 33),
                new Scenario("slots underload 0.5x", 3, phase, new Load.Open(0.5 * 40 / S), normal,
                        host -> new SlotsDownstream(host, Profile.constant(40), none, S), timeout, false, false, 44),
                // Every call gets 30 ms slower (a hop to another zone), capacity unchanged, then back.
                new Scenario("shift +30ms 1.5x", 3, phase, new Load.Open(1.5 * 40 / S), normal,
                        host -> new SlotsDownstream(host, Profile.constant(40), Profile.phases(phase, 0, 0.030, 0), S),
                        timeout, false, true, 55),
                new Scenario("shift +30ms 0.7x", 3, phase, new Load.Open(0.7 * 40 / S), normal,
                        host -> new SlotsDownstream(host, Profile.constant(40), Profile.phases(phase, 0, 0.030, 0), S),
                        timeout, false, false, 66),
                // Ten times slower for everyone once more than 30 are inside.
                new Scenario("cliff 10x above 30", 3, phase, new Load.Open(1.5 * 30 / S), normal,
                        host -> new SharingDownstream(host, SharingDownstream.cliff(10), Profile.constant(30)), timeout,
                        false, true, 77),
                // 16 cores shared by everything inside: past 16, every request slows.
                new Scenario("sharing knee 16", 3, phase, new Load.Open(1.5 * 16 / S), normal,
                        host -> new SharingDownstream(host, SharingDownstream.knee(), Profile.constant(16)), timeout,
                        false, true, 88),
                new Scenario("closed 100 clients knee 16", 3, phase, new Load.Closed(100, 0.1), normal,
                        host -> new SharingDownstream(host, SharingDownstream.knee(), Profile.constant(16)), timeout,
                        false, true, 99),
                // Throughput peaks near 44 inside, then falls (universal scalability law).
                new Scenario("contention (USL)", 3, phase, new Load.Open(1.5 * 13.6 / S), normal,
                        host -> new SharingDownstream(host, SharingDownstream.contention(0.03, 0.0005), none), timeout,
                        false, true, 110),
                new Scenario("oscillating 10..40 slots", 3, phase, new Load.Open(1.2 * 40 / S), normal,
                        host -> new SlotsDownstream(host, Profile.sine(25, 15, 20), none, S), timeout, false, false,
                        121),
                // 90% small (20 ms), 10% large (300 ms): mean 48 ms.
                new Scenario("mixed sizes 20/300ms", 3, phase, new Load.Open(1.5 * 40 / 0.048),
                        Work.mix(Work.logNormal(0.020, 0.3), Work.logNormal(0.300, 0.3), 0.1),
                        host -> new SlotsDownstream(host, Profile.constant(40), none, 0.048), 1.0, false, true, 132),
                // The caller gives up after 150 ms; the downstream keeps working on what it abandoned.
                new Scenario("abandoned at 150ms", 3, phase, new Load.Open(1.5 * 40 / S), normal,
                        host -> new SlotsDownstream(host, Profile.constant(40), none, S), 0.150, true, true, 143),
                // Added after ADAPTIVE's throughput-gradient probe, to check it on shapes it was not tuned on:
                // milder contention whose throughput peaks near 70 inside, ...
                new Scenario("contention light (USL)", 3, phase, new Load.Open(1.5 * 26.4 / S), normal,
                        host -> new SharingDownstream(host, SharingDownstream.contention(0.01, 0.0002), none), timeout,
                        false, true, 154),
                // ... and a bimodal service (70% 10 ms, 30% 200 ms: mean 67 ms) on 24 shared cores.
                new Scenario("bimodal 10/200ms knee 24", 3, phase, new Load.Open(1.5 * 24 / 0.067),
                        Work.mix(Work.logNormal(0.010, 0.3), Work.logNormal(0.200, 0.3), 0.3),
                        host -> new SharingDownstream(host, SharingDownstream.knee(), Profile.constant(24)), 1.0, false,
                        true, 165));
    }

    static double median(double mean, double sigma) {
        return Math.exp(Math.log(mean) - sigma * sigma / 2);
    }
}
