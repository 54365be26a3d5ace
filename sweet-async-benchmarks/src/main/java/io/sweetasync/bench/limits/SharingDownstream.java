package io.sweetasync.bench.limits;

import java.util.PriorityQueue;

/**
 * Every request in the downstream is served at once, each at a speed that depends on how many there
 * are ({@code n}): processor sharing. With {@code speed(n) = 1} a request takes its solo service time;
 * with {@code 1/2}, twice as long. Throughput at concurrency {@code n} is {@code n · speed(n) / S}.
 * <ul>
 * <li>{@link #knee()}: {@code K} cores, {@code speed(n) = min(1, K / n)}: a CPU-bound service;</li>
 * <li>{@link #cliff(double)}: {@code speed(n) = 1} up to {@code C}; above, the whole downstream delivers
 * {@code factor} times less, {@code speed(n) = C / (n · factor)} (a cache or memory that thrashes);</li>
 * <li>{@link #contention(double, double)}: the universal scalability law,
 * {@code speed(n) = 1 / (1 + α(n − 1) + β·n(n − 1))}: throughput peaks, then falls (a database under
 * lock contention).</li>
 * </ul>
 * Implemented with virtual service time {@code V}, {@code dV/dt = speed(n)}: a request entering at
 * {@code V₀} with work {@code w} leaves when {@code V} reaches {@code V₀ + w}.
 */
final class SharingDownstream extends Downstream {

    /** Speed of each request when {@code n} share the downstream, given the profile's value {@code p}. */
    @FunctionalInterface
    interface Speed {
        double of(int n, double p);
    }

    /** The profile gives the number of cores. */
    static Speed knee() {
        return (n, cores) -> n <= cores ? 1 : cores / n;
    }

    /** The profile gives the concurrency above which the downstream delivers {@code factor} times less. */
    static Speed cliff(double factor) {
        return (n, at) -> n <= at ? 1 : at / (n * factor);
    }

    /** The profile is not used. */
    static Speed contention(double alpha, double beta) {
        return (n, unused) -> 1 / (1 + alpha * (n - 1) + beta * n * (double) (n - 1));
    }

    private record Job(double finish, int id) {
    }

    private final Speed speed;
    private final Profile parameter;
    private final PriorityQueue<Job> jobs = new PriorityQueue<>((a, b) -> Double.compare(a.finish, b.finish));
    private double p;
    private double virtual;
    private long updated;
    private long generation;
    private double ideal;

    SharingDownstream(Host host, Speed speed, Profile parameter) {
        super(host);
        this.speed = speed;
        this.parameter = parameter;
        retune(0);
    }

    @Override
    void enter(int id, long workNanos) {
        advance();
        jobs.add(new Job(virtual + workNanos, id));
        reschedule();
    }

    @Override
    void onEvent(int id, long tag) {
        if (tag != generation) {
            return;
        }
        advance();
        while (!jobs.isEmpty() && jobs.peek().finish <= virtual + 1) {
            host.left(jobs.poll().id);
        }
        reschedule();
    }

    private void advance() {
        long now = host.now();
        if (!jobs.isEmpty()) {
            virtual += speed.of(jobs.size(), p) * (now - updated);
        }
        updated = now;
    }

    private void reschedule() {
        generation++;
        if (!jobs.isEmpty()) {
            double left = jobs.peek().finish - virtual;
            long delay = (long) Math.ceil(Math.max(0, left) / speed.of(jobs.size(), p));
            host.schedule(host.now() + delay, -1, generation);
        }
    }

    @Override
    void retune(double seconds) {
        double next = parameter.at(seconds);
        if (next != p || ideal == 0) {
            advance();
            p = next;
            ideal = computeIdeal();
            reschedule();
        }
    }

    private double computeIdeal() {
        double best = 0;
        for (int n = 1; n <= 2000; n++) {
            best = Math.max(best, n * speed.of(n, p));
        }
        for (int n = 1; n <= 2000; n++) {
            if (n * speed.of(n, p) >= 0.99 * best) {
                return n;
            }
        }
        return 2000;
    }

    @Override
    double idealLimit() {
        return ideal;
    }

    @Override
    boolean hasSpare() {
        return jobs.size() < ideal;
    }
}
