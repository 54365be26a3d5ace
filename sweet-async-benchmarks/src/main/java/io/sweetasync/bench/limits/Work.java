package io.sweetasync.bench.limits;

import java.util.SplittableRandom;

/** How much solo service time each request needs: its distribution, drawn from the scenario's seed. */
interface Work {

    /** One request's solo service time in nanoseconds. */
    long nanos(SplittableRandom random);

    /** The mean solo service time in seconds. */
    double meanSeconds();

    /**
     * Log-normal service times with the given mean; {@code sigma} 0.3 gives p99 about 2x the median,
     * 0.69 about 5x.
     */
    static Work logNormal(double meanSeconds, double sigma) {
        double mu = Math.log(meanSeconds) - sigma * sigma / 2;
        return new Work() {
            @Override
            public long nanos(SplittableRandom random) {
                return (long) (Math.exp(mu + sigma * gaussian(random)) * 1e9);
            }

            @Override
            public double meanSeconds() {
                return meanSeconds;
            }
        };
    }

    /** With probability {@code largeShare} a request is {@code large}, otherwise {@code small}. */
    static Work mix(Work small, Work large, double largeShare) {
        return new Work() {
            @Override
            public long nanos(SplittableRandom random) {
                return random.nextDouble() < largeShare ? large.nanos(random) : small.nanos(random);
            }

            @Override
            public double meanSeconds() {
                return (1 - largeShare) * small.meanSeconds() + largeShare * large.meanSeconds();
            }
        };
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
