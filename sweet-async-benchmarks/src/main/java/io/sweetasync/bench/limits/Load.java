package io.sweetasync.bench.limits;

/** Who sends the requests. */
sealed interface Load {

    /** Poisson arrivals at {@code perSecond}, whatever happens to earlier requests. */
    record Open(double perSecond) implements Load {
    }

    /**
     * {@code clients} that each send one request, wait for its outcome (response, timeout or
     * rejection), think for an exponential time of mean {@code thinkSeconds}, and send the next.
     */
    record Closed(int clients, double thinkSeconds) implements Load {
    }
}
