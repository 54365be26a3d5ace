package io.sweetasync.bench.limits;

import java.util.SplittableRandom;

/**
 * A downstream service and the load on it.
 *
 * @param name          short label
 * @param slots         parallel slots of the downstream in each phase
 * @param phaseSeconds  length of each phase (virtual seconds)
 * @param arrivalRate   open-loop Poisson arrivals per second
 * @param meanService   mean service time in seconds
 * @param sigma         log-normal shape of service times (0.69 gives p99 = 5 x median)
 * @param seed          seed shared by every contender
 */
record Scenario(String name, int[] slots, double phaseSeconds, double arrivalRate, double meanService, double sigma,
        long seed) {

    double durationSeconds() {
        return slots.length * phaseSeconds;
    }

    /** One service time in nanoseconds; log-normal with the configured mean. */
    long serviceNanos(SplittableRandom random) {
        double mu = Math.log(meanService) - sigma * sigma / 2;
        double gaussian = gaussian(random);
        return (long) (Math.exp(mu + sigma * gaussian) * 1e9);
    }

    double medianServiceSeconds() {
        return Math.exp(Math.log(meanService) - sigma * sigma / 2);
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
