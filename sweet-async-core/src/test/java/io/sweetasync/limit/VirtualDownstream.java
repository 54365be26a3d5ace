package io.sweetasync.limit;

import io.sweetasync.ManualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A downstream in virtual time, behind a {@link ConcurrencyLimiter} of the adaptive algorithm, for
 * limit tests. Demand never runs out: every free permit is taken at once. Requests are served by
 * {@code slots} in parallel behind a FIFO queue, then travel back for {@code delay} (time that takes no
 * capacity). With a cliff, work started while more than {@code at} requests are inside takes
 * {@code factor} times longer; with contention, work started with {@code n} inside takes
 * {@code 1 + α(n − 1) + β·n(n − 1)} times longer (the universal scalability law). Service times are log-normal (mean 50 ms, p99 about twice the median)
 * from a fixed seed. Time moves only inside {@link #run}.
 */
final class VirtualDownstream {

    static final double MEAN_SERVICE_SECONDS = 0.050;
    private static final double SIGMA = 0.3;
    private static final Duration TICK = Duration.ofMillis(100);

    private final ManualClock clock = new ManualClock();
    private final ConcurrencyLimiter limiter;
    private final SplittableRandom random = new SplittableRandom(42);
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    /** The limit every 100 ms of the last run. */
    private final List<Integer> limits = new ArrayList<>();
    private int slots = 40;
    private long delayNanos;
    private int cliffAt = Integer.MAX_VALUE;
    private double cliffFactor = 1;
    private double alpha;
    private double beta;
    private int busy;
    private int inside;
    private long completed;

    VirtualDownstream(int initialLimit) {
        limiter = new ConcurrencyLimiter("downstream",
                LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.ADAPTIVE).withLimits(initialLimit, 1, 200), clock);
    }

    VirtualDownstream slots(int value) {
        slots = value;
        startQueued();
        return this;
    }

    VirtualDownstream delay(Duration value) {
        delayNanos = value.toNanos();
        return this;
    }

    /** Above {@code at} requests inside, work that starts takes {@code factor} times longer. */
    VirtualDownstream cliff(int at, double factor) {
        cliffAt = at;
        cliffFactor = factor;
        return this;
    }

    /**
     * Work that starts with {@code n} inside takes {@code 1 + α(n − 1) + β·n(n − 1)} times longer: throughput
     * {@code n / (S · (1 + α(n − 1) + β·n(n − 1)))} peaks at {@code n = √((1 − α) / β)}, and latency rises
     * from the first request on.
     */
    VirtualDownstream contention(double alphaValue, double betaValue) {
        alpha = alphaValue;
        beta = betaValue;
        return this;
    }

    ConcurrencyLimiter limiter() {
        return limiter;
    }

    /** Runs for {@code length} of virtual time; returns the completions per second in it. */
    double run(Duration length) {
        long before = completed;
        limits.clear();
        fill();
        for (Duration t = Duration.ZERO; t.compareTo(length) < 0; t = t.plus(TICK)) {
            clock.advance(TICK);
            limits.add(limiter.limit());
        }
        return (completed - before) / (length.toNanos() / 1e9);
    }

    /** The limit every 100 ms of the last run. */
    List<Integer> limits() {
        return List.copyOf(limits);
    }

    double meanLimit() {
        return limits.stream().mapToInt(Integer::intValue).average().orElse(0);
    }

    private void fill() {
        for (Optional<ConcurrencyLimiter.Permit> permit = limiter.tryAcquire(); permit.isPresent();
                permit = limiter.tryAcquire()) {
            start(permit.get());
        }
    }

    private void start(ConcurrencyLimiter.Permit permit) {
        inside++;
        double mu = Math.log(MEAN_SERVICE_SECONDS) - SIGMA * SIGMA / 2;
        double gaussian = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
        double slowdown = (inside > cliffAt ? cliffFactor : 1) * (1 + alpha * (inside - 1) + beta * inside * (inside - 1.0));
        long work = (long) (Math.exp(mu + SIGMA * gaussian) * 1e9 * slowdown);
        queue.add(() -> serve(permit, work));
        startQueued();
    }

    private void startQueued() {
        while (busy < slots && !queue.isEmpty()) {
            queue.poll().run();
        }
    }

    private void serve(ConcurrencyLimiter.Permit permit, long work) {
        busy++;
        clock.schedule(Duration.ofNanos(work), () -> {
            busy--;
            startQueued();
            if (delayNanos > 0) {
                clock.schedule(Duration.ofNanos(delayNanos), () -> done(permit));
            }
            else {
                done(permit);
            }
        });
    }

    private void done(ConcurrencyLimiter.Permit permit) {
        inside--;
        completed++;
        permit.success();
        fill();
    }
}
